import AttuneCore
import Foundation
import Linalg

/// Logistic Thompson sampling for Bernoulli rewards (clicks, conversions): one online
/// Bayesian logistic regression per action with a Laplace (Gaussian) posterior.
///
/// Action `a`'s weights have the approximate posterior `N(m_a, A_a⁻¹)`. Each observation
/// `(x, r)`, `r ∈ [0, 1]`, takes one online Newton step (the extended Kalman filter form of
/// the Laplace update), O(d²) with Sherman–Morrison:
/// ```
/// p = σ(m_aᵀx),   A_a ← A_a + w p(1 − p) x xᵀ,   m_a ← m_a + w (r − p) A_a⁻¹ x
/// ```
/// A posterior draw of the score is `σ(m_aᵀx + v √(xᵀA_a⁻¹x) z)`, z standard normal, the
/// projection on x of a Cholesky draw of the weights (see ``LinearThompsonSampling``).
/// ``posteriorSampleCount`` draws per decision feed the ``ContextualBandit``'s explorer
/// (``Greedy`` for Thompson sampling); ``scores(features:segment:candidates:estimates:bonuses:scratch:)``
/// gives the plug-in probabilities `σ(m_aᵀx)`.
///
/// - Complexity: O(n d²) + O(M n) per decision, O(d²) per update. No allocation.
///
/// ## References
/// Chapelle & Li, "An empirical evaluation of Thompson sampling", NeurIPS 2011 (Laplace
/// approximation); Spiegelhalter & Lauritzen (1990) for the sequential update.
public struct LogisticThompsonSampling: Scorer {
    /// `"logistic_thompson"`.
    public static let kind = "logistic_thompson"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Posterior scale v > 0 (1 is the Laplace posterior; larger explores more).
        public var scale: Double
        /// Prior precision λ > 0 of the weights.
        public var ridge: Double
        /// Posterior draws per decision, 1...4096.
        public var samples: Int
        /// Forgetting factor γ ∈ (0, 1]: each learned round scales every action's posterior
        /// precision by γ (the mean is kept), so old evidence fades and a drifting click
        /// rate is tracked; 1 = no forgetting.
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming the bad field.
        public init(scale: Double = 1, ridge: Double = 1, samples: Int = 32, forgetting: Double = 1) throws(BanditsError) {
            let linear = try LinearThompsonSampling.Configuration(scale: scale, ridge: ridge, forgetting: forgetting, samples: samples)
            self.scale = linear.scale
            self.ridge = linear.ridge
            self.samples = linear.samples
            self.forgetting = linear.forgetting
        }

        enum CodingKeys: String, CodingKey { case scale, ridge, samples, forgetting }

        /// Decodes a configuration; `forgetting` may be absent (1).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(scale: c.decode(Double.self, forKey: .scale), ridge: c.decode(Double.self, forKey: .ridge),
                          samples: c.decode(Int.self, forKey: .samples),
                          forgetting: c.decodeIfPresent(Double.self, forKey: .forgetting) ?? 1)
        }

        /// Encodes the configuration; `forgetting` only when < 1, so fingerprints of
        /// forgetting-free configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(scale, forKey: .scale)
            try c.encode(ridge, forKey: .ridge)
            try c.encode(samples, forKey: .samples)
            if forgetting < 1 { try c.encode(forgetting, forKey: .forgetting) }
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public var actionCount: Int { arms.count }
    /// Length of the context vectors read.
    public var contextDimension: Int { arms.dimension }
    /// Posterior draws per decision: `configuration.samples`.
    public var posteriorSampleCount: Int { configuration.samples }
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { arms.batchScratchCount + 2 * candidateCount }
    /// Inverse precisions and posterior means (`coefficients`) per action.
    var arms: RidgeArms

    /// Creates an untrained learner at the prior `N(0, λ⁻¹ I)`.
    /// - Throws: `BanditsError.emptyCatalog` or `BanditsError.invalidParameter` for a bad shape.
    public init(actionCount: Int, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        try checkShape(actionCount: actionCount, contextDimension: contextDimension)
        self.configuration = configuration
        arms = RidgeArms(count: actionCount, dimension: contextDimension, ridge: configuration.ridge,
                         forgetting: configuration.forgetting)
    }

    /// Writes the plug-in purchase (click) probabilities `σ(m_aᵀx)`; bonuses are 0.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        for i in 0..<candidates.count {
            estimates[i] = sigmoid(features.baseAddress.map { arms.mean(of: candidates[i], x: $0) } ?? 0)
            bonuses[i] = 0
        }
    }

    /// Writes `sampleCount` draws of `σ(m_aᵀx + v √(xᵀA_a⁻¹x) z)` per candidate.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard let x = features.baseAddress, let base = scratch.baseAddress else {
            for j in 0..<(sampleCount * n) { samples[j] = 0.5 }
            return
        }
        let means = base, deviations = base + n
        arms.scores(x: x, candidates: candidates, means: means, variances: deviations, scratch: base + 2 * n)
        for i in 0..<n { deviations[i] = configuration.scale * deviations[i].squareRoot() }
        for m in 0..<sampleCount {
            for i in 0..<n { samples[m * n + i] = sigmoid(means[i] + deviations[i] * generator.nextStandardNormal()) }
        }
    }

    /// One online Newton (Laplace) step on the action's posterior.
    /// - Throws: `BanditsError.invalidParameter` for a reward outside [0, 1].
    /// - Complexity: O(d²), no allocation beyond a stack buffer.
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        guard reward >= 0, reward <= 1 else {
            throw .invalidParameter(field: "reward", value: "\(reward)", expected: "a Bernoulli reward in [0, 1] for logistic_thompson")
        }
        let d = arms.dimension
        if configuration.forgetting < 1 {
            // One round of discounting: A_a ← γ^Δ A_a for the action updated now; the
            // others are discounted lazily when scored or updated (see RidgeArms).
            arms.clock += 1
            arms.applyPendingDiscount(action)
        }
        guard let x = features.baseAddress, d > 0, weight > 0 else {
            arms.refreshPacked(action)
            return
        }
        let p = sigmoid(arms.mean(of: action, x: x))
        // A floor on the curvature keeps the update well defined when p saturates.
        let curvature = weight * max(p * (1 - p), 1e-6)
        let block = action * d * d
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { buffer in
            let u = buffer.baseAddress!
            arms.inverses.withUnsafeMutableBufferPointer { inverses in
                let inv = inverses.baseAddress! + block
                BLAS.gemv(m: d, n: d, a: inv, lda: d, x: x, y: u)
                let denominator = 1 + curvature * BLAS.dot(n: d, x: x, y: u)
                BLAS.ger(m: d, n: d, alpha: -curvature / denominator, x: u, y: u, a: inv, lda: d)
                // The discount cap of RidgeArms reads the largest diagonal entry.
                var largest = 0.0
                for i in 0..<d { largest = max(largest, inv[i * d + i]) }
                arms.largestDiagonal[action] = largest
            }
            // The updated inverse times x is u / (1 + c xᵀu).
            let step = weight * (reward - p) / (1 + curvature * BLAS.dot(n: d, x: x, y: u))
            arms.coefficients.withUnsafeMutableBufferPointer { m in
                BLAS.axpy(n: d, alpha: step, x: u, y: m.baseAddress! + action * d)
            }
        }
        arms.counts[action] += weight
        arms.refreshPacked(action)
    }
}

/// The logistic function `1 / (1 + e^(−t))`, without overflow.
@inline(__always)
func sigmoid(_ t: Double) -> Double {
    t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
}
