/// An off-policy estimator: from a decision log, the value (expected reward per round) a
/// target policy would have earned.
///
/// Conformers give per-round terms only (``Contributions``); the value, standard error,
/// confidence intervals, bootstrap and diagnostics are computed once for all of them by
/// ``estimate(on:target:rewardModel:confidence:)`` and ``Bootstrap``.
///
/// Notation used in every estimator's documentation: round `i` has context `xᵢ`, logged
/// action `aᵢ` chosen with propensity `μᵢ = μ(aᵢ|xᵢ)`, reward `rᵢ`; the target gives
/// `π(a|xᵢ)`; the importance weight is `wᵢ = π(aᵢ|xᵢ) / μᵢ`; a reward model predicts
/// `q̂(xᵢ, a)` and `q̂ᵢ(π) = Σₐ π(a|xᵢ) q̂(xᵢ, a)`.
public protocol OffPolicyEstimator: Sendable {
    /// The estimator's id in results (`"ips"`, `"dr"`, …).
    var name: String { get }
    /// Whether ``contributions(on:target:rewardModel:)`` needs reward-model predictions.
    var needsRewardModel: Bool { get }

    /// The per-round terms of the estimate.
    /// - Parameters:
    ///   - log: The decision log.
    ///   - target: The target distribution of every round, aligned with `log.candidates`.
    ///   - rewardModel: Predicted rewards `q̂(xᵢ, a)` aligned with `log.candidates`, or `nil`.
    /// - Throws: `EvaluationError.missingInput` when a needed reward model is absent,
    ///   `.shapeMismatch` when an input does not match the log.
    /// - Complexity: O(Σ Kᵢ).
    func contributions(on log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> Contributions
}

/// Per-round terms of an estimate, in the form every estimator of this module takes:
///
/// ```
/// V̂ = Σᵢ sᵢ cᵢ / Σᵢ sᵢ  +  Σᵢ sᵢ aᵢ / Σᵢ sᵢ bᵢ
/// ```
/// with `sᵢ` the rounds' sample weights (1 unless events were dropped). Plain estimators put
/// everything in `direct` (`cᵢ`) and leave `weighted` empty; self-normalized ones put the
/// importance-weighted part in `weighted` (`aᵢ`) with its normalizers (`bᵢ`, the weights).
public struct Contributions: Sendable, Equatable {
    /// The estimator's id.
    public var estimator: String
    /// `cᵢ`: terms averaged directly.
    public var direct: [Double]
    /// `aᵢ`: numerators of the self-normalized part (empty when there is none).
    public var weighted: [Double]
    /// `bᵢ`: denominators of the self-normalized part (same length as `weighted`).
    public var normalizers: [Double]
    /// The importance weights the estimator applied to observed rewards (after clipping,
    /// shrinkage or switching), for diagnostics; the raw weights for the direct method.
    public var weights: [Double]

    /// Creates per-round terms.
    public init(estimator: String, direct: [Double], weighted: [Double] = [], normalizers: [Double] = [], weights: [Double]) {
        self.estimator = estimator
        self.direct = direct
        self.weighted = weighted
        self.normalizers = normalizers
        self.weights = weights
    }

    /// The number of rounds.
    public var count: Int { direct.count }

    /// The estimate `V̂` (see the type's formula) with sample weights `s` (empty = all 1).
    /// - Complexity: O(n).
    public func value(sampleWeights s: [Double] = []) -> Double {
        var sc = 0.0, ss = 0.0, sa = 0.0, sb = 0.0
        for i in 0..<direct.count {
            let si = s.isEmpty ? 1 : s[i]
            ss += si
            sc += si * direct[i]
            if !weighted.isEmpty { sa += si * weighted[i]; sb += si * normalizers[i] }
        }
        let base = ss > 0 ? sc / ss : 0
        guard !weighted.isEmpty else { return base }
        return base + (sb != 0 ? sa / sb : 0)
    }

