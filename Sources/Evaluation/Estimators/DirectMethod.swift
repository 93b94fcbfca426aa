/// The direct method (DM): the reward model's prediction of what the target earns.
///
/// ```
/// V̂_DM = (1/n) Σᵢ Σₐ π(a|xᵢ) q̂(xᵢ, a)
/// ```
/// Low variance, but biased as much as the reward model is wrong; it ignores the observed
/// rewards except through the model. Its diagnostics describe the raw importance weights.
/// Its standard error reflects only the spread over contexts, not the model's own error, so
/// its interval under-covers when the model is biased (prefer DR's for decisions).
///
/// ## References
/// Beygelzimer & Langford, "The offset tree for learning with partial labels", KDD 2009;
/// Dudík, Langford & Li, "Doubly robust policy evaluation and learning", ICML 2011.
public struct DirectMethod: OffPolicyEstimator {
    /// `"dm"`.
    public var name: String { "dm" }
    /// `true`.
    public var needsRewardModel: Bool { true }

    /// Creates the estimator.
    public init() {}

    /// `cᵢ = q̂ᵢ(π)`.
    /// - Throws: `EvaluationError.missingInput` without a reward model, `.shapeMismatch`.
    /// - Complexity: O(Σ Kᵢ).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        let q = try checkInputs(log: log, target: target, rewardModel: rewardModel)
        let terms = modelTerms(log: log, target: target, rewardModel: q)
        return Contributions(estimator: name, direct: terms.policy, weights: importanceWeights(log: log, target: target))
    }
}
