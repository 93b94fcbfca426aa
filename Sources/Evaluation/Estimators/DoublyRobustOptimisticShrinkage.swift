/// Doubly robust estimation with optimistic shrinkage (DR-os): DR with each weight shrunk
/// toward 0, the more the larger it is.
///
/// ```
/// ŵᵢ = λ wᵢ / (wᵢ² + λ)
/// V̂_DRos = (1/n) Σᵢ [ q̂ᵢ(π) + ŵᵢ (rᵢ − q̂(xᵢ, aᵢ)) ]
/// ```
/// `λ → ∞` gives DR, `λ = 0` gives DM. The shrinkage minimizes a bound on the mean squared
/// error that is optimistic about the reward model's bias.
///
/// ## References
/// Su, Dimakopoulou, Krishnamurthy & Dudík, "Doubly robust off-policy evaluation with
/// shrinkage", ICML 2020.
public struct DoublyRobustOptimisticShrinkage: OffPolicyEstimator {
    /// The shrinkage parameter `λ` (≥ 0; `.infinity` gives DR).
    public let lambda: Double

    /// Creates the estimator.
    /// - Throws: `EvaluationError.invalidParameter` unless `lambda ≥ 0`.
    public init(lambda: Double = 100) throws(EvaluationError) {
        guard lambda >= 0 else {
            throw .invalidParameter(field: "shrinkage_lambda", value: "\(lambda)", expected: "a number ≥ 0")
        }
        self.lambda = lambda
    }

    /// `"dr_os"`.
    public var name: String { "dr_os" }
    /// `true`.
    public var needsRewardModel: Bool { true }

    /// `cᵢ = q̂ᵢ(π) + ŵᵢ (rᵢ − q̂(xᵢ, aᵢ))`.
    /// - Throws: `EvaluationError.missingInput` without a reward model, `.shapeMismatch`.
    /// - Complexity: O(Σ Kᵢ).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        try doublyRobustContributions(on: log, target: target, rewardModel: rewardModel) { w in
            lambda.isInfinite || w == 0 ? w : lambda * w / (w * w + lambda)
        }
    }
}
