import Foundation

/// A self-contained HTML report of a study: the comparison table with 95% intervals, the
/// learning curves and cumulative regret with their bands (inline SVG), and the per-segment
/// breakdown. No scripts, no external resources.
public struct StudyReport: Sendable {
    /// The study to report.
    public var result: StudyResult
    /// The report's title (the scenario id).
    public var title: String
    /// Free text shown under the title.
    public var description: String?

    /// Creates a report.
    public init(result: StudyResult, title: String, description: String? = nil) {
        self.result = result
        self.title = title
        self.description = description
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The report as an HTML document.
    /// - Complexity: O(policies × (seeds + curve points + segments)).
    public func html() -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title)) — simulation study</title>
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:980px;color:#222}
        table{border-collapse:collapse;margin:1rem 0;font-size:14px}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
        th:first-child,td:first-child{text-align:left}caption{text-align:left;font-weight:600;margin-bottom:4px}
        .best{font-weight:700}.note{color:#666;font-size:13px}svg{font-size:11px}
        </style></head><body>
        <h1>\(Self.escape(title))</h1>

        """
        if let description { h += "<p>\(Self.escape(description))</p>\n" }
        h += "<p class=\"note\">\(result.horizon) rounds per run, \(result.seeds.count) seeds (\(result.seeds.map(String.init).joined(separator: ", "))); intervals are 95% Student-t intervals over seeds.</p>\n"
        h += comparisonTable()
        h += differenceSection()
        h += "<h2>Learning curves</h2>\n<p class=\"note\">Mean reward per round in each window, with its 95% band over seeds.</p>\n"
        h += chart(result.policies.map(\.rewardCurve), yLabel: "reward per round")
        h += "<h2>Cumulative regret</h2>\n<p class=\"note\">Σ (best expected reward − expected reward of the action chosen), with its 95% band.</p>\n"
        h += chart(result.policies.map(\.regretCurve), yLabel: "cumulative regret")
        if !result.segmentNames.isEmpty { h += segmentTable() }
        h += "</body></html>\n"
        return h
    }

    // MARK: - Tables

    func comparisonTable() -> String {
        let bestName = result.bestDeployable?.name
        var h = "<table><caption>Comparison</caption><tr><th>policy</th><th>mean reward</th><th>95% interval</th><th>regret</th><th>revenue / round</th><th>margin / round</th><th>conversion</th><th>churned</th><th>decisions / s</th></tr>\n"
        for p in result.policies {
            let r = p.meanReward
            h += "<tr\(p.name == bestName ? " class=\"best\"" : "")><td>\(Self.escape(p.name))\(p.isReference ? " <span class=\"note\">(reference)</span>" : "")</td><td>\(Self.number(r.mean))</td><td>\(Self.interval(r))</td>"
            for ci in [p.regret, p.revenuePerRound, p.marginPerRound, p.conversionRate, p.churnedCustomers] {
                h += "<td>\(Self.number(ci.mean)) <span class=\"note\">\(Self.interval(ci))</span></td>"
            }
            h += "<td>\(Self.number(p.decisionsPerSecond))</td></tr>\n"
        }
        return h + "</table>\n"
    }

    func segmentTable() -> String {
        var h = "<h2>By segment</h2>\n<table><caption>Mean reward per arrival of each latent segment (95% interval)</caption><tr><th>policy</th>"
        for name in result.segmentNames { h += "<th>\(Self.escape(name))</th>" }
        h += "</tr>\n"
        for p in result.policies {
            h += "<tr><td>\(Self.escape(p.name))</td>"
            for ci in p.rewardBySegment { h += "<td>\(Self.number(ci.mean)) \(Self.interval(ci))</td>" }
            h += "</tr>\n"
        }
        return h + "</table>\n"
    }

    // MARK: - Charts

    /// Lines with bands, one per policy, over the curve points; x in rounds.
    func chart(_ curves: [[ConfidenceInterval]], yLabel: String) -> String {
        let width = 900.0, height = 340.0, left = 70.0, right = 170.0, top = 15.0, bottom = 40.0
        let points = curves.map(\.count).min() ?? 0
        guard points > 0 else { return "<p class=\"note\">No curve points.</p>\n" }
        var lo = Double.infinity, hi = -Double.infinity
        for curve in curves {
            for c in curve.prefix(points) {
                for v in [c.low ?? c.mean, c.high ?? c.mean, c.mean] where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
            }
        }
        if !(hi > lo) { hi = lo + 1 }
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ i: Int) -> Double { left + plotW * Double(i + 1) / Double(points) }
        func y(_ v: Double) -> Double { top + plotH * (1 - (v - lo) / (hi - lo)) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#ccc\"/>\n"
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            s += "<text x=\"\(left - 6)\" y=\"\(Self.f(y(v)) )\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Self.number(v))</text>"
            s += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(Self.f(y(v)))\" y2=\"\(Self.f(y(v)))\" stroke=\"#eee\"/>\n"
        }
        for k in [0, points / 2, points - 1] {
            let round = (k + 1) * result.horizon / points
            s += "<text x=\"\(Self.f(x(k)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(round)</text>\n"
        }
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">round</text>"
        s += "<text x=\"14\" y=\"\(top + plotH / 2)\" transform=\"rotate(-90 14 \(top + plotH / 2))\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (p, curve) in curves.enumerated() {
            let color = Self.palette[p % Self.palette.count]
            let c = Array(curve.prefix(points))
            if c.allSatisfy({ $0.low != nil && $0.high != nil }) {
                let upper = c.indices.map { "\(Self.f(x($0))),\(Self.f(y(c[$0].high ?? 0)))" }
                let lower = c.indices.reversed().map { "\(Self.f(x($0))),\(Self.f(y(c[$0].low ?? 0)))" }
                s += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let line = c.indices.map { "\(Self.f(x($0))),\(Self.f(y(c[$0].mean)))" }.joined(separator: " ")
            s += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
            s += "<rect x=\"\(width - right + 12)\" y=\"\(top + 4 + Double(p) * 18)\" width=\"12\" height=\"3\" fill=\"\(color)\"/>"
            s += "<text x=\"\(width - right + 30)\" y=\"\(top + 8 + Double(p) * 18)\" dominant-baseline=\"middle\">\(Self.escape(result.policies[p].name))</text>\n"
        }
        return s + "</svg>\n"
    }

    // MARK: - Formatting

    static func f(_ v: Double) -> String { String((v * 10).rounded() / 10) }

    /// Four significant digits, plain notation.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == 0 { return "0" }
        let magnitude = abs(v)
        if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.3e", v) }
        let decimals = max(0, 3 - Int((magnitude).log10Floor))
        return String(format: "%.\(decimals)f", v)
    }

    /// `[low, high]` in ``number(_:)`` form, or `–` without an interval.
    public static func interval(_ ci: ConfidenceInterval) -> String {
        guard let low = ci.low, let high = ci.high else { return "–" }
        return "[\(number(low)), \(number(high))]"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

extension Double {
    /// ⌊log₁₀ |x|⌋ for finite non-zero x.
    var log10Floor: Double {
        var m = Swift.abs(self), e = 0.0
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        return e
    }
}
