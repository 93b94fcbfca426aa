/// A histogram of importance weights `wᵢ = π(aᵢ|xᵢ) / μᵢ`: how far the target departs
/// from the logging policy, round by round.
///
/// Bins are equal-width on `[0, max wᵢ]` (the last bin is closed), so a long right tail shows
/// as a few rounds far from the mass. Rounds with `wᵢ = 0` (the target never takes the
/// logged action) are also counted apart in ``zeroCount``.
public struct WeightHistogram: Sendable, Equatable, Encodable {
    /// Bin edges, `bins + 1` increasing values from 0 to the largest weight.
    public var edges: [Double]
    /// Rounds per bin.
    public var counts: [Int]
    /// Rounds whose weight is exactly 0.
    public var zeroCount: Int
    /// The mean weight (1 in expectation when the target is supported by the logger).
    public var mean: Double

    enum CodingKeys: String, CodingKey {
        case edges, counts, mean
        case zeroCount = "zero_count"
    }

    /// Bins `weights` into `bins` equal-width bins on `[0, max]`.
    /// - Throws: `EvaluationError.invalidParameter` when `bins < 1` or a weight is negative
    ///   or not finite.
    /// - Complexity: O(n + bins).
    public init(weights: [Double], bins: Int = 20) throws(EvaluationError) {
        guard bins >= 1 else { throw .invalidParameter(field: "bins", value: "\(bins)", expected: "at least 1 bin") }
        var top = 0.0, sum = 0.0, zeros = 0
        for w in weights {
            guard w.isFinite, w >= 0 else {
                throw .invalidParameter(field: "weights", value: "\(w)", expected: "finite non-negative importance weights")
            }
            top = max(top, w); sum += w
            if w == 0 { zeros += 1 }
        }
        // All-zero weights still get a unit-wide axis so the page can draw it.
        let width = (top > 0 ? top : 1) / Double(bins)
        edges = (0...bins).map { Double($0) * width }
        counts = [Int](repeating: 0, count: bins)
        for w in weights { counts[min(Int(w / width), bins - 1)] += 1 }
        zeroCount = zeros
        mean = weights.isEmpty ? 0 : sum / Double(weights.count)
    }
}
