#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Foundation

/// A Gaussian policy over a continuous price (or discount) kept within guardrails.
///
/// ```
/// μ(x) = θᵀx,  σ = exp(log σ),  u ~ N(μ, σ²),  price = clamp(u, low, high)
/// ```
/// The clamped draw is a mixed distribution: a density `φ((p − μ)/σ)/σ` inside the guardrails
/// and point masses `Φ((low − μ)/σ)` at `low` and `1 − Φ((high − μ)/σ)` at `high`. Every
/// ``PriceDecision`` logs which case happened and the matching log-likelihood, so an
/// evaluator weighs a clipped price by the probability of clipping, never by a density.
/// `log σ` is kept within `[minimumLogStandardDeviation, maximumLogStandardDeviation]` so the
/// policy keeps exploring and never sets absurd prices.
///
/// ## References
/// Williams (1992), Gaussian REINFORCE units; Fujita & Maeda, "Clipped action policy gradient",
/// ICML 2018 (the censored likelihood of clipped actions).
public struct GaussianPricePolicy: Sendable, Codable, Equatable {
    /// How the logged price relates to the Gaussian draw.
    public enum Clipping: String, Sendable, Codable, Equatable {
        /// The draw was inside the guardrails: the log-likelihood is a log-density.
        case none
        /// The draw fell below `low`: the log-likelihood is `log Φ((low − μ)/σ)`.
        case lower
        /// The draw fell above `high`: the log-likelihood is `log(1 − Φ((high − μ)/σ))`.
        case upper
    }

    /// One pricing decision, with what the log needs.
    public struct PriceDecision: Sendable, Equatable, Codable {
        /// The price charged, within the guardrails (currency units).
        public var price: Double
        /// The Gaussian draw before clamping.
        public var unclippedPrice: Double
        /// Which guardrail, if any, clamped the draw.
        public var clipping: Clipping
        /// Log-likelihood of `price` under the policy (log-density or log-mass, per `clipping`).
        public var logLikelihood: Double
        /// The mean `μ(x)`.
        public var mean: Double
        /// The standard deviation `σ`.
        public var standardDeviation: Double
    }

    /// One observed price and its reward, for learning.
    public struct Observation: Sendable, Equatable {
        /// The context.
        public var features: [Double]
        /// The logged price (within the guardrails).
        public var price: Double
        /// Log-likelihood of the price under the policy that set it.
        public var behaviourLogLikelihood: Double
        /// The reward (revenue, margin) that followed.
        public var reward: Double

        /// Creates an observation.
        public init(features: [Double], price: Double, behaviourLogLikelihood: Double, reward: Double) {
            self.features = features
            self.price = price
            self.behaviourLogLikelihood = behaviourLogLikelihood
            self.reward = reward
        }
    }

    /// The lowest price allowed.
    public let low: Double
    /// The highest price allowed.
    public let high: Double
    /// Lower bound of `log σ`.
    public let minimumLogStandardDeviation: Double
    /// Upper bound of `log σ`.
    public let maximumLogStandardDeviation: Double
    /// Mean weights `θ` (length `d`).
    public var meanWeights: [Double]
    /// `log σ`.
    public var logStandardDeviation: Double

    /// The context dimension.
    public var contextDimension: Int { meanWeights.count }
    /// The parameters `[θ…, log σ]` in the order of gradients. Setting writes the first
    /// `min(count, d + 1)` values (non-finite ones are skipped) and keeps `log σ` within its bounds.
    public var parameters: [Double] {
        get { meanWeights + [logStandardDeviation] }
        set {
            let d = meanWeights.count
            for j in 0..<min(d, newValue.count) where newValue[j].isFinite { meanWeights[j] = newValue[j] }
            if newValue.count > d, newValue[d].isFinite {
                logStandardDeviation = min(max(newValue[d], minimumLogStandardDeviation), maximumLogStandardDeviation)
            }
        }
    }

