import AttuneCore

/// Disjoint linear Thompson sampling: one Bayesian ridge regression per action, whose
/// posterior is sampled at every decision.
///
/// Action `a`'s coefficients have the Gaussian posterior `θ̃_a ~ N(θ_a, v² A_a⁻¹)`. With a
/// Cholesky factor `A_a⁻¹ = L Lᵀ`, a draw is `θ̃ = θ_a + v L z` (z standard normal), and its
/// score in context x is
/// ```
/// xᵀθ̃ = xᵀθ_a + v (Lᵀx)ᵀ z  ~  N(xᵀθ_a, v² xᵀA_a⁻¹x)
/// ```
/// Because each action's model is separate, only this scalar is needed, so a draw costs one
/// normal variate per candidate: the scalar `v √(xᵀA⁻¹x) z` has exactly the law of the
/// Cholesky draw projected on x, without forming `L z` (d² work) for each action.
///
/// ``posteriorSampleCount`` draws per decision feed the ``ContextualBandit``'s explorer
/// (``Greedy`` for Thompson sampling); the averaged distribution is what is sampled and
/// logged. The draws come from the bandit's seeded generator, so the same seed gives the
/// same draws on every machine. ``scores(features:segment:candidates:estimates:bonuses:scratch:)``
/// gives the posterior means (bonus 0).
///
/// - Complexity: O(n d²) per decision for the variances plus O(M n) normal draws; O(d²)
///   per update. No allocation.
///
/// ## References
/// Agrawal & Goyal, "Thompson sampling for contextual bandits with linear payoffs", ICML 2013;
/// Chapelle & Li, "An empirical evaluation of Thompson sampling", NeurIPS 2011.
public struct LinearThompsonSampling: Scorer {
    /// `"linear_thompson"`.
    public static let kind = "linear_thompson"

    /// Hyper-parameters of linear Thompson sampling.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Posterior scale v > 0 (standard deviation of the reward noise, in reward units).
        public var scale: Double
        /// Ridge regularization λ > 0.
        public var ridge: Double
        /// Forgetting factor γ ∈ (0, 1].
        public var forgetting: Double
        /// Posterior draws per decision, 1...4096 (more draws give smoother, better-estimated
        /// probabilities at O(n) extra cost each).
        public var samples: Int
        /// Sliding window W: each action's posterior comes from its last W observations
        /// only (0 = keep everything). Exclusive with forgetting < 1.
        public var window: Int

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming the bad field.
        public init(scale: Double = 1, ridge: Double = 1, forgetting: Double = 1, samples: Int = 32,
                    window: Int = 0) throws(BanditsError) {
            guard scale.isFinite, scale > 0 else {
                throw .invalidParameter(field: "scale", value: "\(scale)", expected: "a finite number > 0")
            }
            try checkLinear(alpha: 0, ridge: ridge, forgetting: forgetting)
            guard samples >= 1, samples <= 4096 else {
                throw .invalidParameter(field: "samples", value: "\(samples)", expected: "an integer in 1...4096")
            }
            self.scale = scale
            self.ridge = ridge
            self.forgetting = forgetting
            try checkWindow(window, forgetting: forgetting)
            self.samples = samples
            self.window = window
        }

        enum CodingKeys: String, CodingKey { case scale, ridge, forgetting, samples, window }

        /// Decodes a configuration; `window` may be absent (0).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(scale: c.decode(Double.self, forKey: .scale), ridge: c.decode(Double.self, forKey: .ridge),
                          forgetting: c.decode(Double.self, forKey: .forgetting), samples: c.decode(Int.self, forKey: .samples),
                          window: c.decodeIfPresent(Int.self, forKey: .window) ?? 0)
        }

        /// Encodes the configuration; `window` only when set, so fingerprints of
        /// window-free configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(scale, forKey: .scale)
            try c.encode(ridge, forKey: .ridge)
            try c.encode(forgetting, forKey: .forgetting)
            try c.encode(samples, forKey: .samples)
            if window > 0 { try c.encode(window, forKey: .window) }
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public var actionCount: Int { arms.count }
    /// Length of the context vectors read.
    public var contextDimension: Int { arms.dimension }
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { arms.batchScratchCount + 2 * candidateCount }
    /// Posterior draws per decision: `configuration.samples`.
    public var posteriorSampleCount: Int { configuration.samples }
    var arms: RidgeArms

    /// Creates an untrained learner at the prior `θ_a ~ N(0, v²/λ I)`.
    /// - Throws: `BanditsError.emptyCatalog` or `BanditsError.invalidParameter` for a bad shape.
    public init(actionCount: Int, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        try checkShape(actionCount: actionCount, contextDimension: contextDimension)
        self.configuration = configuration
        arms = RidgeArms(count: actionCount, dimension: contextDimension,
                         ridge: configuration.ridge, forgetting: configuration.forgetting, window: configuration.window)
    }

    /// Writes each candidate's posterior mean `θ_aᵀx`; bonuses are 0.
    /// - Complexity: O(n d), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        for i in 0..<candidates.count {
            estimates[i] = features.baseAddress.map { arms.mean(of: candidates[i], x: $0) } ?? 0
            bonuses[i] = 0
        }
    }

    /// Writes `sampleCount` posterior draws of each candidate's score, candidate by
    /// candidate (a fixed order, so the draws are reproducible).
    /// - Complexity: O(n d²) + O(M n), no allocation.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard sampleCount > 0, n > 0 else { return }
        let scale = configuration.scale
        guard let x = features.baseAddress, let base = scratch.baseAddress else {
            // No features: the model has no coefficients and every score is 0.
            for j in 0..<(sampleCount * n) { samples[j] = 0 }
            return
        }
        let means = base, deviations = base + n, work = base + 2 * n
        arms.scores(x: x, candidates: candidates, means: means, variances: deviations, scratch: work)
        for i in 0..<n { deviations[i] = scale * deviations[i].squareRoot() }
        // Both variates of each polar pair are used, in a fixed order (sample-major).
        let total = sampleCount * n
        var j = 0
        while j < total {
            let (z0, z1) = generator.nextStandardNormalPair()
            samples[j] = means[j % n] + deviations[j % n] * z0
            if j + 1 < total { samples[j + 1] = means[(j + 1) % n] + deviations[(j + 1) % n] * z1 }
            j += 2
        }
    }

    /// Sherman–Morrison update of the action's posterior.
    /// - Complexity: O(d²), no allocation.
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        guard let x = features.baseAddress else {
            arms.counts[action] += weight
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: arms.dimension) { u in
            arms.update(action: action, x: x, reward: reward, weight: weight, scratch: u.baseAddress!)
        }
    }
}
