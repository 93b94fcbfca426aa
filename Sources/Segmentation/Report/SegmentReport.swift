import Foundation
import Linalg

/// A self-contained HTML page describing a fitted segmentation: summary, a bar chart of
/// segment sizes and value, a 2-D PCA scatter, feature profiles, rules with fidelity,
/// the choice of k and stability. Charts are inline SVG; the page loads nothing from the
/// network and runs no script.
public enum SegmentReport {
    /// Segment colours (colour-blind-safe Okabe–Ito palette, then greys).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#666666"]

    static func colour(_ segment: Int) -> String {
        segment < 0 ? "#bbbbbb" : palette[segment % palette.count]
    }

    /// The report page.
    /// - Parameters:
    ///   - model: the fitted segmentation.
    ///   - raw: the training features in original units (a sample is enough).
    ///   - labels: the segments of `raw`'s rows.
    ///   - title: the page title.
    ///   - maximumPoints: scatter points drawn at most (evenly strided through the rows).
    /// - Throws: ``SegmentationError`` when the projection fails.
    public static func html(
        model: SegmentationModel, raw: Matrix, labels: [Int], title: String = "Customer segments", maximumPoints: Int = 1_500
    ) throws(SegmentationError) -> String {
        let e = model.evaluation
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
        table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
        th{background:#f3f3f3}td.l,th.l{text-align:left}.sw{display:inline-block;width:12px;height:12px;margin-right:4px}
        code{font-size:85%;color:#555}.note,figcaption{color:#555;font-size:90%;max-width:900px}
        </style></head><body>
        <h1>\(escape(title))</h1>

        """
        // Summary, in the reader's terms first.
        var summary: [(String, String)] = [
            ("customers", "\(raw.rows)"), ("segments", "\(model.segmentCount)"),
            ("features per customer", "\(model.featureNames.count)"),
            ("rules agree with the segments for", "\(percent(model.rules.fidelity)) of customers (decision tree of depth \(model.rules.depth))"),
        ]
        if let m = e.stabilityMean, let lo = e.stabilityMinimum {
            summary.append(("stability on resampled customers", "\(fmt(m)) on average, \(fmt(lo)) at worst (1 = the same segments every time)"))
        }
        if e.noise > 0 { summary.append(("customers in no segment (noise)", "\(e.noise)")) }
        page += "<h2>Summary</h2><table>" + summary.map { "<tr><th class=\"l\">\(escape($0.0))</th><td class=\"l\">\(escape($0.1))</td></tr>" }.joined() + "</table>\n"
        // Segments table.
        page += "<h2>Segments</h2><table><tr><th class=\"l\">segment</th><th>customers</th><th>share</th><th>revenue</th><th>yearly spend per customer</th><th class=\"l\">who they are</th><th class=\"l\">rule</th><th>precision</th><th>recall</th></tr>"
        for s in e.segments {
            let rule = s.segment < model.rules.rules.count ? model.rules.rules[s.segment] : nil
            page += "<tr><td class=\"l\"><span class=\"sw\" style=\"background:\(colour(s.segment))\"></span>segment \(s.segment)</td>"
                + "<td>\(s.size)</td><td>\(percent(s.share))</td><td>\(s.revenue.map(fmt) ?? "–")</td><td>\(s.clvProxy.map(fmt) ?? "–")</td>"
                + "<td class=\"l\">\(s.distinguishing.map { escape(phrase($0)) }.joined(separator: "<br>"))</td>"
                + "<td class=\"l\"><code>\(escape(rule?.description ?? "–"))</code></td><td>\(rule.map { percent($0.precision) } ?? "–")</td><td>\(rule.map { percent($0.recall) } ?? "–")</td></tr>"
        }
        page += "</table>\n<p class=\"note\">Revenue is the segment's total purchase value in the data's currency; yearly spend per customer "
            + "is average order value × purchases ÷ days since first seen (at least 30) × 365. “sd” counts standard deviations from the "
            + "average customer. A rule's precision is the share of the customers it matches that are in the segment, its recall the share "
            + "of the segment it matches; rules use the feature names of the profile table below.</p>\n"
        page += "<h2>Sizes and value</h2>\n" + barChart(e.segments) + "\n"
        page += "<h2>Customers on a map</h2>\n" + (try scatter(model: model, raw: raw, labels: labels, maximumPoints: maximumPoints)) + "\n"
        page += "<h2>Feature profiles (segment means)</h2>\n" + profiles(model: model) + "\n"
        if let selection = model.kSelection {
            let rule = selection.gapScores == nil
                ? "the k with the best silhouette (how much closer customers are to their own segment than to the next one)"
                : "the gap statistic: the smallest k after which one more segment does not clearly tighten the groups beyond what "
                    + "structureless data would give (Gap(k) ≥ Gap(k+1) − s(k+1)). Bars show each k's gap with its uncertainty; "
                    + "dots show its silhouette, another view of separation, for comparison"
            page += "<h2>How many segments</h2>\n<p>\(selection.k) segments, chosen by \(escape(rule)).</p>\n" + selectionChart(selection) + "\n"
        }
        var technical: [(String, String, String)] = [
            ("method", model.method.rawValue, "the clustering algorithm"),
            ("clustered in", model.autoencoder.map { "a \($0.embeddingDimension)-dimensional autoencoder embedding" } ?? "the scaled features",
             model.autoencoder == nil ? "every feature centred and scaled as stored in the model" : "a small neural network's compression of the scaled features"),
            ("silhouette (sample)", fmt(e.silhouette), "−1 … 1; higher means customers sit closer to their own segment than to the next"),
            ("Davies–Bouldin", fmt(e.daviesBouldin), "0 and up; lower means tighter, better separated segments"),
            ("fit seconds", fmt(model.fitSeconds), "time to fit"),
        ]
        if let inertia = model.kmeans?.inertia { technical.append(("inertia", fmt(inertia), "sum of squared distances to the segment centres (scaled units)")) }
        if let gmm = model.gmm { technical.append(("log-likelihood / BIC", "\(fmt(gmm.logLikelihood)) / \(fmt(gmm.bic))", "fit of the mixture; lower BIC is better")) }
        if let scores = model.bicScores {
            technical.append(("BIC by k", scores.map { "k=\($0.k): \(fmt($0.bic))" }.joined(separator: ", "), "how k was chosen"))
        }
        page += "<h2>Fit quality (for analysts)</h2><table class=\"technical\">"
            + technical.map { "<tr><th class=\"l\">\(escape($0.0))</th><td>\(escape($0.1))</td><td class=\"l\">\(escape($0.2))</td></tr>" }.joined() + "</table>\n"
        page += "</body></html>\n"
        return page
    }

    // MARK: - Charts

    static func barChart(_ segments: [SegmentEvaluation.Segment]) -> String {
        let width = 640.0, barHeight = 22.0, left = 90.0
        let height = Double(segments.count) * (barHeight + 8) + 46
        let maxSize = Double(segments.map(\.size).max() ?? 1)
        let maxRevenue = segments.compactMap(\.revenue).max() ?? 0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sizes\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"segment sizes\">"
        for (row, s) in segments.enumerated() {
            let y = 10 + Double(row) * (barHeight + 8)
            let w = maxSize > 0 ? (width - left - 160) * Double(s.size) / maxSize : 0
            svg += "<text x=\"0\" y=\"\(fmt(y + 15))\" font-size=\"12\">segment \(s.segment)</text>"
            svg += "<rect x=\"\(Int(left))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(barHeight / 2))\" fill=\"\(colour(s.segment))\"><title>\(s.size) customers</title></rect>"
            if let revenue = s.revenue, maxRevenue > 0 {
                let rw = (width - left - 160) * revenue / maxRevenue
                svg += "<rect x=\"\(Int(left))\" y=\"\(fmt(y + barHeight / 2))\" width=\"\(fmt(rw))\" height=\"\(fmt(barHeight / 2 - 2))\" fill=\"\(colour(s.segment))\" opacity=\"0.45\"><title>revenue \(fmt(revenue))</title></rect>"
            }
            svg += "<text x=\"\(fmt(left + w + 6))\" y=\"\(fmt(y + 11))\" font-size=\"11\">\(s.size) (\(percent(s.share)))\(s.revenue.map { ", revenue " + fmt($0) } ?? "")</text>"
        }
        let legendY = 10 + Double(segments.count) * (barHeight + 8) + 8
        svg += "<g class=\"legend\"><rect x=\"\(Int(left))\" y=\"\(fmt(legendY))\" width=\"14\" height=\"9\" fill=\"#666\"/>"
            + "<text x=\"\(Int(left) + 18)\" y=\"\(fmt(legendY + 9))\" font-size=\"11\">customers</text>"
        if maxRevenue > 0 {
            svg += "<rect x=\"\(Int(left) + 100)\" y=\"\(fmt(legendY))\" width=\"14\" height=\"9\" fill=\"#666\" opacity=\"0.45\"/>"
                + "<text x=\"\(Int(left) + 118)\" y=\"\(fmt(legendY + 9))\" font-size=\"11\">revenue (each bar scaled to its largest segment)</text>"
        }
        return svg + "</g></svg>"
    }

    /// The 2-D picture of the customers and what its axes are.
    struct Projection {
        /// One row per customer shown, two columns.
        var points: Matrix
        /// `"embedding"` when the points come from the autoencoder embedding the segments were
        /// found in, `"features"` for the scaled features.
        var space: String
        var xLabel: String
        var yLabel: String
        /// The sentence under the chart.
        var caption: String
    }

    /// The customers in the space the segments were found in: the scaled features, or the
    /// autoencoder embedding when the model clusters one; projected on their first two
    /// principal components when that space has more than two dimensions.
    /// - Throws: ``SegmentationError`` when the transform or the projection fails.
    static func projection(model: SegmentationModel, scaled z: Matrix) throws(SegmentationError) -> Projection {
        guard let autoencoder = model.autoencoder else {
            let pca = try PCAProjection(fitting: z, count: 2)
            return Projection(
                points: try pca.project(z), space: "features", xLabel: "principal component 1", yLabel: "principal component 2",
                caption: "Each dot is a customer, coloured by segment, placed by the first two principal components of the "
                    + "\(z.columns) scaled features (the space the segments were found in); together they show "
                    + "\(percent(pca.explainedShare)) of the differences between customers, so segments that overlap here may still be apart in the others.")
        }
        let embedding = try autoencoder.encode(z)
        let width = embedding.columns
        if width > 2 {
            let pca = try PCAProjection(fitting: embedding, count: 2)
            return Projection(
                points: try pca.project(embedding), space: "embedding", xLabel: "embedding component 1", yLabel: "embedding component 2",
                caption: "Each dot is a customer, coloured by segment, placed by the first two principal components of the "
                    + "autoencoder's \(width)-dimensional embedding, the space the segments were found in "
                    + "(they show \(percent(pca.explainedShare)) of its variance).")
        }
        var points = Matrix(rows: embedding.rows, columns: 2)
        for i in 0..<embedding.rows {
            points.elements[2 * i] = embedding.elements[i * width]
            // A one-dimensional embedding is drawn as a strip with a small deterministic spread.
            points.elements[2 * i + 1] = width == 2 ? embedding.elements[i * width + 1] : Double((i * 7_919) % 101) / 100
        }
        return Projection(
            points: points, space: "embedding", xLabel: "embedding dimension 1", yLabel: width == 2 ? "embedding dimension 2" : "(spread for legibility)",
            caption: "Each dot is a customer, coloured by segment, placed by the autoencoder's \(width)-dimensional embedding, "
                + "the space the segments were found in (drawn as is, no projection).")
    }

    static func scatter(model: SegmentationModel, raw: Matrix, labels: [Int], maximumPoints: Int) throws(SegmentationError) -> String {
        let width = 560.0, height = 440.0, left = 46.0, right = 130.0, top = 12.0, bottom = 40.0
        guard raw.rows >= 2, raw.columns >= 2 else { return "<p>Too few customers or features for a projection.</p>" }
        let stride = max(1, raw.rows / max(1, maximumPoints))
        let picked = Array(Swift.stride(from: 0, to: raw.rows, by: stride))
        var sample = Matrix(rows: picked.count, columns: raw.columns)
        for (r, i) in picked.enumerated() {
            for j in 0..<raw.columns { sample.elements[r * raw.columns + j] = raw.elements[i * raw.columns + j] }
        }
        let view = try projection(model: model, scaled: try model.scaler.transform(sample))
        let p = view.points
        let xs = (0..<p.rows).map { p[$0, 0] }, ys = (0..<p.rows).map { p[$0, 1] }
        let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let sx = plotWidth / max(x1 - x0, 1e-12), sy = plotHeight / max(y1 - y0, 1e-12)
        var svg = "<figure class=\"map\"><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scatter\" data-space=\"\(view.space)\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"customers by segment, \(escape(view.xLabel)) against \(escape(view.yLabel))\">"
        svg += "<rect class=\"plot\" x=\"\(Int(left))\" y=\"\(Int(top))\" width=\"\(Int(plotWidth))\" height=\"\(Int(plotHeight))\" fill=\"none\" stroke=\"#ccc\"/>"
        for (r, i) in picked.enumerated() {
            let cx = left + (xs[r] - x0) * sx, cy = top + plotHeight - (ys[r] - y0) * sy
            svg += "<circle cx=\"\(fmt(cx))\" cy=\"\(fmt(cy))\" r=\"2.5\" fill=\"\(colour(labels[i]))\" fill-opacity=\"0.7\"/>"
        }
        svg += "<text class=\"axis\" x=\"\(fmt(left + plotWidth / 2))\" y=\"\(Int(height - 12))\" font-size=\"12\" text-anchor=\"middle\">\(escape(view.xLabel)) →</text>"
        svg += "<text class=\"axis\" x=\"14\" y=\"\(fmt(top + plotHeight / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(fmt(top + plotHeight / 2)))\">\(escape(view.yLabel)) →</text>"
        // Legend: one swatch per segment drawn, with its share of the customers shown.
        let shown = Dictionary(grouping: picked.map { labels[$0] }, by: { $0 }).mapValues(\.count)
        for (row, segment) in shown.keys.sorted().enumerated() {
            let y = top + 8 + Double(row) * 18
            let name = segment < 0 ? "noise" : "segment \(segment)"
            svg += "<g class=\"legend\"><rect x=\"\(fmt(width - right + 12))\" y=\"\(fmt(y))\" width=\"10\" height=\"10\" fill=\"\(colour(segment))\"/>"
            svg += "<text x=\"\(fmt(width - right + 28))\" y=\"\(fmt(y + 9))\" font-size=\"11\">\(name) (\(shown[segment] ?? 0))</text></g>"
        }
        svg += "</svg><figcaption>\(escape(view.caption)) \(picked.count) of \(raw.rows) customers shown.</figcaption></figure>"
        return svg
    }

    /// Whether a feature is a share or rate in [0, 1], shown as a percentage.
    static func isShare(_ name: String) -> Bool {
        name.hasPrefix("category_share.") || name.hasPrefix("channel_share.") || name.hasPrefix("search_bucket.")
            || ["discount_rate", "email_open_rate", "email_click_rate", "in_store_share", "unsubscribed"].contains(name)
    }

    static func profiles(model: SegmentationModel) -> String {
        let e = model.evaluation
        func row(_ j: Int, _ name: String) -> String {
            var html = "<tr><td class=\"l\">\(escape(label(name)))<br><code>\(escape(name))</code></td>"
            for s in e.segments {
                let v = j < s.featureMeans.count ? s.featureMeans[j] : 0
                let z = (v - model.scaler.center[j]) / model.scaler.scale[j]
                let alpha = min(0.6, abs(z) / 3)
                let tint = z > 0 ? "0,114,178" : "213,94,0"
                html += "<td style=\"background:rgba(\(tint),\(fmt(alpha)))\">\(isShare(name) ? percent(v) : fmt(v))</td>"
            }
            return html + "</tr>"
        }
        let header = "<tr><th class=\"l\">feature</th>" + e.segments.map { "<th>segment \($0.segment)</th>" }.joined() + "</tr>"
        var html = "<table class=\"profiles\">" + header
        let times = e.segments.map { typicalTimes(model: model, means: $0.featureMeans) }
        if times.allSatisfy({ $0 != nil }) {
            html += "<tr><td class=\"l\">typical time of day</td>" + times.map { "<td>\(escape($0?.hour ?? ""))</td>" }.joined() + "</tr>"
            html += "<tr><td class=\"l\">typical day of week</td>" + times.map { "<td>\(escape($0?.day ?? ""))</td>" }.joined() + "</tr>"
        }
        var searchRows = ""
        for (j, name) in model.featureNames.enumerated() {
            if name.hasPrefix("search_bucket.") { searchRows += row(j, name) } else { html += row(j, name) }
        }
        html += "</table>"
        if !searchRows.isEmpty {
            html += "<details><summary>Search terms, hashed into groups (a customer's searches are split over the groups by a fixed hash of each word)</summary>"
                + "<table class=\"profiles search\">" + header + searchRows + "</table></details>"
        }
        return html + "<p class=\"note\">Segment averages in the features' own units. Cells are tinted by how far the average is from the average customer "
            + "(blue above, orange below; the stronger the tint, the further).</p>"
    }

    static func selectionChart(_ selection: KMeans.Selection) -> String {
        let gaps = selection.gapScores.map { Dictionary($0.map { ($0.k, $0) }, uniquingKeysWith: { a, _ in a }) }
        let width = 440.0, left = 40.0, top = 10.0, height = 160.0
        let barWidth = (width - left) / Double(max(1, selection.scores.count))
        // Bars: the gap (when it chose k) or the silhouette, on a scale from 0 to the largest value.
        let barValues = selection.scores.map { s in gaps?[s.k].map { $0.gap + $0.standardError } ?? s.silhouette }
        let top1 = max(1e-12, barValues.max() ?? 1, gaps == nil ? 0 : 1)
        let y = { (v: Double) in top + height - max(0, v) / top1 * height }
        let what = gaps == nil ? "silhouette" : "gap statistic (bars, with ± one standard error) and silhouette (dots)"
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ksel\" width=\"\(Int(width))\" height=\"\(Int(top + height + 36))\" role=\"img\" aria-label=\"\(what) by number of segments\">"
        for (i, s) in selection.scores.enumerated() {
            let x = left + Double(i) * barWidth
            let value = gaps?[s.k]?.gap ?? s.silhouette
            let tip = "k = \(s.k): silhouette \(fmt(s.silhouette))" + (gaps?[s.k].map { ", gap \(fmt($0.gap)) ± \(fmt($0.standardError))" } ?? "")
            svg += "<rect x=\"\(fmt(x + 4))\" y=\"\(fmt(y(value)))\" width=\"\(fmt(barWidth - 8))\" height=\"\(fmt(top + height - y(value)))\" "
                + "fill=\"\(s.k == selection.k ? "#0072B2" : "#999999")\"><title>\(tip)</title></rect>"
            if let g = gaps?[s.k] {
                let cx = x + barWidth / 2
                svg += "<line x1=\"\(fmt(cx))\" x2=\"\(fmt(cx))\" y1=\"\(fmt(y(g.gap - g.standardError)))\" y2=\"\(fmt(y(g.gap + g.standardError)))\" stroke=\"#222\"/>"
                svg += "<circle cx=\"\(fmt(cx))\" cy=\"\(fmt(y(s.silhouette)))\" r=\"3.5\" fill=\"#E69F00\"><title>silhouette \(fmt(s.silhouette))</title></circle>"
            }
            svg += "<text x=\"\(fmt(x + barWidth / 2))\" y=\"\(fmt(top + height + 14))\" font-size=\"11\" text-anchor=\"middle\">\(s.k)</text>"
        }
        svg += "<text x=\"\(fmt(left + (width - left) / 2))\" y=\"\(fmt(top + height + 30))\" font-size=\"11\" text-anchor=\"middle\">number of segments k (chosen: \(selection.k))</text>"
        svg += "<text x=\"12\" y=\"\(fmt(top + height / 2))\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(fmt(top + height / 2)))\">\(gaps == nil ? "silhouette" : "gap / silhouette")</text>"
        return svg + "</svg>"
    }

    // MARK: - Formatting

    static func fmt(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        if v == v.rounded(), abs(v) < 1e9 { return String(Int(v)) }
        return String(format: abs(v) >= 100 ? "%.1f" : "%.3g", v)
    }

    static func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }

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
