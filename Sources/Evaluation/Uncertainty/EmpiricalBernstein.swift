#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finite-sample confidence bounds on the mean of bounded i.i.d. variables from their
/// empirical variance.
///
/// For `Zᵢ ∈ [lo, hi]` i.i.d., `n ≥ 2`, with probability at least `1 − δ`:
///
/// ```
/// E[Z] ≥ Z̄ − √(2 Vₙ ln(2/δ) / n) − 7 (hi − lo) ln(2/δ) / (3(n − 1))
/// ```
/// where `Vₙ` is the unbiased sample variance. Unlike a normal interval this holds for every
/// `n`, which is what a deployment decision needs; it is tight when the variance is small,
/// which clipping the importance weights ensures.
///
/// ## References
/// Maurer & Pontil, "Empirical Bernstein bounds and sample variance penalization", COLT 2009,
/// Theorem 4; Thomas, Theocharous & Ghavamzadeh, "High confidence off-policy evaluation",
/// AAAI 2015 (its use on clipped importance-weighted returns).
public enum EmpiricalBernstein {
    /// The lower bound on `E[Z]` holding with probability `1 − delta`.
    /// - Parameters:
    ///   - values: The observations `Zᵢ`.
    ///   - range: Known bounds `[lo, hi]` every `Zᵢ` lies in.
    ///   - delta: The failure probability, in (0, 1).
    /// - Throws: `EvaluationError.invalidParameter` for a bad `delta`, fewer than 2 values,
    ///   or a value outside `range`.
    /// - Complexity: O(n).
    public static func lowerBound(_ values: [Double], range: ClosedRange<Double>, delta: Double) throws(EvaluationError) -> Double {
        guard delta > 0, delta < 1 else {
            throw .invalidParameter(field: "delta", value: "\(delta)", expected: "a failure probability strictly between 0 and 1")
        }
        let n = values.count
        guard n >= 2 else { throw .invalidParameter(field: "rounds", value: "\(n)", expected: "at least 2 rounds for a variance") }
        var sum = 0.0
        for v in values {
            guard v >= range.lowerBound - 1e-12, v <= range.upperBound + 1e-12 else {
                throw .invalidParameter(field: "value", value: "\(v)", expected: "a value in \(range)")
            }
            sum += v
        }
        let mean = sum / Double(n)
        var sq = 0.0
        for v in values { sq += (v - mean) * (v - mean) }
        let variance = sq / Double(n - 1)
        let l = log(2 / delta)
        let width = range.upperBound - range.lowerBound
        return mean - (2 * variance * l / Double(n)).squareRoot() - 7 * width * l / (3 * Double(n - 1))
    }

    /// A high-confidence lower bound on a target policy's value by clipped importance
    /// weighting (Thomas et al.'s HCOPE with Maurer & Pontil's bound):
    ///
    /// ```
    /// Zᵢ = min(wᵢ, M) (rᵢ − r_min) ∈ [0, M (r_max − r_min)],   V ≥ r_min + LB_δ(Z)
    /// ```
    /// Valid with probability `1 − δ` whenever rewards lie in `rewardRange`, even if the
    /// target needs actions the logger never took (clipping and missing support only lower
    /// `E[Z]`).
    /// - Throws: `EvaluationError.invalidParameter` for `maxWeight ≤ 0`, a reward outside
    ///   `rewardRange`, or as ``lowerBound(_:range:delta:)``.
    /// - Complexity: O(n).
    public static func valueLowerBound(
        log: DecisionLog, target: [Double], maxWeight: Double, rewardRange: ClosedRange<Double>, delta: Double
    ) throws(EvaluationError) -> Double {
        try clippedBound(log: log, target: target, maxWeight: maxWeight, rewardRange: rewardRange, delta: delta, upper: false)
    }

    /// The matching upper bound: `V ≤ r_max − LB_δ(min(wᵢ, M) (r_max − rᵢ))`.
    /// - Throws: as ``valueLowerBound(log:target:maxWeight:rewardRange:delta:)``.
    /// - Complexity: O(n).
    public static func valueUpperBound(
        log: DecisionLog, target: [Double], maxWeight: Double, rewardRange: ClosedRange<Double>, delta: Double
    ) throws(EvaluationError) -> Double {
        try clippedBound(log: log, target: target, maxWeight: maxWeight, rewardRange: rewardRange, delta: delta, upper: true)
    }

    private static func clippedBound(
        log: DecisionLog, target: [Double], maxWeight: Double, rewardRange: ClosedRange<Double>, delta: Double, upper: Bool
    ) throws(EvaluationError) -> Double {
        guard maxWeight > 0, maxWeight.isFinite else {
            throw .invalidParameter(field: "max_weight", value: "\(maxWeight)", expected: "a finite number > 0")
        }
        guard target.count == log.candidates.count else {
            throw .shapeMismatch(what: "target probabilities", expected: log.candidates.count, actual: target.count)
        }
        let w = importanceWeights(log: log, target: target)
        var z = [Double](repeating: 0, count: log.count)
        for i in 0..<log.count {
            let r = log.rewards[i]
            guard rewardRange.contains(r) else {
                throw .invalidParameter(field: "reward (line \(log.lineNumbers[i]))", value: "\(r)", expected: "a reward in \(rewardRange)")
            }
            z[i] = min(w[i], maxWeight) * (upper ? rewardRange.upperBound - r : r - rewardRange.lowerBound)
        }
        let width = rewardRange.upperBound - rewardRange.lowerBound
        let bound = try lowerBound(z, range: 0...(maxWeight * width), delta: delta)
        return upper ? rewardRange.upperBound - bound : rewardRange.lowerBound + bound
    }
}
