import Foundation

/// Small inline-SVG drawing helpers for the evaluation page: a linear scale, a forest plot
/// and a bar histogram. Output is well-formed XML (every attribute quoted, text escaped).
enum SVGPlot {
    /// One row of a forest plot: a label, a point estimate and its interval.
    struct Row {
        var label: String
        var value: Double
        var low: Double
        var high: Double
    }

    /// Escapes text for XML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A number for display (`digits` decimals; `nan`/`inf` spelled out).
    static func number(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        return String(format: "%.\(digits)f", x)
    }

    /// A coordinate, with two decimals.
    static func coordinate(_ x: Double) -> String { String(format: "%.2f", x) }

    /// The exact value for `data-` attributes (round-trips through `Double(_:)`).
    static func exact(_ x: Double) -> String { "\(x)" }

    /// Rounded tick positions covering `[low, high]`, about `count` of them.
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = (low / step).rounded(.up) * step
        var result: [Double] = []
        while t <= high + step * 1e-9 { result.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return result
    }

    /// A forest plot: one row per entry, the interval as a horizontal line and the estimate
    /// as a dot, on a shared axis; `reference` (e.g. the logging policy's value) as a dashed
    /// vertical line when given.
    static func forest(_ rows: [Row], id: String, reference: Double? = nil) -> String {
        let labelWidth = 150.0, plotWidth = 480.0, rowHeight = 26.0, top = 10.0
        let height = top + rowHeight * Double(rows.count) + 34
        var finite: [Double] = []
        for r in rows { for v in [r.value, r.low, r.high] where v.isFinite { finite.append(v) } }
        if let reference, reference.isFinite { finite.append(reference) }
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 { low -= 0.5; high += 0.5 }
        let pad = (high - low) * 0.05
        low -= pad; high += pad
        func x(_ v: Double) -> Double { labelWidth + (min(max(v, low), high) - low) / (high - low) * plotWidth }
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" class="forest" id="\#(escape(id))" width="\#(Int(labelWidth + plotWidth + 20))" height="\#(Int(height))" role="img">"#
        let axisY = top + rowHeight * Double(rows.count) + 4
        svg += #"<line class="axis" x1="\#(coordinate(labelWidth))" y1="\#(coordinate(axisY))" x2="\#(coordinate(labelWidth + plotWidth))" y2="\#(coordinate(axisY))"/>"#
        for t in ticks(low, high) {
            svg += #"<line class="tick" x1="\#(coordinate(x(t)))" y1="\#(coordinate(top))" x2="\#(coordinate(x(t)))" y2="\#(coordinate(axisY + 4))"/>"#
            svg += #"<text class="tick-label" x="\#(coordinate(x(t)))" y="\#(coordinate(axisY + 18))" text-anchor="middle">\#(number(t, 3))</text>"#
        }
        if let reference, reference.isFinite {
            svg += #"<line class="reference" x1="\#(coordinate(x(reference)))" y1="\#(coordinate(top))" x2="\#(coordinate(x(reference)))" y2="\#(coordinate(axisY))" data-value="\#(exact(reference))"/>"#
        }
        for (k, r) in rows.enumerated() {
            let y = top + rowHeight * (Double(k) + 0.5)
            svg += #"<g class="row" data-label="\#(escape(r.label))" data-value="\#(exact(r.value))" data-ci-low="\#(exact(r.low))" data-ci-high="\#(exact(r.high))">"#
            svg += "<title>\(escape(r.label)): \(number(r.value)) [\(number(r.low)), \(number(r.high))]</title>"
            svg += #"<text class="label" x="\#(coordinate(labelWidth - 8))" y="\#(coordinate(y + 4))" text-anchor="end">\#(escape(r.label))</text>"#
            if r.low.isFinite, r.high.isFinite {
                svg += #"<line class="ci" x1="\#(coordinate(x(r.low)))" y1="\#(coordinate(y))" x2="\#(coordinate(x(r.high)))" y2="\#(coordinate(y))"/>"#
            }
            if r.value.isFinite {
                svg += #"<circle class="point" cx="\#(coordinate(x(r.value)))" cy="\#(coordinate(y))" r="4"/>"#
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// A histogram: one bar per bin, heights proportional to the counts.
    static func histogram(_ histogram: WeightHistogram, id: String) -> String {
        let left = 50.0, plotWidth = 560.0, plotHeight = 160.0, top = 10.0
        let bins = histogram.counts.count
        let tallest = Double(histogram.counts.max() ?? 0)
        let barWidth = plotWidth / Double(max(bins, 1))
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" class="histogram" id="\#(escape(id))" width="\#(Int(left + plotWidth + 20))" height="\#(Int(top + plotHeight + 40))" role="img">"#
        let base = top + plotHeight
        svg += #"<line class="axis" x1="\#(coordinate(left))" y1="\#(coordinate(base))" x2="\#(coordinate(left + plotWidth))" y2="\#(coordinate(base))"/>"#
        for (k, count) in histogram.counts.enumerated() {
            let h = tallest > 0 ? Double(count) / tallest * plotHeight : 0
            let lo = histogram.edges[k], hi = histogram.edges[k + 1]
            svg += #"<rect class="bar" x="\#(coordinate(left + Double(k) * barWidth + 1))" y="\#(coordinate(base - h))" width="\#(coordinate(max(barWidth - 2, 1)))" height="\#(coordinate(h))" data-count="\#(count)" data-low="\#(exact(lo))" data-high="\#(exact(hi))">"#
            svg += "<title>[\(number(lo, 3)), \(number(hi, 3))\(k == bins - 1 ? "]" : ")"): \(count) rounds</title></rect>"
        }
        let labelled = Swift.stride(from: 0, through: bins, by: max(bins / 5, 1))
        for k in labelled {
            svg += #"<text class="tick-label" x="\#(coordinate(left + Double(k) * barWidth))" y="\#(coordinate(base + 16))" text-anchor="middle">\#(number(histogram.edges[k], 2))</text>"#
        }
        svg += #"<text class="tick-label" x="\#(coordinate(left - 6))" y="\#(coordinate(top + 10))" text-anchor="end">\#(Int(tallest))</text>"#
        svg += #"<text class="axis-title" x="\#(coordinate(left + plotWidth / 2))" y="\#(coordinate(base + 34))" text-anchor="middle">importance weight π(a|x) / μ(a|x)</text>"#
        return svg + "</svg>"
    }
}
