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
        </style></head><body>
        <h1>\(escape(title))</h1>

        """
        // Summary.
        var summary: [(String, String)] = [
            ("method", model.method.rawValue), ("segments", "\(model.segmentCount)"),
            ("customers", "\(raw.rows)"), ("features", "\(model.featureNames.count)"),
            ("silhouette (sample)", fmt(e.silhouette)), ("Davies–Bouldin", fmt(e.daviesBouldin)),
            ("rule fidelity (tree depth \(model.rules.depth))", percent(model.rules.fidelity)),
            ("fit seconds", fmt(model.fitSeconds)),
        ]
        if let inertia = model.kmeans?.inertia { summary.append(("inertia", fmt(inertia))) }
        if let gmm = model.gmm { summary.append(("log-likelihood / BIC", "\(fmt(gmm.logLikelihood)) / \(fmt(gmm.bic))")) }
        if let scores = model.bicScores {
            summary.append(("BIC by k", scores.map { "k=\($0.k): \(fmt($0.bic))" }.joined(separator: ", ")))
        }
        if let m = e.stabilityMean, let lo = e.stabilityMinimum { summary.append(("bootstrap ARI stability (mean / min)", "\(fmt(m)) / \(fmt(lo))")) }
        if e.noise > 0 { summary.append(("noise customers", "\(e.noise)")) }
        page += "<h2>Summary</h2><table>" + summary.map { "<tr><th class=\"l\">\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined() + "</table>\n"
        // Segments table.
        page += "<h2>Segments</h2><table><tr><th class=\"l\">segment</th><th>customers</th><th>share</th><th>revenue</th><th>CLV proxy</th><th class=\"l\">stands out by</th><th class=\"l\">rule</th><th>precision</th><th>recall</th></tr>"
        for s in e.segments {
            let rule = s.segment < model.rules.rules.count ? model.rules.rules[s.segment] : nil
            page += "<tr><td class=\"l\"><span class=\"sw\" style=\"background:\(colour(s.segment))\"></span>\(s.segment)</td>"
                + "<td>\(s.size)</td><td>\(percent(s.share))</td><td>\(s.revenue.map(fmt) ?? "–")</td><td>\(s.clvProxy.map(fmt) ?? "–")</td>"
                + "<td class=\"l\">\(escape(s.distinguishing.map(\.description).joined(separator: ", ")))</td>"
                + "<td class=\"l\">\(escape(rule?.description ?? "–"))</td><td>\(rule.map { percent($0.precision) } ?? "–")</td><td>\(rule.map { percent($0.recall) } ?? "–")</td></tr>"
        }
        page += "</table>\n"
        page += "<h2>Sizes and value</h2>\n" + barChart(e.segments) + "\n"
        page += "<h2>Customers on a map</h2>\n" + (try scatter(model: model, raw: raw, labels: labels, maximumPoints: maximumPoints)) + "\n"
        page += "<h2>Feature profiles (segment means)</h2>\n" + profiles(model: model) + "\n"
        if let selection = model.kSelection {
            let rule = selection.gapScores == nil
                ? "the best silhouette"
                : "the gap statistic (smallest k with Gap(k) ≥ Gap(k+1) − s(k+1)); bars show each k's silhouette for comparison"
            page += "<h2>Choice of k</h2>\n<p>Chosen by \(rule).</p>\n" + selectionChart(selection) + "\n"
        }
        page += "</body></html>\n"
        return page
    }

    // MARK: - Charts

    static func barChart(_ segments: [SegmentEvaluation.Segment]) -> String {
        let width = 640.0, barHeight = 22.0, left = 90.0
        let height = Double(segments.count) * (barHeight + 8) + 30
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
        return svg + "</svg>"
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

    static func profiles(model: SegmentationModel) -> String {
        let e = model.evaluation
        var html = "<table class=\"profiles\"><tr><th class=\"l\">feature</th>" + e.segments.map { "<th>\($0.segment)</th>" }.joined() + "</tr>"
        for (j, name) in model.featureNames.enumerated() {
            html += "<tr><td class=\"l\">\(escape(name))</td>"
            for s in e.segments {
                let v = j < s.featureMeans.count ? s.featureMeans[j] : 0
                let z = (v - model.scaler.center[j]) / model.scaler.scale[j]
                let alpha = min(0.6, abs(z) / 3)
                let tint = z > 0 ? "0,114,178" : "213,94,0"
                html += "<td style=\"background:rgba(\(tint),\(fmt(alpha)))\">\(fmt(v))</td>"
            }
            html += "</tr>"
        }
        return html + "</table><p>Cells are tinted by the distance of the segment mean from the fitted centre in scaled units (blue above, orange below).</p>"
    }

    static func selectionChart(_ selection: KMeans.Selection) -> String {
        func gap(_ k: Int) -> String {
            guard let g = selection.gapScores?.first(where: { $0.k == k }) else { return "" }
            return ", gap \(fmt(g.gap)) ± \(fmt(g.standardError))"
        }
        let width = 400.0, height = 160.0, barWidth = width / Double(max(1, selection.scores.count))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ksel\" width=\"\(Int(width))\" height=\"\(Int(height + 20))\" role=\"img\" aria-label=\"silhouette by k\">"
        for (i, s) in selection.scores.enumerated() {
            let h = max(0, s.silhouette) * height
            svg += "<rect x=\"\(fmt(Double(i) * barWidth + 4))\" y=\"\(fmt(height - h))\" width=\"\(fmt(barWidth - 8))\" height=\"\(fmt(h))\" fill=\"\(s.k == selection.k ? "#0072B2" : "#999999")\"><title>k = \(s.k): silhouette \(fmt(s.silhouette))\(gap(s.k))</title></rect>"
            svg += "<text x=\"\(fmt(Double(i) * barWidth + barWidth / 2 - 4))\" y=\"\(fmt(height + 14))\" font-size=\"11\">\(s.k)</text>"
        }
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
