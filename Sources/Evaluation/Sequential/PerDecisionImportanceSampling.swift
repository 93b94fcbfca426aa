import Foundation

/// Per-decision importance sampling of a policy's discounted return from logged trajectories.
///
/// ```
/// V̂_PDIS = (1/n) Σᵢ Σ_t γ^{τ_t} ρ_{0:t} r_t,      ρ_{0:t} = Π_{k ≤ t} π(a_k|s_k) / μ(a_k|s_k)
/// ```
/// A reward is weighted only by the ratios of the decisions before it, so it is unbiased where
/// the logger covers the target, with less variance than weighting the whole trajectory.
/// With a finite `maxWeight`, each cumulative ratio is capped (bias toward 0, lower variance).
/// The contributions are one term per trajectory, so the shared ``Estimate`` gives the
/// standard error and the interval over trajectories.
///
/// ## References
/// Precup, Sutton & Singh, "Eligibility traces for off-policy policy evaluation", ICML 2000.
public struct PerDecisionImportanceSampling: Sendable {
    /// Discount per unit of ``LoggedStep/time``.
    public let discount: Double
    /// Cap of the cumulative ratio (`.infinity`: none).
    public let maxWeight: Double

    /// Creates the estimator.
    /// - Throws: `EvaluationError.invalidParameter` for a discount outside (0, 1] or a cap ≤ 0.
    public init(discount: Double, maxWeight: Double = .infinity) throws(EvaluationError) {
        guard discount > 0, discount <= 1 else { throw .invalidParameter(field: "discount", value: "\(discount)", expected: "a number in (0, 1]") }
        guard maxWeight > 0 else { throw .invalidParameter(field: "max_weight", value: "\(maxWeight)", expected: "a number > 0, or infinity") }
        self.discount = discount
        self.maxWeight = maxWeight
    }

    /// `"pdis"`, or `"clipped_pdis"` with a finite cap.
    public var name: String { maxWeight.isFinite ? "clipped_pdis" : "pdis" }

    /// One term per trajectory (its weighted discounted return); the weights are the
    /// trajectories' final cumulative ratios.
    /// - Throws: as `validateTrajectories`.
    /// - Complexity: O(total steps).
    public func contributions(on trajectories: [LoggedTrajectory]) throws(EvaluationError) -> Contributions {
        try validateTrajectories(trajectories, discount: discount)
        var terms: [Double] = [], weights: [Double] = []
        terms.reserveCapacity(trajectories.count)
        for trajectory in trajectories {
            var rho = 1.0, value = 0.0
            let start = trajectory.steps.first?.time ?? 0
            for s in trajectory.steps {
                rho = min(rho * s.targetProbability / s.propensity, maxWeight)
                value += pow(discount, s.time - start) * rho * s.reward
            }
            terms.append(value)
            weights.append(rho)
        }
        return Contributions(estimator: name, direct: terms, weights: weights)
    }
}
