import AttuneCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Linalg
import Testing

@testable import Segmentation

/// Counts the elements of an XML fragment by name, failing on malformed markup.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
    }
}

@Suite("Segmentation pipeline")
struct PipelineTests {
    static func fitted(seed: UInt64, k: Int? = nil) throws -> (SegmentationModel, Matrix, [String]) {
        var table = ProfileTable()
        for e in EventFixtures.events(customers: 90, seed: seed) { table.update(with: e) }
        let schema = try table.makeSchema(maximumCategories: 6)
        let (ids, raw) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: seed)
        let fitter = SegmentationFitter(try .init(method: .kmeans, k: k, kCandidates: 2...5, initializations: 4, silhouetteSample: 200, bootstrapRuns: 3))
        let model = try fitter.fit(raw: raw, featureNames: schema.names, schema: schema, referenceTime: table.latestTimestamp, using: &rng)
        return (model, raw, ids)
    }

    @Test("Events to explained segments: the three shopper kinds are found, rules are faithful")
    func eventsToSegments() throws {
        let (model, raw, ids) = try Self.fitted(seed: 3, k: 3)
        let labels = try model.assign(raw: raw)
        let truth = ids.map { Int($0.split(separator: "-").last ?? "0").map { $0 % 3 } ?? 0 }
        #expect(model.segmentCount == 3)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, labels) >= 0.95)
        #expect(model.rules.fidelity >= 0.95)
        #expect(model.evaluation.segments.map(\.size).reduce(0, +) == 90)
        #expect(try #require(model.evaluation.stabilityMean) > 0.9)
        #expect(model.rules.rules.allSatisfy { !$0.clauses.isEmpty })
        #expect(model.kSelection == nil)
    }

    @Test("A diagonal Gaussian mixture on the same events finds the same three kinds; BIC scores every candidate")
    func gaussianMixture() throws {
        var table = ProfileTable()
        for e in EventFixtures.events(customers: 90, seed: 3) { table.update(with: e) }
        let schema = try table.makeSchema(maximumCategories: 6)
        let (ids, raw) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 3)
        let fitter = SegmentationFitter(try .init(method: .gmm, k: nil, kCandidates: 2...4, bootstrapRuns: 0, covariance: .diagonal))
        let model = try fitter.fit(raw: raw, featureNames: schema.names, schema: schema, using: &rng)
        let truth = ids.map { Int($0.split(separator: "-").last ?? "0").map { $0 % 3 } ?? 0 }
        #expect(model.bicScores?.map(\.k) == [2, 3, 4])
        #expect(try ClusterMetrics.adjustedRandIndex(truth, model.assign(raw: raw)) >= 0.95)
        let decoded = try SegmentationModel(jsonData: model.jsonData())
        #expect(try decoded.assign(raw: raw) == model.assign(raw: raw))
    }

    @Test("Automatic k follows the gap statistic's one-standard-error rule; the silhouette's choice is reported")
    func automaticK() throws {
        let (model, _, _) = try Self.fitted(seed: 3)
        let selection = try #require(model.kSelection)
        #expect(selection.scores.map(\.k) == [2, 3, 4, 5])
        let best = try #require(selection.scores.max { $0.silhouette < $1.silhouette })
        #expect(selection.silhouetteK == best.k)
        let gaps = try #require(selection.gapScores)
        #expect(gaps.map(\.k) == [2, 3, 4, 5])
        let ruled = zip(gaps, gaps.dropFirst()).first { $0.gap >= $1.gap - $1.standardError }?.0.k
            ?? gaps.max { $0.gap < $1.gap }?.k
        #expect(selection.k == ruled)
        #expect(model.segmentCount == selection.k)
    }

    @Test("The model survives JSON and assigns identically; a wrong width is refused")
    func jsonRoundTrip() throws {
        let (model, raw, _) = try Self.fitted(seed: 4)
        let decoded = try SegmentationModel(jsonData: model.jsonData())
        #expect(try decoded.assign(raw: raw) == model.assign(raw: raw))
        #expect(decoded.featureNames == model.featureNames)
        #expect(decoded.schema == model.schema)
        let json = try #require(String(data: try model.jsonData(), encoding: .utf8))
        #expect(json.contains("\"feature_names\""))
        #expect(throws: SegmentationError.self) { try decoded.assign(raw: Matrix(rows: 1, columns: 3)) }
        #expect(throws: SegmentationError.self) { try SegmentationModel(jsonData: Data("{\"format\":1}".utf8)) }
    }

    @Test("The HTML report holds well-formed SVG charts with one mark per segment and point")
    func report() throws {
        let (model, raw, _) = try Self.fitted(seed: 5)
        let labels = try model.assign(raw: raw)
        let html = try SegmentReport.html(model: model, raw: raw, labels: labels)
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        var counts: [String: [String: Int]] = [:]
        var rest = Substring(html)
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            let fragment = String(rest[start.lowerBound..<end.upperBound])
            let parser = XMLParser(data: Data(fragment.utf8))
            let counter = ElementCounter()
            parser.delegate = counter
            #expect(parser.parse(), "malformed SVG: \(fragment.prefix(200))")
            let cls = fragment.range(of: "class=\"").map { r in String(fragment[r.upperBound...].prefix { $0 != "\"" }) } ?? "?"
            counts[cls] = counter.counts
            rest = rest[end.upperBound...]
        }
        #expect(counts["sizes"]?["rect"] ?? 0 >= 2 * model.segmentCount)  // size and revenue bars
        #expect(counts["scatter"]?["circle"] == raw.rows)
        #expect(html.contains("data-space=\"features\""))
        #expect(counts["ksel"]?["rect"] == model.kSelection?.scores.count)
        #expect(html.contains("<table class=\"profiles\">"))
        for rule in model.rules.rules { #expect(html.contains(SegmentReport.escape(rule.description))) }
    }

    @Test("PCA finds the dominant direction and projects consistently")
    func pca() throws {
        var rng = SeededGenerator(seed: 2)
        var x = Matrix(rows: 500, columns: 3)
        for i in 0..<500 {
            let t = rng.nextStandardNormal() * 10
            x[i, 0] = t * 0.6 + rng.nextStandardNormal() * 0.1
            x[i, 1] = t * 0.8 + rng.nextStandardNormal() * 0.1
            x[i, 2] = rng.nextStandardNormal()
        }
        let pca = try PCAProjection(fitting: x, count: 2)
        #expect(abs(pca.components[0, 0] - 0.6) < 0.01)
        #expect(abs(pca.components[0, 1] - 0.8) < 0.01)
        #expect(abs(abs(pca.components[1, 2]) - 1) < 0.01)
        #expect(pca.explainedShare > 0.999)
        let p = try pca.project(x)
        let direct = (0..<3).reduce(0.0) { $0 + (x[7, $1] - pca.mean[$1]) * pca.components[0, $1] }
        #expect(abs(p[7, 0] - direct) < 1e-9)
    }

    @Test("Feature matrices from CSV and NumPy .npy")
    func featureMatrices() throws {
        let csv = try FeatureMatrixReader.csv(Array("customer_id,a,b\nx,1,2.5\ny,3,-4\n".utf8))
        #expect(csv.rowIDs == ["x", "y"])
        #expect(csv.names == ["a", "b"])
        #expect(csv.matrix.elements == [1, 2.5, 3, -4])
        #expect(throws: SegmentationError.self) { try FeatureMatrixReader.csv(Array("a,b\n1,zz\n".utf8)) }
        // A 2 × 3 float64 C-order array as numpy.save writes it.
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in [1.0, 2, 3, 4, 5, 6.5] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let npy = try FeatureMatrixReader.npy(bytes)
        #expect(npy.matrix.rows == 2 && npy.matrix.columns == 3)
        #expect(npy.matrix.elements == [1, 2, 3, 4, 5, 6.5])
        #expect(throws: SegmentationError.self) { try FeatureMatrixReader.npy(Array(bytes.prefix(40))) }
    }
}
