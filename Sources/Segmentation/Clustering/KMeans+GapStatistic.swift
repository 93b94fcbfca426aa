import AttuneCore
import Foundation
import Linalg

// MARK: - Gap statistic

extension KMeans {
    /// One candidate's gap statistic.
    public struct GapScore: Sendable, Hashable, Codable {
        /// The candidate number of clusters.
        public var k: Int
        /// `Gap(k) = mean_b log W*_kb − log W_k`.
        public var gap: Double
        /// `s_k = sd_b(log W*_kb) · √(1 + 1/B)`.
        public var standardError: Double
    }

    /// The gap statistic of every candidate k on (a sample of) the rows of `x`, and the
    /// smallest k whose gap is not beaten by the next one's by more than its standard error.
    ///
    /// `W_k` is the k-means inertia; the references are `references` uniform draws over the
    /// box spanned by the sample in its principal-component frame (the "b" reference of
    /// Tibshirani et al., which follows the data's shape and is rotation-invariant):
    ///
    /// ```
    /// Gap(k) = (1/B) Σ_b log W*_kb − log W_k
    /// k̂ = min { k : Gap(k) ≥ Gap(k+1) − s_{k+1} }   (argmax Gap when no k qualifies)
    /// ```
    ///
    /// Every fit uses `configuration` (its k replaced) from its own child stream of the
    /// generator, so the choice is reproducible.
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` for fewer
    ///   rows than the largest candidate plus one, and what ``fit(_:using:)`` throws.
    /// - Complexity: `(B + 1) · |candidates|` k-means fits on at most `sampleSize` rows, plus
    ///   O(s d² + d³) for the principal frame.
    ///
    /// ## References
    /// Tibshirani, Walther & Hastie, "Estimating the number of clusters in a data set via the
    /// gap statistic", J. R. Stat. Soc. B 63(2), 2001.
    public static func gapStatistic(
        _ x: Matrix, candidates: ClosedRange<Int>, configuration: Configuration, references: Int = 10,
        sampleSize: Int = 2_000, using generator: inout SeededGenerator
    ) throws(SegmentationError) -> (k: Int, scores: [GapScore]) {
        guard references >= 2 else {
            throw .invalidParameter(name: "references", value: "\(references)", expected: "an integer ≥ 2")
        }
        let base = generator.split()
        var sampleGenerator = base.child(0)
        let sample: Matrix
        if x.rows > sampleSize {
            let picked = (try? sampleGenerator.sampleIndices(sampleSize, from: x.rows)) ?? Array(0..<sampleSize)
            var s = Matrix(rows: picked.count, columns: x.columns)
            for (r, i) in picked.enumerated() {
                for j in 0..<x.columns { s.elements[r * x.columns + j] = x.elements[i * x.columns + j] }
            }
            sample = s
        } else {
            sample = x
        }
        let upper = min(candidates.upperBound, sample.rows - 1)
        guard upper >= candidates.lowerBound else {
            throw .insufficientData(needed: candidates.lowerBound + 1, available: sample.rows, what: "rows for the gap statistic")
        }
        // The reference box in the principal frame (a constant column has a zero-width side).
        let frame = try PCAProjection(fitting: sample, count: sample.columns).project(sample)
        var low = [Double](repeating: .infinity, count: frame.columns), high = [Double](repeating: -.infinity, count: frame.columns)
        for i in 0..<frame.rows {
            for j in 0..<frame.columns {
                low[j] = min(low[j], frame.elements[i * frame.columns + j])
                high[j] = max(high[j], frame.elements[i * frame.columns + j])
            }
        }
        func logDispersion(_ data: Matrix, k: Int, stream: UInt64) throws(SegmentationError) -> Double {
            var c = configuration
            c.k = k
            var fitGenerator = base.child(stream)
            let inertia = try KMeans(c).fit(data, using: &fitGenerator).inertia
            // Points stacked on each other give zero inertia; a floor keeps the log finite.
            return log(max(inertia, 1e-12))
        }
        var referenceLogs = [[Double]](repeating: [], count: upper + 1)
        var referenceGenerator = base.child(1)
        var reference = Matrix(rows: frame.rows, columns: frame.columns)
        for b in 0..<references {
            for i in 0..<reference.rows {
                for j in 0..<reference.columns {
                    reference.elements[i * reference.columns + j] = low[j] + (high[j] - low[j]) * referenceGenerator.nextUniform()
                }
            }
            for k in candidates.lowerBound...upper {
                referenceLogs[k].append(try logDispersion(reference, k: k, stream: UInt64(1_000 * (b + 1) + k)))
            }
        }
        var scores: [GapScore] = []
        for k in candidates.lowerBound...upper {
            let logs = referenceLogs[k]
            let mean = logs.reduce(0, +) / Double(logs.count)
            let variance = logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count)
            let gap = mean - (try logDispersion(sample, k: k, stream: UInt64(2 + k)))
            scores.append(.init(k: k, gap: gap, standardError: variance.squareRoot() * (1 + 1 / Double(logs.count)).squareRoot()))
        }
        var chosen = scores.max { $0.gap < $1.gap }?.k ?? candidates.lowerBound
        for (a, b) in zip(scores, scores.dropFirst()) where a.gap >= b.gap - b.standardError {
            chosen = a.k
            break
        }
        return (chosen, scores)
    }
}
