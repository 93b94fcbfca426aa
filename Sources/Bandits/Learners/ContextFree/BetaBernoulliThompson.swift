import AttuneCore
import Foundation

/// Beta–Bernoulli Thompson sampling: a context-free posterior sampler for rewards in [0, 1],
/// one independent Beta posterior per segment and action.
///
/// With prior Beta(α₀, β₀) and weighted observations, action `a`'s posterior is
/// ```
/// Beta(α₀ + Σ w r,  β₀ + Σ w (1 − r))
/// ```
/// (a fractional reward counts as a fractional success). Each decision draws
/// `posteriorSampleCount` posterior means per candidate; the bandit's explorer (``Greedy``
/// for Thompson sampling) is applied to every draw and the results averaged, so the logged
/// probabilities are those sampled from. ``scores(features:segment:candidates:estimates:bonuses:scratch:)``
/// gives the posterior means.
///
/// ## References
/// Thompson, "On the likelihood that one unknown probability exceeds another", Biometrika
/// (1933); Chapelle & Li, "An empirical evaluation of Thompson sampling" (NeurIPS 2011).
public struct BetaBernoulliThompson: Scorer {
    /// `"beta_bernoulli"`.
    public static let kind = "beta_bernoulli"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Prior successes α₀ > 0.
        public var priorAlpha: Double
        /// Prior failures β₀ > 0.
        public var priorBeta: Double
        /// Posterior draws per decision, ≥ 1 (more draws give smoother probabilities).
        public var samples: Int
        /// Number of segments with their own posteriors.
        public var segmentCount: Int
        /// Forgetting factor γ ∈ (0, 1]: every round learned in a segment discounts that
        /// segment's evidence by γ (1 = none), so drifting conversion rates are tracked.
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming the bad field.
        public init(priorAlpha: Double = 1, priorBeta: Double = 1, samples: Int = 32, segmentCount: Int = 1,
                    forgetting: Double = 1) throws(BanditsError) {
            guard forgetting.isFinite, forgetting > 0, forgetting <= 1 else {
                throw .invalidParameter(field: "forgetting", value: "\(forgetting)", expected: "a number in (0, 1]")
            }
            guard priorAlpha.isFinite, priorAlpha > 0 else {
                throw .invalidParameter(field: "prior_alpha", value: "\(priorAlpha)", expected: "a finite number > 0")
            }
            guard priorBeta.isFinite, priorBeta > 0 else {
                throw .invalidParameter(field: "prior_beta", value: "\(priorBeta)", expected: "a finite number > 0")
            }
            guard samples >= 1, samples <= 4096 else {
                throw .invalidParameter(field: "samples", value: "\(samples)", expected: "an integer in 1...4096")
            }
            guard segmentCount >= 1 else {
                throw .invalidParameter(field: "segment_count", value: "\(segmentCount)", expected: "an integer >= 1")
            }
            self.priorAlpha = priorAlpha
            self.priorBeta = priorBeta
            self.samples = samples
            self.segmentCount = segmentCount
            self.forgetting = forgetting
        }

        enum CodingKeys: String, CodingKey {
            case priorAlpha = "prior_alpha"
            case priorBeta = "prior_beta"
            case samples
            case segmentCount = "segment_count"
            case forgetting
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public let actionCount: Int
    /// Length of the context vectors read.
    public let contextDimension: Int
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { 0 }
    /// Posterior draws per decision: `configuration.samples`.
    public var posteriorSampleCount: Int { configuration.samples }

    /// Posterior α per (segment, action), row-major `segment * actionCount + action`.
    public internal(set) var alphas: [Double]
    /// Posterior β per (segment, action).
    public internal(set) var betas: [Double]
    /// Rounds learned per segment (the discount clock).
    var clocks: [Double]
    /// The segment clock at each (segment, action)'s last update.
    var lastUpdate: [Double]

    /// Creates an untrained learner at the prior.
    /// - Throws: `BanditsError.emptyCatalog` or `BanditsError.invalidParameter` for bad counts.
    public init(actionCount: Int, contextDimension: Int = 0, configuration: Configuration) throws(BanditsError) {
        guard actionCount >= 1 else { throw .emptyCatalog }
        guard contextDimension >= 0 else {
            throw .invalidParameter(field: "context_dimension", value: "\(contextDimension)", expected: "an integer >= 0")
        }
        self.configuration = configuration
        self.actionCount = actionCount
        self.contextDimension = contextDimension
        alphas = Array(repeating: configuration.priorAlpha, count: configuration.segmentCount * actionCount)
        betas = Array(repeating: configuration.priorBeta, count: configuration.segmentCount * actionCount)
        clocks = Array(repeating: 0, count: configuration.segmentCount)
        lastUpdate = Array(repeating: 0, count: configuration.segmentCount * actionCount)
    }

    /// The posterior `(α, β)` of (segment `s`, action at flat index `i`) with the discounts
    /// pending since its last update applied: `α₀ + (α − α₀) γ^Δ`, likewise for β.
    @inline(__always)
    func posterior(_ i: Int, segment s: Int) -> (alpha: Double, beta: Double) {
        let c = configuration
        guard c.forgetting < 1 else { return (alphas[i], betas[i]) }
        let factor = Foundation.pow(c.forgetting, clocks[s] - lastUpdate[i])
        return (c.priorAlpha + (alphas[i] - c.priorAlpha) * factor, c.priorBeta + (betas[i] - c.priorBeta) * factor)
    }

    /// Writes each candidate's posterior mean `α / (α + β)`; bonuses are 0.
    /// - Complexity: O(n), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let s = segment ?? 0, base = s * actionCount
        for (i, a) in candidates.enumerated() {
            let (alpha, beta) = posterior(base + a, segment: s)
            estimates[i] = alpha / (alpha + beta)
            bonuses[i] = 0
        }
    }

    /// Writes `sampleCount` Beta posterior draws per candidate.
    /// - Complexity: O(M n) gamma draws, no allocation.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let s = segment ?? 0, base = s * actionCount
        let n = candidates.count
        for m in 0..<sampleCount {
            for (i, a) in candidates.enumerated() {
                let (alpha, beta) = posterior(base + a, segment: s)
                // Both shapes are finite and positive by construction, so the draw cannot
                // fail; the mean is a safe fallback all the same.
                samples[m * n + i] = (try? generator.nextBeta(alpha: alpha, beta: beta)) ?? alpha / (alpha + beta)
            }
        }
    }

    /// Discounts the segment's evidence by one round (with forgetting), then adds `w r`
    /// successes and `w (1 − r)` failures.
    /// - Throws: `BanditsError.invalidParameter` for a reward outside [0, 1].
    /// - Complexity: O(1).
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        guard reward >= 0, reward <= 1 else {
            throw .invalidParameter(field: "reward", value: "\(reward)", expected: "a Bernoulli reward in [0, 1] for beta_bernoulli")
        }
        let s = segment ?? 0, i = s * actionCount + action
        if configuration.forgetting < 1 {
            clocks[s] += 1
            (alphas[i], betas[i]) = posterior(i, segment: s)
            lastUpdate[i] = clocks[s]
        }
        alphas[i] += weight * reward
        betas[i] += weight * (1 - reward)
    }

    /// - Throws: `BanditsError.unknownSegment` for a missing or out-of-range segment when
    ///   several segments are kept.
    public func validate(segment: Int?) throws(BanditsError) {
        try validateSegment(segment, count: configuration.segmentCount)
    }
}
