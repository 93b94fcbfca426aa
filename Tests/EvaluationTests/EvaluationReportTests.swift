import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Evaluation

/// Per-segment estimates, several targets in one run, the weight histogram and the HTML page.
@Suite struct EvaluationReportTests {
    /// Six rounds over two segments (and one unlabelled), worked by hand below.
    static func segmentedLog() throws -> DecisionLog {
        let text = """
            {"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[0.8,0.2],"segment":"b"}
            {"context":[2],"action":1,"propensity":0.25,"reward":0,"probabilities":[0.75,0.25],"target_probabilities":[0.5,0.5],"segment":"a"}
            {"context":[3],"action":1,"propensity":0.5,"reward":2,"probabilities":[0.5,0.5],"target_probabilities":[0,1],"segment":"b"}
            {"context":[4],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[0,1],"segment":"a"}
            {"context":[5],"action":0,"propensity":0.25,"reward":3,"probabilities":[0.25,0.75],"target_probabilities":[0.5,0.5]}
            {"context":[6],"action":1,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[0.5,0.5],"segment":"b"}
            """
        return try DecisionLog.parse(text, format: .attune)
    }
    // Weights w = [1.6, 2, 2, 0, 2, 1]; rewards [1, 0, 2, 1, 3, 1].
    // Segment a = rounds {2, 4}: IPS (0 + 0)/2 = 0, SNIPS 0/2 = 0.
    // Segment b = rounds {1, 3, 6}: IPS (1.6 + 4 + 1)/3 = 2.2, SNIPS 6.6/4.6.
    // Unlabelled = round 5: IPS 2·3 = 6, SNIPS 6/2 = 3.

    static func configuration(_ names: [String]) throws -> OfflineEvaluation.Configuration {
        try OfflineEvaluation.Configuration(estimators: names, rewardModel: try RewardModel.Configuration(folds: 2, seed: 1))
    }

