import Foundation

/// A self-contained HTML page of one or more offline evaluations (what
/// `attune evaluate --report evaluation.html` writes): no scripts, no network, the plots as
/// inline SVG.
///
/// For each target: the estimates with their intervals as a forest plot and a table, the
/// importance-weight histogram, the per-segment estimates (a forest plot of the primary
/// estimator and a table of all), and the diagnostics (effective sample size, largest and
/// mean weight, support, reward model error, warnings). With several targets a first forest
/// plot compares them on the primary estimator. The page is well-formed XML, so it can be
/// checked by any XML parser; every plotted row carries its exact numbers in `data-`
/// attributes.
public struct EvaluationPage: Sendable {
    /// The evaluations, one per target.
    public var reports: [OfflineEvaluation.Report]
    /// The log's name (a path), shown in the title.
    public var logName: String

    /// Creates a page for `reports` of the log `logName`.
    public init(reports: [OfflineEvaluation.Report], logName: String) {
        self.reports = reports
        self.logName = logName
    }

    /// The estimator plotted per segment and across targets: DR when present, else SNIPS,
    /// else the first.
    public static func primaryEstimator(of report: OfflineEvaluation.Report) -> Int {
        let names = report.estimates.map(\.estimator)
        return names.firstIndex(of: "dr") ?? names.firstIndex(of: "snips") ?? 0
    }

