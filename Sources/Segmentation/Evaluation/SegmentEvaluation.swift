import AttuneCore
import Linalg

/// How good a segmentation is, in the terms a marketer and a statistician both need: size
/// and value of each segment, separation, and stability under resampling.
public struct SegmentEvaluation: Sendable, Hashable, Codable {
    /// One segment's size, value and profile.
    public struct Segment: Sendable, Hashable, Codable {
        /// The segment's index.
        public var segment: Int
        /// Customers in it.
        public var size: Int
        /// Its share of all customers, in [0, 1].
        public var share: Double
        /// Total purchase value of its customers (when the features have `monetary`).
        public var revenue: Double?
        /// Mean annualised spend per customer, a CLV proxy (when the features have `aov`,
        /// `frequency` and `tenure_days`):
        /// ```
        /// clv_proxy = aov · frequency / max(tenure_days, 30) · 365
        /// ```
        public var clvProxy: Double?
        /// Mean of every feature over its customers, in the original units.
        public var featureMeans: [Double]
        /// The features that set it apart most: `(name, z)` with z the difference of the
        /// segment mean from the overall mean in units of the overall standard deviation,
        /// largest |z| first (at most 4).
        public var distinguishing: [Distinction]
    }

    /// A feature on which a segment stands out.
    public struct Distinction: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The feature's name.
        public var feature: String
        /// (segment mean − overall mean) / overall standard deviation.
        public var z: Double
        /// `high aov (+1.8σ)`.
        public var description: String {
            "\(z > 0 ? "high" : "low") \(feature) (\(z > 0 ? "+" : "−")\(FeatureBound.format((abs(z) * 10).rounded() / 10))σ)"
        }
    }

    /// Per segment, in index order.
    public var segments: [Segment]
    /// Rows labelled noise (−1) by density methods.
    public var noise: Int
    /// Mean silhouette on a sample of the fitted (scaled) features, in [−1, 1]; higher is better.
    public var silhouette: Double
    /// Davies–Bouldin index of the fitted features; lower is better.
    public var daviesBouldin: Double
    /// Adjusted Rand index between the model's labels and those of models refitted on
    /// bootstrap resamples (mean and minimum over the runs; 1 = perfectly stable), `nil`
    /// when no bootstrap was requested.
    public var stabilityMean: Double?
    /// The minimum bootstrap ARI.
    public var stabilityMinimum: Double?

    /// Sizes, value and profiles of the segments of `labels`.
    ///
    /// - Parameters:
    ///   - raw: the features in original units (for means and value).
    ///   - scaled: the features the model was fitted on (for separation).
    ///   - names: the feature names of the columns.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``.
    /// - Complexity: O(n d + s² d) for a silhouette sample of s rows.
    public static func evaluate(
        raw: Matrix, scaled: Matrix, labels: [Int], segmentCount: Int, names: [String],
        silhouetteSample: Int = 2_000, using generator: inout SeededGenerator
    ) throws(SegmentationError) -> SegmentEvaluation {
        guard labels.count == raw.rows, scaled.rows == raw.rows else {
            throw .dimensionMismatch(expected: raw.rows, actual: labels.count, what: "evaluation labels")
        }
        guard names.count == raw.columns else { throw .dimensionMismatch(expected: raw.columns, actual: names.count, what: "feature names") }
        let n = raw.rows, d = raw.columns
        var overallMean = [Double](repeating: 0, count: d)
        var overallSquares = [Double](repeating: 0, count: d)
        var sums = [Double](repeating: 0, count: segmentCount * d)
        var sizes = [Int](repeating: 0, count: segmentCount)
        var noise = 0
        for i in 0..<n {
            let l = labels[i]
            for j in 0..<d {
                let v = raw.elements[i * d + j]
                overallMean[j] += v
                overallSquares[j] += v * v
            }
            guard (0..<segmentCount).contains(l) else {
                noise += 1
                continue
            }
            sizes[l] += 1
            for j in 0..<d { sums[l * d + j] += raw.elements[i * d + j] }
        }
        let sd = (0..<d).map { j -> Double in
            let m = overallMean[j] / Double(max(1, n))
            return max(0, overallSquares[j] / Double(max(1, n)) - m * m).squareRoot()
        }
        for j in 0..<d { overallMean[j] /= Double(max(1, n)) }
        let column = { (name: String) in names.firstIndex(of: name) }
        let segments = (0..<segmentCount).map { s -> Segment in
            let size = sizes[s]
            let means = (0..<d).map { size > 0 ? sums[s * d + $0] / Double(size) : 0 }
            let distinguishing = (0..<d).filter { sd[$0] > 0 && size > 0 }
                .map { Distinction(feature: names[$0], z: (means[$0] - overallMean[$0]) / sd[$0]) }
                .sorted { abs($0.z) > abs($1.z) }.prefix(4)
            var revenue: Double?
            var clv: Double?
            if let m = column("monetary") { revenue = sums[s * d + m] }
            if let a = column("aov"), let f = column("frequency"), let t = column("tenure_days"), size > 0 {
                var total = 0.0
                for i in 0..<n where labels[i] == s {
                    let row = i * d
                    total += raw.elements[row + a] * raw.elements[row + f] / max(raw.elements[row + t], 30) * 365
                }
                clv = total / Double(size)
            }
            return Segment(
                segment: s, size: size, share: n > 0 ? Double(size) / Double(n) : 0, revenue: revenue, clvProxy: clv,
                featureMeans: means, distinguishing: Array(distinguishing))
        }
        let silhouette = try ClusterMetrics.silhouette(scaled, labels: labels, sampleSize: silhouetteSample, using: &generator)
        let db = try ClusterMetrics.daviesBouldin(scaled, labels: labels)
        return SegmentEvaluation(
            segments: segments, noise: noise, silhouette: silhouette, daviesBouldin: db, stabilityMean: nil, stabilityMinimum: nil)
    }

    /// Bootstrap stability: refits `fit` on `runs` resamples (with replacement, at most
    /// `maximumSample` rows each) and compares each refit's labels of all rows with `labels`
    /// by the adjusted Rand index.
    /// - Returns: the mean and minimum ARI.
    /// - Throws: what `fit` throws.
    /// - Complexity: `runs` fits plus O(runs · n) for the comparisons.
    ///
    /// ## References
    /// Hennig, "Cluster-wise assessment of cluster stability", CSDA 52, 2007.
    public static func bootstrapStability(
        _ x: Matrix, labels: [Int], runs: Int, maximumSample: Int = 20_000, using generator: inout SeededGenerator,
        fit: (Matrix, inout SeededGenerator) throws(SegmentationError) -> [Int]
    ) throws(SegmentationError) -> (mean: Double, minimum: Double) {
        guard runs > 0, x.rows > 1 else { return (1, 1) }
        let m = min(x.rows, maximumSample), d = x.columns
        var scores: [Double] = []
        for r in 0..<runs {
            var rng = generator.child(UInt64(r))
            var sample = Matrix(rows: m, columns: d)
            for i in 0..<m {
                let source = (try? rng.nextInt(below: x.rows)) ?? 0
                for j in 0..<d { sample.elements[i * d + j] = x.elements[source * d + j] }
            }
            // Each refit labels every row by its own model: a different labelling function.
            let refit = try fit(sample, &rng)
            scores.append(try ClusterMetrics.adjustedRandIndex(labels, refit))
        }
        return (scores.reduce(0, +) / Double(runs), scores.min() ?? 1)
    }
}
