/// Inverse propensity scoring (IPS), optionally with clipped weights.
///
/// ```
/// V̂_IPS = (1/n) Σᵢ min(wᵢ, M) rᵢ,     wᵢ = π(aᵢ|xᵢ) / μ(aᵢ|xᵢ)
/// ```
/// With `M = ∞` (plain IPS) the estimate is unbiased wherever the logger covers the target;
/// a finite `M` (clipped IPS) trades a bias toward 0 for lower variance.
///
/// ## References
/// Horvitz & Thompson, "A generalization of sampling without replacement from a finite
/// universe", JASA 1952; Strehl, Langford, Li & Kakade, "Learning from logged implicit
/// exploration data", NeurIPS 2010 (clipping); Ionides, "Truncated importance sampling",
/// JCGS 2008.
public struct InversePropensityScoring: OffPolicyEstimator {
    /// The weight cap `M` (> 0; `.infinity` for plain IPS).
    public let maxWeight: Double

    /// Creates IPS with weights capped at `maxWeight` (`.infinity`: no cap).
    /// - Throws: `EvaluationError.invalidParameter` unless `maxWeight > 0` (NaN rejected).
    public init(maxWeight: Double = .infinity) throws(EvaluationError) {
        guard maxWeight > 0 else {
            throw .invalidParameter(field: "max_weight", value: "\(maxWeight)", expected: "a number > 0, or infinity for no clipping")
        }
        self.maxWeight = maxWeight
    }

    /// `"ips"`, or `"clipped_ips"` with a finite cap.
    public var name: String { maxWeight.isFinite ? "clipped_ips" : "ips" }
    /// `false`.
    public var needsRewardModel: Bool { false }

    /// `cᵢ = min(wᵢ, M) rᵢ`.
    /// - Throws: `EvaluationError.shapeMismatch` when `target` does not match the log.
    /// - Complexity: O(n).
    public func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions {
        _ = try checkInputs(log: log, target: target, rewardModel: rewardModel)
        var w = importanceWeights(log: log, target: target)
        var c = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count {
            w[i] = min(w[i], maxWeight)
            c[i] = w[i] * log.rewards[i]
        }
        return Contributions(estimator: name, direct: c, weights: w)
    }
}