    /// The whole page.
    /// - Complexity: O(T (E S + bins)) for `T` targets, `E` estimators and `S` segments.
    public var html: String {
        let e = SVGPlot.escape
        var page = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
        <title>Offline evaluation: \(e(logName))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 72em; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        .ci { stroke: #1f5f99; stroke-width: 2; } .point { fill: #1f5f99; }
        .axis, .tick { stroke: #999; } .tick { stroke-dasharray: 2 3; } .reference { stroke: #c33; stroke-dasharray: 5 3; }
        .bar { fill: #6a9fd0; } .tick-label, .label, .axis-title { font-size: 12px; fill: #333; }
        .warning { color: #a40; }
        </style></head><body>
        <h1>Offline evaluation</h1>
        <p>Log: <code>\(e(logName))</code>, \(reports.first?.rounds ?? 0) rounds, \(reports.count) target\(reports.count == 1 ? "" : "s").</p>

        """
        if reports.count > 1 {
            let rows = reports.map { r -> SVGPlot.Row in
                let k = Self.primaryEstimator(of: r)
                let est = r.estimates.indices.contains(k) ? r.estimates[k] : nil
                return SVGPlot.Row(label: r.target, value: est?.value ?? .nan, low: est?.ciLow ?? .nan, high: est?.ciHigh ?? .nan)
            }
            let estimator = reports.first.map { r in r.estimates.indices.contains(Self.primaryEstimator(of: r)) ? r.estimates[Self.primaryEstimator(of: r)].estimator : "" } ?? ""
            page += "<h2>Targets compared (\(e(estimator)))</h2>\n" + SVGPlot.forest(rows, id: "targets") + "\n"
        }
        for (t, report) in reports.enumerated() { page += section(report, index: t) }
        return page + "</body></html>\n"
    }

    // MARK: - Sections

    func section(_ report: OfflineEvaluation.Report, index t: Int) -> String {
        let e = SVGPlot.escape, n = SVGPlot.number
        let level = Int(((report.estimates.first?.confidence ?? 0.95) * 100).rounded())
        var s = "<section class=\"target\" id=\"target-\(t)\"><h2>Target: \(e(report.target))</h2>\n"
        s += "<h3>Estimates (\(level)% intervals)</h3>\n"
        let rows = report.estimates.map { SVGPlot.Row(label: $0.estimator, value: $0.value, low: $0.ciLow, high: $0.ciHigh) }
        s += SVGPlot.forest(rows, id: "estimates-\(t)") + "\n"
        s += "<table class=\"estimates\"><tr><th>estimator</th><th>value</th><th>std. error</th><th>ci low</th><th>ci high</th></tr>\n"
        for est in report.estimates {
            s += "<tr><td>\(e(est.estimator))</td><td>\(n(est.value, 4))</td><td>\(n(est.standardError, 4))</td><td>\(n(est.ciLow, 4))</td><td>\(n(est.ciHigh, 4))</td></tr>\n"
        }
        s += "</table>\n"

        let h = report.weightHistogram
        s += "<h3>Importance weights</h3>\n" + SVGPlot.histogram(h, id: "weights-\(t)") + "\n"
        s += "<p>Mean weight \(n(h.mean, 3)) (1 when the logger supports the target); \(h.zeroCount) of \(report.rounds) rounds have weight 0.</p>\n"

        if !report.segments.isEmpty {
            let k = Self.primaryEstimator(of: report)
            let name = report.estimates.indices.contains(k) ? report.estimates[k].estimator : ""
            s += "<h3>Segments (\(e(name)))</h3>\n"
            let segmentRows = report.segments.map { g -> SVGPlot.Row in
                let est = g.estimates.indices.contains(k) ? g.estimates[k] : nil
                return SVGPlot.Row(label: "\(g.segment ?? "(none)") · \(g.rounds)", value: est?.value ?? .nan,
                                   low: est?.ciLow ?? .nan, high: est?.ciHigh ?? .nan)
            }
            s += SVGPlot.forest(segmentRows, id: "segments-\(t)") + "\n"
            s += "<table class=\"segments\"><tr><th>segment</th><th>rounds</th>"
            for est in report.estimates { s += "<th>\(e(est.estimator))</th>" }
            s += "</tr>\n"
            for g in report.segments {
                s += "<tr><td>\(e(g.segment ?? "(none)"))</td><td>\(g.rounds)</td>"
                for est in g.estimates { s += "<td>\(n(est.value, 4)) [\(n(est.ciLow, 3)), \(n(est.ciHigh, 3))]</td>" }
                s += "</tr>\n"
            }
            s += "</table>\n"
        }
        return s + diagnostics(report) + "</section>\n"
    }

    func diagnostics(_ report: OfflineEvaluation.Report) -> String {
        let e = SVGPlot.escape, n = SVGPlot.number
        var s = "<h3>Diagnostics</h3>\n<table class=\"diagnostics\"><tr><th>estimator</th><th>effective sample size</th><th>max weight</th><th>mean weight</th></tr>\n"
        for est in report.estimates {
            s += "<tr><td>\(e(est.estimator))</td><td>\(n(est.effectiveSampleSize, 1))</td><td>\(n(est.maxWeight, 3))</td><td>\(n(est.meanWeight, 3))</td></tr>\n"
        }
        s += "</table>\n<table class=\"support\">"
        let support = report.support
        let unsupported = support.unsupportedActions.isEmpty ? "none" : support.unsupportedActions.joined(separator: ", ")
        s += "<tr><td>actions the target needs but the log never took</td><td>\(e(unsupported))</td></tr>\n"
        s += "<tr><td>share of rounds where the target gives the logged action probability 0</td><td>\(n(support.zeroTargetShare, 4))</td></tr>\n"
        if let mass = support.unsupportedTargetMass {
            s += "<tr><td>mean target probability on actions the logger gave probability 0</td><td>\(n(mass, 4))</td></tr>\n"
        }
        if let model = report.rewardModel {
            s += "<tr><td>reward model (\(e(model.kind)), \(model.folds)-fold held-out MSE)</td><td>\(n(model.heldOutMSE, 5)) (constant: \(n(model.baselineMSE, 5)))</td></tr>\n"
        }
        s += "</table>\n"
        if !report.warnings.isEmpty {
            s += "<ul class=\"warnings\">" + report.warnings.map { "<li class=\"warning\">\(e($0))</li>" }.joined() + "</ul>\n"
        }
        return s
    }
}