    /// A policy with the given guardrails and starting parameters.
    /// - Throws: `PolicyGradientError.invalidParameter` for `low ≥ high`, non-finite values,
    ///   empty weights or a `log σ` outside its bounds.
    public init(low: Double, high: Double, meanWeights: [Double], logStandardDeviation: Double,
                minimumLogStandardDeviation: Double = -5, maximumLogStandardDeviation: Double = 3) throws(PolicyGradientError) {
        guard low.isFinite, high.isFinite, low < high else { throw .invalidParameter(field: "guardrails", value: "[\(low), \(high)]", expected: "finite low < high") }
        guard !meanWeights.isEmpty else { throw .invalidParameter(field: "mean_weights", value: "[]", expected: "one weight per context feature") }
        if let j = meanWeights.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(field: "mean_weights[\(j)]") }
        guard minimumLogStandardDeviation < maximumLogStandardDeviation,
              logStandardDeviation >= minimumLogStandardDeviation, logStandardDeviation <= maximumLogStandardDeviation else {
            throw .invalidParameter(field: "log_standard_deviation", value: "\(logStandardDeviation)",
                                    expected: "a value in [\(minimumLogStandardDeviation), \(maximumLogStandardDeviation)]")
        }
        self.low = low
        self.high = high
        self.meanWeights = meanWeights
        self.logStandardDeviation = logStandardDeviation
        self.minimumLogStandardDeviation = minimumLogStandardDeviation
        self.maximumLogStandardDeviation = maximumLogStandardDeviation
    }

    // MARK: - Distribution

    /// `μ(x) = θᵀx`.
    /// - Throws: `PolicyGradientError.dimensionMismatch` or `.nonFinite` for a bad context.
    public func mean(for features: [Double]) throws(PolicyGradientError) -> Double {
        guard features.count == meanWeights.count else { throw .dimensionMismatch(field: "context", expected: meanWeights.count, actual: features.count) }
        if let j = features.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(field: "context[\(j)]") }
        var m = 0.0
        for j in 0..<features.count { m += meanWeights[j] * features[j] }
        return m
    }

    /// Draws a price.
    /// - Throws: as ``mean(for:)``.
    /// - Complexity: O(d).
    public func decide(for features: [Double], using generator: inout SeededGenerator) throws(PolicyGradientError) -> PriceDecision {
        let mu = try mean(for: features)
        let sigma = exp(logStandardDeviation)
        let u = mu + sigma * generator.nextStandardNormal()
        let price = min(max(u, low), high)
        let clipping: Clipping = u < low ? .lower : (u > high ? .upper : .none)
        return PriceDecision(price: price, unclippedPrice: u, clipping: clipping,
                             logLikelihood: logLikelihood(price, mean: mu, sigma: sigma), mean: mu, standardDeviation: sigma)
    }

    /// The log-likelihood of a logged `price` (a point mass at a guardrail, a density inside).
    /// - Throws: as ``mean(for:)``, and `.invalidParameter` for a price outside the guardrails.
    public func logLikelihood(of price: Double, for features: [Double]) throws(PolicyGradientError) -> Double {
        guard price >= low, price <= high else { throw .invalidParameter(field: "price", value: "\(price)", expected: "a price in [\(low), \(high)]") }
        return logLikelihood(price, mean: try mean(for: features), sigma: exp(logStandardDeviation))
    }

    func logLikelihood(_ price: Double, mean mu: Double, sigma: Double) -> Double {
        if price <= low { return Self.logNormalCDF((low - mu) / sigma) }
        if price >= high { return Self.logNormalCDF((mu - high) / sigma) }
        let z = (price - mu) / sigma
        return -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi)
    }

    /// `∇ log-likelihood` of a logged price with respect to `[θ…, log σ]`:
    ///
    /// ```
    /// inside:  ∂/∂μ = z/σ,              ∂/∂log σ = z² − 1,      z = (p − μ)/σ
    /// at low:  ∂/∂μ = −λ(z)/σ,          ∂/∂log σ = −λ(z) z,     z = (low − μ)/σ
    /// at high: ∂/∂μ = λ(z)/σ,           ∂/∂log σ = −λ(z) z,     z = (μ − high)/σ
    /// λ(z) = φ(z)/Φ(z),  ∂μ/∂θ = x
    /// ```
    /// - Throws: as ``logLikelihood(of:for:)``.
    public func gradientOfLogLikelihood(of price: Double, for features: [Double]) throws(PolicyGradientError) -> [Double] {
        guard price >= low, price <= high else { throw .invalidParameter(field: "price", value: "\(price)", expected: "a price in [\(low), \(high)]") }
        let mu = try mean(for: features)
        let sigma = exp(logStandardDeviation)
        let dMean: Double, dLogSigma: Double
        if price <= low {
            let z = (low - mu) / sigma, lambda = Self.inverseMillsRatio(z)
            (dMean, dLogSigma) = (-lambda / sigma, -lambda * z)
        } else if price >= high {
            let z = (mu - high) / sigma, lambda = Self.inverseMillsRatio(z)
            (dMean, dLogSigma) = (lambda / sigma, -lambda * z)
        } else {
            let z = (price - mu) / sigma
            (dMean, dLogSigma) = (z / sigma, z * z - 1)
        }
        return features.map { dMean * $0 } + [dLogSigma]
    }

    /// Differential entropy of the Gaussian before clamping, `½ log(2πe σ²)` nats.
    public var entropy: Double { 0.5 * log(2 * Double.pi * M_E) + logStandardDeviation }

    // MARK: - Learning

    /// The truncated-IS REINFORCE gradient on `observations`, with the mean reward as baseline:
    ///
    /// ```
    /// ∇J ≈ mean( min(exp(ℓ_θ − ℓ_μ), c) · (r − r̄) · ∇ℓ_θ(p | x) )
    /// ```
    /// - Throws: as ``gradientOfLogLikelihood(of:for:)``; `.invalidParameter` for an empty list
    ///   or a cap below 1.
    public func policyGradient(on observations: [Observation], importanceWeightCap: Double = 10) throws(PolicyGradientError) -> [Double] {
        guard !observations.isEmpty else { throw .invalidParameter(field: "observations", value: "[]", expected: "at least one observation") }
        guard importanceWeightCap >= 1 else { throw .invalidParameter(field: "importance_weight_cap", value: "\(importanceWeightCap)", expected: "a number ≥ 1") }
        let meanReward = observations.reduce(0) { $0 + $1.reward } / Double(observations.count)
        var g = Array(repeating: 0.0, count: meanWeights.count + 1)
        for o in observations {
            guard o.reward.isFinite, o.behaviourLogLikelihood.isFinite else { throw .nonFinite(field: "observation") }
            let w = min(exp(try logLikelihood(of: o.price, for: o.features) - o.behaviourLogLikelihood), importanceWeightCap)
            let grad = try gradientOfLogLikelihood(of: o.price, for: o.features)
            let c = w * (o.reward - meanReward) / Double(observations.count)
            for j in 0..<g.count { g[j] += c * grad[j] }
        }
        return g
    }

    // MARK: - Normal distribution helpers

    /// `log Φ(z)`, accurate in the far left tail.
    static func logNormalCDF(_ z: Double) -> Double {
        if z < -30 { return -0.5 * z * z - log(-z) - 0.5 * log(2 * Double.pi) }
        return log(0.5 * erfc(-z / 2.0.squareRoot()))
    }

    /// `φ(z)/Φ(z)`; tends to `−z` as `z → −∞`.
    static func inverseMillsRatio(_ z: Double) -> Double {
        if z < -30 { return -z }
        let phi = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        return phi / (0.5 * erfc(-z / 2.0.squareRoot()))
    }
}
