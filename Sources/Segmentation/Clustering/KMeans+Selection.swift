import AttuneCore
import Linalg

// MARK: - Choosing k

extension KMeans {
    /// How k was chosen: the gap statistic of each candidate (the rule) and, for comparison,
    /// its mean silhouette on a sample.
    public struct Selection: Sendable, Hashable, Codable {
        /// The chosen number of clusters.
        public var k: Int
        /// `(k, mean silhouette on the sample)` for every candidate, in increasing k.
        public var scores: [Score]
        /// The gap statistic of every candidate, in increasing k (absent in models written
        /// before k was chosen by the gap statistic).
        public var gapScores: [GapScore]?
        /// The k the silhouette alone would have chosen.
        public var silhouetteK: Int?

        /// One candidate's score.
        public struct Score: Sendable, Hashable, Codable {
            /// The candidate number of clusters.
            public var k: Int
            /// Its mean silhouette coefficient on the sample, in [−1, 1].
            public var silhouette: Double
        }
    }

    /// Chooses k by the gap statistic (``gapStatistic(_:candidates:configuration:references:sampleSize:using:)``)
    /// and reports each candidate's mean silhouette on a random sample beside it.
    ///
    /// The gap statistic rather than the silhouette as the rule: the silhouette compares each
    /// point's own cluster with the nearest other one only, so when two groups sit close to
    /// each other and a third far away it scores the merged pair (k = 2) above the true
    /// split, whatever the within-group spread. The gap compares the drop of the
    /// within-cluster dispersion at every k with the drop expected from structureless data of
    /// the same extent and shape, so a split that is real at any scale is kept, and its
    /// one-standard-error rule still prefers the smaller k when the larger one is not clearly
    /// better. It also needs no judgement call on where an elbow bends. Each candidate's
    /// silhouette model is fitted on all rows with `configuration` (its k replaced) from the
    /// child stream `k` of the generator; all candidates are scored on the same sample.
    /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` for an empty
    ///   or sub-2 candidate range, and what ``fit(_:using:)`` throws.
    /// - Complexity: Σ over candidates of the fit cost, plus the gap statistic's
    ///   `(B + 1) · |candidates|` fits on at most `sampleSize` rows, plus O(|candidates| s² d).
    ///
    /// ## References
    /// Tibshirani, Walther & Hastie, J. R. Stat. Soc. B 63(2), 2001 (gap statistic);
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
        var gapGenerator = base.child(1)
        var gapConfiguration = configuration
        gapConfiguration.initializations = min(configuration.initializations, 3)
        let gap = try gapStatistic(
            x, candidates: candidates.lowerBound...upper, configuration: gapConfiguration, sampleSize: sampleSize,
            using: &gapGenerator)
        return Selection(k: gap.k, scores: scores, gapScores: gap.scores, silhouetteK: bestK)
    }
}
