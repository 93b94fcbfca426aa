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

@Suite("Segment report wording")
struct SegmentReportWordingTests {
    @Test("The chart of k draws the gap that chose it, its error bar and the silhouette beside it")
    func choiceOfK() throws {
        let (model, raw, _) = try PipelineTests.fitted(seed: 5)
        let selection = try #require(model.kSelection)
        let gaps = try #require(selection.gapScores)
        let html = try SegmentReport.html(model: model, raw: raw, labels: try model.assign(raw: raw))
        let start = try #require(html.range(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ksel\""))
        let end = try #require(html.range(of: "</svg>", range: start.upperBound..<html.endIndex))
        let parser = XMLParser(data: Data(html[start.lowerBound..<end.upperBound].utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        #expect(parser.parse())
        let bars = collector.elements.filter { $0.name == "rect" }
        #expect(bars.count == selection.scores.count)
        #expect(collector.elements.filter { $0.name == "line" }.count == gaps.count)
        #expect(collector.elements.filter { $0.name == "circle" }.count == selection.scores.count)
        // Bar heights follow the gap, and the chosen k is the highlighted one.
        let heights = bars.compactMap { $0.attributes["height"].flatMap(Double.init) }
        for (a, b) in zip(zip(gaps, heights), zip(gaps, heights).dropFirst()) where abs(a.0.gap - b.0.gap) > 1e-6 {
            #expect((a.0.gap < b.0.gap) == (a.1 < b.1))
        }
        let chosen = try #require(selection.scores.firstIndex { $0.k == selection.k })
        #expect(bars[chosen].attributes["fill"] == "#0072B2")
        #expect(html.contains("<p>\(selection.k) segments, chosen by the gap statistic"))
    }

    @Test("Typical hour and weekday are the circular means; weak ones are called spread out")
    func typicalTimes() throws {
        let (model, _, _) = try PipelineTests.fitted(seed: 5)
        func means(hour: Double, hourStrength: Double, day: Int, dayStrength: Double) throws -> [Double] {
            var m = [Double](repeating: 0, count: model.featureNames.count)
            let index = { (name: String) in try #require(model.featureNames.firstIndex(of: name)) }
            m[try index("hour_sin")] = hourStrength * sin(2 * Double.pi * hour / 24)
            m[try index("hour_cos")] = hourStrength * cos(2 * Double.pi * hour / 24)
            m[try index("dow_sin")] = dayStrength * sin(2 * Double.pi * Double(day) / 7)
            m[try index("dow_cos")] = dayStrength * cos(2 * Double.pi * Double(day) / 7)
            return m
        }
        let evening = SegmentReport.typicalTimes(model: model, means: try means(hour: 18.2, hourStrength: 0.9, day: 5, dayStrength: 0.5))
        #expect(evening?.hour == "around 18:00 UTC" && evening?.day == "Saturday")
        let night = SegmentReport.typicalTimes(model: model, means: try means(hour: 23.7, hourStrength: 0.4, day: 0, dayStrength: 0.31))
        #expect(night?.hour == "around 00:00 UTC" && night?.day == "Monday")
        let spread = SegmentReport.typicalTimes(model: model, means: try means(hour: 9, hourStrength: 0.1, day: 3, dayStrength: 0.2))
        #expect(spread?.hour == "spread over the day" && spread?.day == "spread over the week")
    }

    @Test("Features read in plain words; shares show as percentages", arguments: [
        ("channel_share.app", "share of activity via the app"), ("category_share.shoes", "share of category activity in shoes"),
        ("aov", "average order value"), ("recency_days", "days since the last purchase"), ("f3", "f3"),
    ])
    func labels(name: String, expected: String) {
        #expect(SegmentReport.label(name) == expected)
    }
}
