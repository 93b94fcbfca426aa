/// Switch doubly robust estimation (Switch-DR): DR on rounds whose weight is at most `τ`,
/// the direct method alone on the others.
///
/// ```
/// V̂_Switch = (1/n) Σᵢ [ q̂ᵢ(π) + 1{wᵢ ≤ τ} wᵢ (rᵢ − q̂(xᵢ, aᵢ)) ]
/// ```
/// `τ = ∞` gives DR, `τ = 0` gives DM (for rounds with a positive weight).
///
/// ## References
/// Wang, Agarwal & Dudík, "Optimal and adaptive off-policy evaluation in contextual
/// bandits", ICML 2017 (this is the DR-based form used by Su et al. 2020 and OBP).
public struct SwitchDoublyRobust: OffPolicyEstimator {
    /// The switching threshold `τ` (≥ 0).
    public let threshold: Double

    /// Creates the estimator.
    /// - Throws: `EvaluationError.invalidParameter` unless `threshold ≥ 0`.
    public init(threshold: Double = 20) throws(EvaluationError) {
        guard threshold >= 0 else {
            throw .invalidParameter(field: "switch_threshold", value: "\(threshold)", expected: "a number ≥ 0")
        }
        self.threshold = threshold
    }

    /// `"switch_dr"`.
    public var name: String { "switch_dr" }
    /// `true`.
    public var needsRewardModel: Bool { true }

    /// `cᵢ = q̂ᵢ(π) + 1{wᵢ ≤ τ} wᵢ (rᵢ − q̂(xᵢ, aᵢ))`.
    /// - Throws: `EvaluationError.missingInput` without a reward model, `.shapeMismatch`.
    /// - Complexity: O(Σ Kᵢ).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        try doublyRobustContributions(on: log, target: target, rewardModel: rewardModel) { w in w > threshold ? 0 : w }
    }
}
