/// The doubly robust estimator (DR): the direct method corrected by importance-weighted
/// residuals.
///
/// ```
/// V̂_DR = (1/n) Σᵢ [ q̂ᵢ(π) + wᵢ (rᵢ − q̂(xᵢ, aᵢ)) ]
/// ```
/// Unbiased when either the propensities or the reward model are right; its variance
/// shrinks as the reward model improves. With all weights 0 it equals the direct method.
///
/// ## References
/// Dudík, Langford & Li, "Doubly robust policy evaluation and learning", ICML 2011;
/// Robins, Rotnitzky & Zhao, JASA 1994.
public struct DoublyRobust: OffPolicyEstimator {
    /// `"dr"`.
    public var name: String { "dr" }
    /// `true`.
    public var needsRewardModel: Bool { true }

    /// Creates the estimator.
    public init() {}

    /// `cᵢ = q̂ᵢ(π) + wᵢ (rᵢ − q̂(xᵢ, aᵢ))`.
    /// - Throws: `EvaluationError.missingInput` without a reward model, `.shapeMismatch`.
    /// - Complexity: O(Σ Kᵢ).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        try doublyRobustContributions(on: log, target: target, rewardModel: rewardModel) { $0 }
    }
}
