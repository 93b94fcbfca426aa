/// Self-normalized doubly robust estimation (SNDR): DR whose residual correction is
/// normalized by the sum of the weights.
///
/// ```
/// V̂_SNDR = (1/n) Σᵢ q̂ᵢ(π) + Σᵢ wᵢ (rᵢ − q̂(xᵢ, aᵢ)) / Σᵢ wᵢ
/// ```
///
/// ## References
/// Kallus & Uehara, "Intrinsically efficient, stable, and bounded off-policy evaluation for
/// reinforcement learning", NeurIPS 2019; Saito et al., "Open Bandit Dataset and Pipeline",
/// NeurIPS 2021 Datasets track (the same estimator as OBP's `SelfNormalizedDoublyRobust`).
public struct SelfNormalizedDoublyRobust: OffPolicyEstimator {
    /// `"sndr"`.
    public var name: String { "sndr" }
    /// `true`.
    public var needsRewardModel: Bool { true }

    /// Creates the estimator.
    public init() {}

    /// `cᵢ = q̂ᵢ(π)`, `aᵢ = wᵢ (rᵢ − q̂(xᵢ, aᵢ))`, `bᵢ = wᵢ`.
    /// - Throws: `EvaluationError.missingInput` without a reward model, `.shapeMismatch`.
    /// - Complexity: O(Σ Kᵢ).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        let q = try checkInputs(log: log, target: target, rewardModel: rewardModel)
        let (policy, logged) = modelTerms(log: log, target: target, rewardModel: q)
        let w = importanceWeights(log: log, target: target)
        var a = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count { a[i] = w[i] * (log.rewards[i] - logged[i]) }
        return Contributions(estimator: name, direct: policy, weighted: a, normalizers: w, weights: w)
    }
}
