import AttuneCore
import Linalg

// MARK: - Choosing k

extension KMeans {
    /// The silhouette score of each candidate k and the k that maximises it.
    public struct Selection: Sendable, Hashable, Codable {
        /// The chosen number of clusters.
        public var k: Int
        /// `(k, mean silhouette on the sample)` for every candidate, in increasing k.
        public var scores: [Score]

        /// One candidate's score.
        public struct Score: Sendable, Hashable, Codable {
            /// The candidate number of clusters.
            public var k: Int
            /// Its mean silhouette coefficient on the sample, in [−1, 1].
            public var silhouette: Double
        }
    }

    /// Chooses k by the mean silhouette on a random sample of rows.
    ///
    /// Silhouette rather than the elbow: it needs no judgement call on where the curve
    /// bends, it penalises both over-splitting (low b − a) and under-splitting (high a),
    /// and on a sample of s rows it costs O(s² d) whatever n is. Each candidate is fitted
    /// on all rows with `configuration` (its k replaced) from the child stream `k` of the
    /// generator; all candidates are scored on the same sample. Ties go to the smaller k.
    /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` for an empty
    ///   or sub-2 candidate range, and what ``fit(_:using:)`` throws.
    /// - Complexity: Σ over candidates of the fit cost, plus O(|candidates| s² d).
    ///
    /// ## References
    /// Rousseeuw, "Silhouettes", J. Comput. Appl. Math. 20, 1987.
    public static func selectK(
        _ x: Matrix, candidates: ClosedRange<Int>, configuration: Configuration, sampleSize: Int = 2_000,
        using generator: inout SeededGenerator
    ) throws(SegmentationError) -> Selection {
        guard candidates.lowerBound >= 2 else {
            throw .invalidParameter(name: "k candidates", value: "\(candidates)", expected: "a range starting at 2 or more")
        }
        let upper = min(candidates.upperBound, max(2, x.rows - 1))
        guard upper >= candidates.lowerBound else {
            throw .insufficientData(needed: candidates.lowerBound + 1, available: x.rows, what: "rows for choosing k")
        }
        let base = generator.split()
        var scores: [Selection.Score] = []
        var bestK = candidates.lowerBound
        var bestScore = -Double.infinity
        for k in candidates.lowerBound...upper {
            var c = configuration
            c.k = k
            var fitGenerator = base.child(UInt64(k))
            let model = try KMeans(c).fit(x, using: &fitGenerator)
            let labels = try model.assign(x)
            var sampleGenerator = base.child(0)
            let score = try ClusterMetrics.silhouette(x, labels: labels, sampleSize: sampleSize, using: &sampleGenerator)
            scores.append(.init(k: k, silhouette: score))
            if score > bestScore {
                bestScore = score
                bestK = k
            }
        }
        return Selection(k: bestK, scores: scores)
    }
}
