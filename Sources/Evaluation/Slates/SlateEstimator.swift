/// An off-policy estimator of a slate policy's value, the expected total reward of a slate
/// `V(π) = E[Σ_k r_k]`, from a ``SlateLog``.
///
/// Like ``OffPolicyEstimator`` it gives per-round terms; value, standard error, intervals,
/// bootstrap and segment estimates come from the shared ``Estimate`` and ``Bootstrap``.
///
/// The log's per-slot probabilities are conditional on the items above (``SlateLog``), so
/// their products are the exact probabilities of a slate and of its top-k prefix. The
/// estimators differ in what they assume about the rewards:
///
/// | estimator | reward assumption | variance |
/// | --- | --- | --- |
/// | ``StandardSlateIPS`` (`sips`) | none | highest: the whole slate's weight |
/// | ``RewardInteractionIPS`` (`rips`) | cascade: `r_k` depends on the items at positions ≤ k | middle |
/// | ``IndependentItemIPS`` (`iips`) | `r_k` depends on the item at position k only; uses the marginal probabilities of the item at position k (the logged conditional ones when no marginal was logged: exact only for independent positions) | lowest |
///
/// ## References
/// Li, Kim, Zitouni, "Offline evaluation of ranking policies with click models", KDD 2018
/// (independent-item IPS); McInerney et al., "Counterfactual evaluation of slate recommendations
/// with sequential reward interactions", KDD 2020 (reward-interaction IPS); Kiyohara et al.,
/// "Doubly robust off-policy evaluation for ranking policies under the cascade behavior
/// model", WSDM 2022.
public protocol SlateEstimator: Sendable {
    /// The estimator's id in results.
    var name: String { get }

    /// The per-round terms `ψᵢ`, whose mean is the estimate; `weights` are the round's
    /// importance weights for diagnostics (see each estimator).
    /// - Complexity: O(total slots).
    func contributions(on log: SlateLog) -> Contributions
}

extension SlateEstimator {
    /// Runs the estimator and summarizes it (value, standard error, normal interval at
    /// `confidence`, effective sample size, weights, warnings).
    /// - Throws: `EvaluationError.invalidParameter` for a confidence outside (0, 1).
    /// - Complexity: O(total slots).
    public func estimate(on log: SlateLog, confidence: Double = 0.95) throws(EvaluationError) -> Estimate {
        try Estimate(contributions: contributions(on: log), confidence: confidence)
    }
}

/// Independent-item IPS: each slot's reward reweighted by that slot's weight only.
///
/// ```
/// V̂ = 1/n Σᵢ Σ_k w_ik r_ik,    w_ik = π_k(a_ik|xᵢ) / μ_k(a_ik|xᵢ)
/// ```
/// with the marginal probabilities of the item at position k (``SlateLog/marginalPropensities``).
/// Unbiased when the reward at a position depends only on the item at that position. The
/// diagnostic weight of a round is the mean of its slot weights.
public struct IndependentItemIPS: SlateEstimator {
    /// `"iips"`.
    public let name = "iips"

    /// Creates the estimator.
    public init() {}

    /// The per-round terms `Σ_k w_ik r_ik`.
    /// - Complexity: O(total slots).
    public func contributions(on log: SlateLog) -> Contributions {
        var direct = [Double](repeating: 0, count: log.count)
        var weights = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count {
            var s = 0.0, sw = 0.0
            let slots = log.slots(i)
            for j in slots {
                let w = log.targetMarginalPropensities[j] / log.marginalPropensities[j]
                s += w * log.rewards[j]; sw += w
            }
            direct[i] = s
            weights[i] = sw / Double(slots.count)
        }
        return Contributions(estimator: name, direct: direct, weights: weights)
    }
}

/// Reward-interaction (cascade) IPS: a slot's reward reweighted by the product of the weights
/// of that slot and every slot above it.
///
/// ```
/// V̂ = 1/n Σᵢ Σ_k (Π_{j≤k} w_ij) r_ik
/// ```
/// with the conditional weights, whose prefix product is the top-k prefix's weight.
/// Unbiased under the cascade assumption (the user looks top-down; what is below position k
/// does not change `r_k`). The diagnostic weight of a round is the whole slate's weight.
public struct RewardInteractionIPS: SlateEstimator {
    /// `"rips"`.
    public let name = "rips"

    /// Creates the estimator.
    public init() {}

    /// The per-round terms `Σ_k (Π_{j≤k} w_ij) r_ik`.
    /// - Complexity: O(total slots).
    public func contributions(on log: SlateLog) -> Contributions {
        var direct = [Double](repeating: 0, count: log.count)
        var weights = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count {
            var s = 0.0, w = 1.0
            for j in log.slots(i) {
                w *= log.targetPropensities[j] / log.propensities[j]
                s += w * log.rewards[j]
            }
            direct[i] = s
            weights[i] = w
        }
        return Contributions(estimator: name, direct: direct, weights: weights)
    }
}

/// Standard slate IPS: the total reward reweighted by the whole slate's weight.
///
/// ```
/// V̂ = 1/n Σᵢ (Π_k w_ik) Σ_k r_ik
/// ```
/// Unbiased for any reward structure, at the price of a variance
/// that grows exponentially with the number of slots. The diagnostic weight of a round is
/// the whole slate's weight.
public struct StandardSlateIPS: SlateEstimator {
    /// `"sips"`.
    public let name = "sips"

    /// Creates the estimator.
    public init() {}

    /// The per-round terms `(Π_k w_ik) Σ_k r_ik`.
    /// - Complexity: O(total slots).
    public func contributions(on log: SlateLog) -> Contributions {
        var direct = [Double](repeating: 0, count: log.count)
        var weights = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count {
            var r = 0.0, w = 1.0
            for j in log.slots(i) {
                w *= log.targetPropensities[j] / log.propensities[j]
                r += log.rewards[j]
            }
            direct[i] = w * r
            weights[i] = w
        }
        return Contributions(estimator: name, direct: direct, weights: weights)
    }
}
