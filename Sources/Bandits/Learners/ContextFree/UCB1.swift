import AttuneCore
import Foundation

/// UCB1: a context-free optimistic learner, one independent set of arm statistics per segment.
///
/// For segment `s` with `t` observations in total and `n_a` (weighted) observations of action
/// `a` with mean reward `r̄_a`:
/// ```
/// estimate_a = r̄_a,   bonus_a = α √(2 ln t / n_a)
/// ```
/// An action never tried in the segment gets estimate 0 and bonus ``untriedBonus``, so every
/// action is tried once before any is repeated (ties split evenly by the explorer).
/// Pair it with ``OptimisticArgmax``. The context vector is validated for its declared
/// dimension and otherwise ignored.
///
/// ## References
/// Auer, Cesa-Bianchi & Fischer, "Finite-time analysis of the multiarmed bandit problem",
/// Machine Learning 47 (2002).
public struct UCB1: Scorer {
    /// `"ucb1"`.
    public static let kind = "ucb1"

    /// The bonus of an action with no observation: large enough to dominate every estimate,
    /// finite so that explorers stay well defined.
    public static let untriedBonus = 1e100

    /// Hyper-parameters of UCB1.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Width α ≥ 0 of the confidence bonus (1 is Auer et al.'s).
        public var alpha: Double
        /// Number of segments with their own statistics (1 when segments are not used).
        public var segmentCount: Int
        /// Discount γ ∈ (0, 1] applied to a segment's statistics at each of its updates
        /// (discounted UCB; 1 = plain UCB1, 0.99 ≈ a memory of 100 rounds).
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming `alpha`, `segment_count` or `forgetting`.
        public init(alpha: Double = 1, segmentCount: Int = 1, forgetting: Double = 1) throws(BanditsError) {
            guard alpha.isFinite, alpha >= 0 else {
                throw .invalidParameter(field: "alpha", value: "\(alpha)", expected: "a finite number >= 0")
            }
            guard segmentCount >= 1 else {
                throw .invalidParameter(field: "segment_count", value: "\(segmentCount)", expected: "an integer >= 1")
            }
            guard forgetting.isFinite, forgetting > 0, forgetting <= 1 else {
                throw .invalidParameter(field: "forgetting", value: "\(forgetting)", expected: "a number in (0, 1]")
            }
            self.alpha = alpha
            self.segmentCount = segmentCount
            self.forgetting = forgetting
        }

        enum CodingKeys: String, CodingKey {
            case alpha
            case segmentCount = "segment_count"
            case forgetting
        }

        /// Decodes a configuration; `forgetting` may be absent (1).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(alpha: c.decode(Double.self, forKey: .alpha), segmentCount: c.decode(Int.self, forKey: .segmentCount),
                          forgetting: c.decodeIfPresent(Double.self, forKey: .forgetting) ?? 1)
        }

        /// Encodes the configuration; `forgetting` only when < 1, so fingerprints of plain
        /// UCB1 configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(segmentCount, forKey: .segmentCount)
            if forgetting < 1 { try c.encode(forgetting, forKey: .forgetting) }
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public let actionCount: Int
    /// Length of the context vectors read.
    public let contextDimension: Int
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { 0 }

    /// Weighted observation count per (segment, action), row-major `segment * actionCount + action`.
    public internal(set) var counts: [Double]
    /// Weighted reward sum per (segment, action).
    public internal(set) var rewardSums: [Double]
    /// Weighted observation count per segment.
    public internal(set) var segmentTotals: [Double]

    /// Creates an untrained learner.
    /// - Parameters:
    ///   - actionCount: Number of actions, ≥ 1.
    ///   - contextDimension: Length of the (ignored) context vectors the policy accepts, ≥ 0.
    ///   - configuration: α and the segment count.
    /// - Throws: `BanditsError.invalidParameter` for a bad count.
    public init(actionCount: Int, contextDimension: Int = 0, configuration: Configuration) throws(BanditsError) {
        guard actionCount >= 1 else { throw .emptyCatalog }
        guard contextDimension >= 0 else {
            throw .invalidParameter(field: "context_dimension", value: "\(contextDimension)", expected: "an integer >= 0")
        }
        self.configuration = configuration
        self.actionCount = actionCount
        self.contextDimension = contextDimension
        counts = Array(repeating: 0, count: configuration.segmentCount * actionCount)
        rewardSums = counts
        segmentTotals = Array(repeating: 0, count: configuration.segmentCount)
    }

    /// Writes each candidate's mean reward and UCB1 bonus.
    /// - Complexity: O(n), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let s = segment ?? 0
        let logTotal = log(max(segmentTotals[s], 1))
        for (i, a) in candidates.enumerated() {
            let n = counts[s * actionCount + a]
            if n > 0 {
                estimates[i] = rewardSums[s * actionCount + a] / n
                bonuses[i] = configuration.alpha * (2 * logTotal / n).squareRoot()
            } else {
                estimates[i] = 0
                bonuses[i] = Self.untriedBonus
            }
        }
    }

    /// Adds the observation to the action's statistics in its segment, after discounting
    /// the segment's statistics by γ when forgetting (discounted UCB):
    /// ```
    /// n_a ← γ n_a,   S_a ← γ S_a   (every action a of the segment),   n ← γ n
    /// ```
    /// - Complexity: O(1), O(K) with forgetting.
    ///
    /// ## References
    /// Garivier & Moulines, "On upper-confidence bound policies for switching bandit
    /// problems", ALT 2011 (discounted UCB).
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        let s = segment ?? 0
        let gamma = configuration.forgetting
        if gamma < 1 {
            for a in 0..<actionCount {
                counts[s * actionCount + a] *= gamma
                rewardSums[s * actionCount + a] *= gamma
            }
            segmentTotals[s] *= gamma
        }
        counts[s * actionCount + action] += weight
        rewardSums[s * actionCount + action] += weight * reward
        segmentTotals[s] += weight
    }

    /// - Throws: `BanditsError.unknownSegment` when the learner keeps several segments and
    ///   `segment` is missing or out of range (a lone segment accepts any context).
    public func validate(segment: Int?) throws(BanditsError) {
        try validateSegment(segment, count: configuration.segmentCount)
    }
}

/// Checks a context's segment against `count` per-segment models; with one model any
/// context (with or without a segment) is accepted.
@inlinable
func validateSegment(_ segment: Int?, count: Int) throws(BanditsError) {
    guard count > 1 else {
        if let segment, segment != 0 { throw .unknownSegment(segment, count: count) }
        return
    }
    guard let segment, segment >= 0, segment < count else { throw .unknownSegment(segment, count: count) }
}
