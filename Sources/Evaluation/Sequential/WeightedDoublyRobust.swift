import Foundation

/// Weighted doubly robust estimation of a policy's discounted return from logged trajectories.
///
/// ```
/// V̂_WDR = Σ_t Σᵢ γ^{τ_{t,i}} [ w_{t,i} r_{t,i} − ( w_{t,i} q̂_{t,i} − w_{t−1,i} v̂_{t,i} ) ]
/// w_{t,i} = ρ_{0:t,i} / Σⱼ ρ_{0:t,j},    w_{−1,i} = 1/n
/// ```
/// Trajectories shorter than the longest are padded with zero rewards and model values and
/// their last ratio. Per-step self-normalisation bounds every weight by 1 (consistent, small
/// bias); the model terms cancel the variance the model explains. Without model values (all
/// 0) it is weighted per-decision importance sampling.
///
/// The contributions are `n` times each trajectory's share, one term per trajectory; their
/// spread gives the standard error with the normalising sums held fixed, an approximation
/// that is close once the effective sample size is large (see `Estimate`'s diagnostics).
///
/// ## References
/// Thomas & Brunskill, "Data-efficient off-policy policy evaluation for reinforcement
/// learning", ICML 2016; Jiang & Li, "Doubly robust off-policy value evaluation for
/// reinforcement learning", ICML 2016.
public struct WeightedDoublyRobust: Sendable {
    /// Discount per unit of ``LoggedStep/time``.
    public let discount: Double

    /// Creates the estimator.
    /// - Throws: `EvaluationError.invalidParameter` for a discount outside (0, 1].
    public init(discount: Double) throws(EvaluationError) {
        guard discount > 0, discount <= 1 else { throw .invalidParameter(field: "discount", value: "\(discount)", expected: "a number in (0, 1]") }
        self.discount = discount
    }

    /// `"wdr"`.
    public var name: String { "wdr" }

    /// One term per trajectory (see the type's formula); the weights are the trajectories'
    /// final cumulative ratios.
    /// - Throws: as `validateTrajectories`.
    /// - Complexity: O(n · longest trajectory).
    public func contributions(on trajectories: [LoggedTrajectory]) throws(EvaluationError) -> Contributions {
        try validateTrajectories(trajectories, discount: discount)
        let n = trajectories.count
        let horizon = trajectories.map(\.steps.count).max() ?? 0
        var rho = Array(repeating: 1.0, count: n)
        var previous = Array(repeating: 1.0 / Double(n), count: n)
        var current = Array(repeating: 0.0, count: n)
        var terms = Array(repeating: 0.0, count: n)
        for t in 0..<horizon {
            var total = 0.0
            for i in 0..<n {
                let steps = trajectories[i].steps
                if t < steps.count { rho[i] *= steps[t].targetProbability / steps[t].propensity }
                total += rho[i]
            }
            for i in 0..<n {
                current[i] = total > 0 ? rho[i] / total : 0
                let steps = trajectories[i].steps
                if t < steps.count {
                    let s = steps[t]
                    let g = pow(discount, s.time - steps[0].time)
                    terms[i] += Double(n) * g * (current[i] * (s.reward - s.modelActionValue) + previous[i] * s.modelStateValue)
                }
            }
            swap(&previous, &current)
        }
        return Contributions(estimator: name, direct: terms, weights: rho)
    }
}
