/// Self-normalized inverse propensity scoring (SNIPS).
///
/// ```
/// V̂_SNIPS = Σᵢ wᵢ rᵢ / Σᵢ wᵢ
/// ```
/// Consistent, slightly biased in small samples, often far lower variance than IPS; the
/// estimate is equivariant to shifting all rewards by a constant (IPS is not).
///
/// ## References
/// Swaminathan & Joachims, "The self-normalized estimator for counterfactual learning",
/// NeurIPS 2015; Kong, "A note on importance sampling using standardized weights", 1992.
public struct SelfNormalizedIPS: OffPolicyEstimator {
    /// `"snips"`.
    public var name: String { "snips" }
    /// `false`.
    public var needsRewardModel: Bool { false }

    /// Creates the estimator.
    public init() {}

    /// `aᵢ = wᵢ rᵢ`, `bᵢ = wᵢ`, `cᵢ = 0`.
    /// - Throws: `EvaluationError.shapeMismatch` when `target` does not match the log.
    /// - Complexity: O(n).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        _ = try checkInputs(log: log, target: target, rewardModel: rewardModel)
        let w = importanceWeights(log: log, target: target)
        var a = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count { a[i] = w[i] * log.rewards[i] }
        return Contributions(
            estimator: name, direct: [Double](repeating: 0, count: log.count), weighted: a, normalizers: w, weights: w)
    }
}