    /// Per-round influence terms `ψᵢ` whose (sample-weighted) mean is `V̂`; for the
    /// self-normalized part they are its delta-method linearization:
    ///
    /// ```
    /// ψᵢ = cᵢ + R + (aᵢ − R bᵢ) / b̄,    R = Σ sᵢaᵢ / Σ sᵢbᵢ,   b̄ = Σ sᵢbᵢ / Σ sᵢ
    /// ```
    /// Their spread gives the standard error; the paired difference of two estimators'
    /// terms gives the error of an improvement.
    /// - Complexity: O(n).
    public func influence(sampleWeights s: [Double] = []) -> [Double] {
        guard !weighted.isEmpty else { return direct }
        var ss = 0.0, sa = 0.0, sb = 0.0
        for i in 0..<direct.count {
            let si = s.isEmpty ? 1 : s[i]
            ss += si; sa += si * weighted[i]; sb += si * normalizers[i]
        }
        let ratio = sb != 0 ? sa / sb : 0
        let meanB = ss > 0 ? sb / ss : 0
        var psi = direct
        for i in 0..<psi.count {
            psi[i] += ratio + (meanB != 0 ? (weighted[i] - ratio * normalizers[i]) / meanB : 0)
        }
        return psi
    }
}

// MARK: - Shared checks

extension OffPolicyEstimator {
    /// Checks the shapes of the inputs and returns the reward model when one is needed.
    func checkInputs(log: DecisionLog, target: [Double], rewardModel: [Double]?) throws(EvaluationError) -> [Double] {
        guard target.count == log.candidates.count else {
            throw .shapeMismatch(what: "target probabilities", expected: log.candidates.count, actual: target.count)
        }
        guard needsRewardModel else { return [] }
        guard let q = rewardModel else { throw .missingInput(estimator: name, what: "reward-model predictions") }
        guard q.count == log.candidates.count else {
            throw .shapeMismatch(what: "reward-model predictions", expected: log.candidates.count, actual: q.count)
        }
        return q
    }

    /// The doubly robust terms `cᵢ = q̂ᵢ(π) + ŵᵢ (rᵢ − q̂(xᵢ, aᵢ))` with `ŵᵢ = adjust(wᵢ)`: the
    /// one body of DR, Switch-DR and DR-os, which differ only in how they treat a weight.
    /// - Throws: as ``checkInputs(log:target:rewardModel:)``.
    /// - Complexity: O(Σ Kᵢ).
    func doublyRobustContributions(
        on log: DecisionLog, target: [Double], rewardModel: [Double]?, adjustingWeight adjust: (Double) -> Double
    ) throws(EvaluationError) -> Contributions {
        let q = try checkInputs(log: log, target: target, rewardModel: rewardModel)
        let (policy, logged) = modelTerms(log: log, target: target, rewardModel: q)
        var w = importanceWeights(log: log, target: target)
        var c = policy
        for i in 0..<log.count {
            w[i] = adjust(w[i])
            c[i] += w[i] * (log.rewards[i] - logged[i])
        }
        return Contributions(estimator: name, direct: c, weights: w)
    }
}

/// Raw importance weights `wᵢ = π(aᵢ|xᵢ) / μᵢ` of every round.
/// - Complexity: O(n).
func importanceWeights(log: DecisionLog, target: [Double]) -> [Double] {
    var w = [Double](repeating: 0, count: log.count)
    for i in 0..<log.count {
        w[i] = target[log.candidateOffsets[i] + log.chosenPositions[i]] / log.propensities[i]
    }
    return w
}

/// `q̂ᵢ(π) = Σₐ π(a|xᵢ) q̂(xᵢ, a)` and `q̂(xᵢ, aᵢ)` of every round.
/// - Complexity: O(Σ Kᵢ).
func modelTerms(log: DecisionLog, target: [Double], rewardModel q: [Double]) -> (policy: [Double], logged: [Double]) {
    var policy = [Double](repeating: 0, count: log.count)
    var logged = [Double](repeating: 0, count: log.count)
    for i in 0..<log.count {
        var s = 0.0
        for k in log.candidateRange(i) { s += target[k] * q[k] }
        policy[i] = s
        logged[i] = q[log.candidateOffsets[i] + log.chosenPositions[i]]
    }
    return (policy, logged)
}
