#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of one estimator on one log: value, uncertainty and weight diagnostics.
///
/// Encodes to JSON with exactly the fields scripts rely on:
/// `{"estimator", "value", "standard_error", "ci_low", "ci_high", "effective_sample_size",
/// "max_weight"}`. The interval is the normal one unless replaced by a bootstrap interval
/// (``Bootstrap``).
public struct Estimate: Sendable, Equatable, Encodable {
    /// The estimator's id.
    public var estimator: String
    /// The estimated value: expected reward per round under the target policy.
    public var value: Double
    /// Standard error of `value` (influence-function / delta method).
    public var standardError: Double
    /// Lower end of the confidence interval.
    public var ciLow: Double
    /// Upper end of the confidence interval.
    public var ciHigh: Double
    /// Kish's effective sample size of the applied weights, `(Σ wᵢ)² / Σ wᵢ²`.
    public var effectiveSampleSize: Double
    /// The largest applied importance weight.
    public var maxWeight: Double
    /// The mean applied importance weight.
    public var meanWeight: Double
    /// The confidence level of the interval, in (0, 1).
    public var confidence: Double
    /// The number of rounds.
    public var rounds: Int
    /// Warnings about the reliability of this estimate (small effective sample size, …).
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case estimator, value
        case standardError = "standard_error"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case effectiveSampleSize = "effective_sample_size"
        case maxWeight = "max_weight"
    }

    /// Encodes the seven documented fields (non-finite numbers as `null`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(estimator, forKey: .estimator)
        func put(_ v: Double, _ key: CodingKeys) throws {
            if v.isFinite { try c.encode(v, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
        try put(value, .value)
        try put(standardError, .standardError)
        try put(ciLow, .ciLow)
        try put(ciHigh, .ciHigh)
        try put(effectiveSampleSize, .effectiveSampleSize)
        try put(maxWeight, .maxWeight)
    }

    /// The estimate from per-round terms, with a normal interval at `confidence`.
    ///
    /// ```
    /// V̂ = Σ sᵢψᵢ / Σ sᵢ,   SE² = n/(n−1) · Σ sᵢ² (ψᵢ − V̂)² / (Σ sᵢ)²,   CI = V̂ ± z₍₁₊c₎/₂ SE
    /// ```
    /// with `ψᵢ` the influence terms of ``Contributions/influence(sampleWeights:)``.
    /// A warning is added when the effective sample size is below 100 or 1% of the rounds.
    /// - Throws: `EvaluationError.invalidParameter` unless `0 < confidence < 1`.
    /// - Complexity: O(n).
    public init(contributions: Contributions, sampleWeights: [Double] = [], confidence: Double = 0.95) throws(EvaluationError) {
        let z = try Self.normalQuantile(forConfidence: confidence)
        let s = sampleWeights
        let psi = contributions.influence(sampleWeights: s)
        let n = psi.count
        var ss = 0.0, sum = 0.0
        for i in 0..<n { let si = s.isEmpty ? 1 : s[i]; ss += si; sum += si * psi[i] }
        let v = ss > 0 ? sum / ss : .nan
        var sq = 0.0
        for i in 0..<n { let si = s.isEmpty ? 1 : s[i]; let d = psi[i] - v; sq += si * si * d * d }
        let se = n > 1 ? (Double(n) / Double(n - 1) * sq).squareRoot() / ss : .infinity
        var sw = 0.0, sw2 = 0.0, mw = 0.0
        for w in contributions.weights { sw += w; sw2 += w * w; mw = max(mw, w) }
        let ess = sw2 > 0 ? sw * sw / sw2 : 0
        estimator = contributions.estimator
        value = v
        standardError = se
        ciLow = v - z * se
        ciHigh = v + z * se
        effectiveSampleSize = ess
        maxWeight = mw
        meanWeight = contributions.weights.isEmpty ? 0 : sw / Double(contributions.weights.count)
        self.confidence = confidence
        rounds = n
        warnings = []
        if ess < 100 || ess < 0.01 * Double(n) {
            warnings.append(
                "effective sample size \(Self.format(ess)) of \(n) rounds is small: the target departs far from the logging policy and this estimate rests on few rounds")
        }
    }

    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return String(Double(Int((x * 10).rounded())) / 10)
    }

    /// The standard normal quantile `z` with `P(|Z| ≤ z) = confidence`.
    /// - Throws: `EvaluationError.invalidParameter` unless `0 < confidence < 1`.
    public static func normalQuantile(forConfidence confidence: Double) throws(EvaluationError) -> Double {
        guard confidence > 0, confidence < 1 else {
            throw .invalidParameter(field: "confidence", value: "\(confidence)", expected: "a level strictly between 0 and 1, such as 0.95")
        }
        return standardNormalQuantile(0.5 + confidence / 2)
    }
}

/// The standard normal quantile `Φ⁻¹(p)` for `p` in (0, 1), to about 1e-15 relative.
///
/// A rational approximation (Acklam) refined by one Halley step on `erfc`.
/// ## References
/// Acklam, "An algorithm for computing the inverse normal cumulative distribution
/// function", 2003.
public func standardNormalQuantile(_ p: Double) -> Double {
    guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
        let q = p - 0.5, r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
        let q = (-2 * log(1 - p)).squareRoot()
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // One Halley step: e = Φ(x) − p, u = e √(2π) e^{x²/2}.
    let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
}

extension OffPolicyEstimator {
    /// Runs the estimator on `log` and summarizes it (value, standard error, normal interval
    /// at `confidence`, effective sample size, weights, warnings).
    /// - Throws: as ``contributions(on:target:rewardModel:)``, and
    ///   `EvaluationError.invalidParameter` for a confidence outside (0, 1).
    /// - Complexity: O(Σ Kᵢ).
    public func estimate(on log: DecisionLog, target: [Double], rewardModel: [Double]? = nil, confidence: Double = 0.95) throws(EvaluationError) -> Estimate {
        let terms = try contributions(on: log, target: target, rewardModel: rewardModel)
        return try Estimate(contributions: terms, sampleWeights: log.sampleWeights.allSatisfy { $0 == 1 } ? [] : log.sampleWeights, confidence: confidence)
    }
}
