import AttuneCore
import Linalg

/// Logistic UCB for Bernoulli rewards (clicks, conversions): the Laplace posterior of
/// ``LogisticThompsonSampling``, scored optimistically instead of by posterior draws.
///
/// Action `a`'s weights have the approximate posterior `N(m_a, H_a⁻¹)` (H the Laplace
/// precision, updated by one online Newton step per observation). The optimistic score is the
/// click probability at the upper confidence bound of the linear predictor:
/// ```
/// estimate_a = σ(m_aᵀx),   estimate_a + bonus_a = σ(m_aᵀx + α √(xᵀH_a⁻¹x))
/// ```
/// so `bonus_a = σ(m_aᵀx + α√(xᵀH_a⁻¹x)) − σ(m_aᵀx) ≥ 0`. Pair it with ``OptimisticArgmax``.
///
/// - Complexity: O(n d²) per decision, O(d²) per update. No allocation.
///
/// ## References
/// Li, Lu & Zhou, "Provably optimal algorithms for generalized linear contextual bandits",
/// ICML 2017 (UCB-GLM); Chapelle & Li (2011) for the Laplace update.
public struct LogisticUCB: Scorer {
    /// `"logistic_ucb"`.
    public static let kind = "logistic_ucb"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Width α ≥ 0 of the bound on the linear predictor, in posterior standard deviations.
        public var alpha: Double
        /// Prior precision λ > 0 of the weights.
        public var ridge: Double
        /// Forgetting factor γ ∈ (0, 1] (see ``LogisticThompsonSampling/Configuration/forgetting``).
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming `alpha`, `ridge` or `forgetting`.
        public init(alpha: Double = 1, ridge: Double = 1, forgetting: Double = 1) throws(BanditsError) {
            try checkLinear(alpha: alpha, ridge: ridge, forgetting: forgetting)
            self.alpha = alpha
            self.ridge = ridge
            self.forgetting = forgetting
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public var actionCount: Int { posterior.actionCount }
    /// Length of the context vectors read.
    public var contextDimension: Int { posterior.contextDimension }
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { posterior.arms.batchScratchCount }
    /// The Laplace posterior and its online Newton updates.
    var posterior: LogisticThompsonSampling

    /// Creates an untrained learner at the prior `N(0, λ⁻¹ I)`.
    /// - Throws: `BanditsError.emptyCatalog` or `BanditsError.invalidParameter` for a bad shape.
    public init(actionCount: Int, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        self.configuration = configuration
        posterior = try LogisticThompsonSampling(
            actionCount: actionCount, contextDimension: contextDimension,
            configuration: .init(scale: 1, ridge: configuration.ridge, samples: 1, forgetting: configuration.forgetting))
    }

    /// Writes `σ(m_aᵀx)` and the optimistic increment `σ(m_aᵀx + α√(xᵀH_a⁻¹x)) − σ(m_aᵀx)`.
    /// - Complexity: O(n d²), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard let x = features.baseAddress, let tmp = scratch.baseAddress else {
            for i in 0..<n {
                estimates[i] = 0.5
                bonuses[i] = 0
            }
            return
        }
        posterior.arms.scores(x: x, candidates: candidates, means: estimates.baseAddress!,
                              variances: bonuses.baseAddress!, scratch: tmp)
        let alpha = configuration.alpha
        for i in 0..<n {
            let linear = estimates[i]
            estimates[i] = sigmoid(linear)
            bonuses[i] = max(sigmoid(linear + alpha * bonuses[i].squareRoot()) - estimates[i], 0)
        }
    }

    /// One online Newton (Laplace) step on the action's posterior.
    /// - Throws: `BanditsError.invalidParameter` for a reward outside [0, 1].
    /// - Complexity: O(d²), no allocation beyond a stack buffer.
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        guard reward >= 0, reward <= 1 else {
            throw .invalidParameter(field: "reward", value: "\(reward)", expected: "a Bernoulli reward in [0, 1] for logistic_ucb")
        }
        try posterior.learn(features: features, segment: segment, action: action, reward: reward, weight: weight)
    }
}
