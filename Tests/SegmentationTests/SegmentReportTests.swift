import AttuneCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Linalg
import Testing

@testable import Segmentation

/// Collects every element of an XML fragment with its attributes, and the text of the
/// `figcaption`, failing on malformed markup.
final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

@Suite("Segment report")
struct SegmentReportTests {
    /// The `<figure class="map">…</figure>` of the page, parsed.
    static func map(in html: String) throws -> ElementCollector {
        let start = try #require(html.range(of: "<figure class=\"map\">"))
        let end = try #require(html.range(of: "</figure>", range: start.upperBound..<html.endIndex))
        let parser = XMLParser(data: Data(html[start.lowerBound..<end.upperBound].utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        #expect(parser.parse(), "the map is not well-formed XML")
        return collector
    }

    static func fitted(embeddingDimension: Int?) throws -> (SegmentationModel, Matrix, [Int]) {
        let (raw, _) = EventFixtures.mixture(n: 120, k: 3, d: 6, separation: 6, seed: 7)
        let options = try SegmentationFitter.Options(
            method: .kmeans, k: 3, initializations: 2, bootstrapRuns: 0,
            embedding: embeddingDimension == nil ? .scaled : .autoencoder,
            autoencoder: .init(hiddenWidths: [10], embeddingDimension: embeddingDimension ?? 2, epochs: 20, batchSize: 32))
        var rng = SeededGenerator(seed: 7)
        let model = try SegmentationFitter(options).fit(raw: raw, featureNames: (0..<6).map { "f\($0)" }, using: &rng)
        return (model, raw, try model.assign(raw: raw))
    }

    @Test("On a 2-D embedding the map draws the embedding itself, and says so")
    func twoDimensionalEmbedding() throws {
        let (model, raw, labels) = try Self.fitted(embeddingDimension: 2)
        let html = try SegmentReport.html(model: model, raw: raw, labels: labels)
        let map = try Self.map(in: html)
        let svg = try #require(map.elements.first { $0.name == "svg" })
        #expect(svg.attributes["data-space"] == "embedding")
        #expect(map.text.contains("2-dimensional embedding") && map.text.contains("no projection"))
        let circles = map.elements.filter { $0.name == "circle" }
        #expect(circles.count == raw.rows)
        // The dots are the embedding up to a positive scaling per axis: same order on each axis.
        let embedding = try model.autoencoder.map { try $0.encode(try model.scaler.transform(raw)) }
        let e = try #require(embedding)
        let cx = circles.compactMap { $0.attributes["cx"].flatMap(Double.init) }
        let cy = circles.compactMap { $0.attributes["cy"].flatMap(Double.init) }
        #expect(cx.count == raw.rows && cy.count == raw.rows)
        for i in 0..<raw.rows {
            for j in stride(from: i + 1, to: raw.rows, by: 7) {
                if abs(e[i, 0] - e[j, 0]) > 1e-9 { #expect((e[i, 0] < e[j, 0]) == (cx[i] < cx[j])) }
                // SVG's y axis points down.
                if abs(e[i, 1] - e[j, 1]) > 1e-9 { #expect((e[i, 1] < e[j, 1]) == (cy[i] > cy[j])) }
            }
        }
        // One legend swatch per segment.
        #expect(map.elements.filter { $0.name == "g" && $0.attributes["class"] == "legend" }.count == model.segmentCount)
    }

    @Test("On a wider embedding the map projects the embedding on its principal components")
    func widerEmbedding() throws {
        let (model, raw, labels) = try Self.fitted(embeddingDimension: 3)
        let html = try SegmentReport.html(model: model, raw: raw, labels: labels)
        let map = try Self.map(in: html)
        #expect(map.elements.first { $0.name == "svg" }?.attributes["data-space"] == "embedding")
        #expect(map.text.contains("principal components of the autoencoder's 3-dimensional embedding"))
        #expect(map.elements.filter { $0.name == "circle" }.count == raw.rows)
        #expect(map.elements.filter { $0.name == "text" && $0.attributes["class"] == "axis" }.count == 2)
    }

    @Test("Without an embedding the map is the PCA of the scaled features")
    func scaledFeatures() throws {
        let (model, raw, labels) = try Self.fitted(embeddingDimension: nil)
        let html = try SegmentReport.html(model: model, raw: raw, labels: labels)
        let map = try Self.map(in: html)
        #expect(map.elements.first { $0.name == "svg" }?.attributes["data-space"] == "features")
        #expect(map.text.contains("principal components of the 6 scaled features"))
        #expect(!map.text.contains("embedding"))
    }
}