    @Test func segmentEstimatesAreTheEstimatorsOnEachSegmentsRounds() throws {
        let log = try Self.segmentedLog()
        let report = try OfflineEvaluation.run(log: log, target: log.targetProbabilities, configuration: try Self.configuration(["ips", "snips"]))
        #expect(report.segments.map(\.segment) == ["a", "b", nil])
        #expect(report.segments.map(\.rounds) == [2, 3, 1])
        let expected: [[Double]] = [[0, 0], [6.6 / 3, 6.6 / 4.6], [6, 3]]
        for (g, values) in zip(report.segments, expected) {
            for (e, v) in zip(g.estimates, values) { #expect(abs(e.value - v) < 1e-12, "\(g.segment ?? "-") \(e.estimator)") }
        }
        // The whole-log figures are unchanged by the segmentation.
        #expect(abs(report.estimates[0].value - (1.6 + 4 + 1 + 6) / 6) < 1e-12)
        // A log without segment labels has no segment section.
        let plain = try SyntheticSetup.standard.log(rounds: 50, seed: 3)
        #expect(try OfflineEvaluation.run(log: plain, target: plain.targetProbabilities, configuration: try Self.configuration(["ips"])).segments.isEmpty)
    }

    @Test func severalTargetsGiveTheSameReportsAsSeparateRuns() throws {
        let setup = SyntheticSetup.standard
        let log = try setup.log(rounds: 300, seed: 12)
        let configuration = try Self.configuration(["dm", "ips", "dr"])
        let uniform = [Double](repeating: 1.0 / 3, count: log.candidates.count)
        let together = try OfflineEvaluation.run(
            log: log, targets: [.init(name: "target", probabilities: log.targetProbabilities), .init(name: "uniform", probabilities: uniform)],
            configuration: configuration)
        let alone = try OfflineEvaluation.run(log: log, target: uniform, name: "uniform", configuration: configuration)
        #expect(together.map(\.target) == ["target", "uniform"])
        #expect(together[1] == alone)
        #expect(together[0].estimates[1].value != together[1].estimates[1].value)
    }

    @Test func weightHistogramBinsEveryRound() throws {
        let h = try WeightHistogram(weights: [0, 0.5, 1, 1.5, 2, 4], bins: 4)
        #expect(h.edges == [0, 1, 2, 3, 4])
        #expect(h.counts == [2, 2, 1, 1])
        #expect(h.zeroCount == 1)
        #expect(abs(h.mean - 9.0 / 6) < 1e-15)
        #expect(throws: EvaluationError.self) { try WeightHistogram(weights: [1, -.infinity]) }
    }

    @Test func htmlPageIsWellFormedAndCarriesTheNumbers() throws {
        let log = try Self.segmentedLog()
        let configuration = try Self.configuration(["ips", "snips", "dm"])
        let reports = try OfflineEvaluation.run(
            log: log, targets: [.init(name: "log <target>", probabilities: log.targetProbabilities),
                                .init(name: "logging", probabilities: log.loggingProbabilities)],
            configuration: configuration)
        let html = EvaluationPage(reports: reports, logName: "decisions & co.jsonl").html
        let page = try PageElements(html)
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("href="))
        // A comparison plot, then per target: estimates, weights, segments.
        #expect(page.count("svg") == 1 + 3 * reports.count)
        #expect(page.elements.contains { $0.name == "title" && $0.text == "Offline evaluation: decisions & co.jsonl" })
        for (t, report) in reports.enumerated() {
            let rows = page.elements.filter { $0.name == "g" && $0.parentID == "estimates-\(t)" }
            #expect(rows.map { $0.attributes["data-label"] } == report.estimates.map(\.estimator))
            for (row, e) in zip(rows, report.estimates) {
                #expect(Double(row.attributes["data-value"] ?? "") == e.value)
                #expect(Double(row.attributes["data-ci-low"] ?? "") == e.ciLow)
                #expect(Double(row.attributes["data-ci-high"] ?? "") == e.ciHigh)
            }
            #expect(page.elements.filter { $0.name == "line" && $0.attributes["class"] == "ci" && $0.parentID == "estimates-\(t)" }.count == 3)
            let bars = page.elements.filter { $0.name == "rect" && $0.parentID == "weights-\(t)" }
            #expect(bars.count == report.weightHistogram.counts.count)
            #expect(bars.compactMap { Int($0.attributes["data-count"] ?? "") }.reduce(0, +) == log.count)
            let segmentRows = page.elements.filter { $0.name == "g" && $0.parentID == "segments-\(t)" }
            #expect(segmentRows.count == 3)
            // DM is absent, SNIPS is the plotted estimator per segment.
            #expect(Double(segmentRows.first?.attributes["data-value"] ?? "") == report.segments[0].estimates[1].value)
        }
        // Diagnostics as text: ESS and max weight of IPS on the target.
        let ips = reports[0].estimates[0]
        #expect(page.texts.contains(SVGPlot.number(ips.effectiveSampleSize, 1)))
        #expect(page.texts.contains(SVGPlot.number(ips.maxWeight, 3)))
        #expect(page.texts.contains("2.1000"))  // whole-log IPS, 12.6 / 6
        #expect(page.texts.contains { $0.hasPrefix("2.2000 [") })  // segment b's IPS
    }
}

/// The elements of a well-formed XML page, with the id of the enclosing `svg`.
struct PageElements {
    struct Element { var name: String; var attributes: [String: String]; var parentID: String?; var text: String }
    var elements: [Element] = []
    var texts: [String] { elements.map(\.text) }

    init(_ html: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw EvaluationError.numerical("the page is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber)")
        }
        elements = delegate.done
    }

    func count(_ name: String) -> Int { elements.filter { $0.name == name }.count }

    final class Collector: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var done: [Element] = []
        var svgID: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == "svg" { svgID = attributes["id"] }
            stack.append(Element(name: name, attributes: attributes, parentID: name == "svg" ? nil : svgID, text: ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if name == "svg" { svgID = nil }
            done.append(element)
        }
    }
}
