import AttuneCore

/// Bootstrap Thompson sampling: an ensemble of ridge regressions, each fed a bootstrap
/// resample of the data, stands in for the posterior.
///
/// Every observation is given to each of the `B` replicas with an independent
/// double-or-nothing weight (2 with probability ½, else 0), so replica `b` holds
/// ```
/// A_{b,a} = λ I + Σ w_b x xᵀ,   θ_{b,a} = A_{b,a}⁻¹ Σ w_b r x,   w_b ∈ {0, 2}
/// ```
/// A posterior draw picks a replica uniformly at random and scores every candidate with its
/// coefficients; ``posteriorSampleCount`` draws per decision feed the ``ContextualBandit``'s
/// explorer (``Greedy`` for Thompson sampling). The bootstrap weights come from a generator
/// kept in the model state (seeded by `seed`), so learning is reproducible and snapshots
/// restore it exactly. No Gaussian assumption is made on the rewards.
///
/// - Complexity: O(n d) per draw and O(B n d) for the means; O(B d²) per update. No allocation.
///
/// ## References
/// Eckles & Kaptein, "Thompson sampling with the online bootstrap" (2014); Osband & Van Roy,
/// "Bootstrapped Thompson sampling and deep exploration" (2015).
public struct BootstrapThompson: Scorer {
    /// `"bootstrap_thompson"`.
    public static let kind = "bootstrap_thompson"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Ensemble size B, 2...256.
        public var bags: Int
        /// Ridge λ > 0 of every replica.
        public var ridge: Double
        /// Posterior draws (replica picks) per decision, 1...4096.
        public var samples: Int
        /// Seed of the bootstrap weights.
        public var seed: UInt64
        /// Forgetting factor γ ∈ (0, 1]: each learned round discounts every replica's
        /// statistics by γ (1 = no forgetting; see ``LinUCB/Configuration/forgetting``).
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming the bad field.
        public init(bags: Int = 10, ridge: Double = 1, samples: Int = 32, seed: UInt64 = 0,
                    forgetting: Double = 1) throws(BanditsError) {
            guard bags >= 2, bags <= 256 else {
                throw .invalidParameter(field: "bags", value: "\(bags)", expected: "an integer in 2...256")
            }
            try checkLinear(alpha: 0, ridge: ridge, forgetting: forgetting)
            guard samples >= 1, samples <= 4096 else {
                throw .invalidParameter(field: "samples", value: "\(samples)", expected: "an integer in 1...4096")
            }
            self.bags = bags
            self.ridge = ridge
            self.samples = samples
            self.seed = seed
            self.forgetting = forgetting
        }

        enum CodingKeys: String, CodingKey { case bags, ridge, samples, seed, forgetting }

        /// Decodes a configuration; `forgetting` may be absent (1).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(bags: c.decode(Int.self, forKey: .bags), ridge: c.decode(Double.self, forKey: .ridge),
                          samples: c.decode(Int.self, forKey: .samples), seed: c.decode(UInt64.self, forKey: .seed),
                          forgetting: c.decodeIfPresent(Double.self, forKey: .forgetting) ?? 1)
        }

        /// Encodes the configuration; `forgetting` only when < 1, so fingerprints of
        /// forgetting-free configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bags, forKey: .bags)
            try c.encode(ridge, forKey: .ridge)
            try c.encode(samples, forKey: .samples)
            try c.encode(seed, forKey: .seed)
            if forgetting < 1 { try c.encode(forgetting, forKey: .forgetting) }
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public let actionCount: Int
    /// Length of the context vectors read.
    public var contextDimension: Int { replicas.dimension }
    /// Posterior draws per decision: `configuration.samples`.
    public var posteriorSampleCount: Int { configuration.samples }
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { max(1, contextDimension) }
    /// `B·K` ridge models: replica `b`, action `a` at `b·K + a`.
    var replicas: RidgeArms
    /// Source of the bootstrap weights (part of the state).
    var weights: SeededGenerator

    /// Creates an untrained ensemble.
    /// - Throws: `BanditsError.emptyCatalog` or `BanditsError.invalidParameter` for a bad shape.
    public init(actionCount: Int, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        try checkShape(actionCount: actionCount, contextDimension: contextDimension)
        self.configuration = configuration
        self.actionCount = actionCount
        replicas = RidgeArms(count: configuration.bags * actionCount, dimension: contextDimension,
                             ridge: configuration.ridge, forgetting: configuration.forgetting)
        weights = SeededGenerator(seed: configuration.seed)
    }

    /// Writes each candidate's ensemble-mean estimate; bonuses are 0.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let bags = configuration.bags
        for i in 0..<candidates.count {
            var sum = 0.0
            if let x = features.baseAddress {
                for b in 0..<bags { sum += replicas.mean(of: b * actionCount + candidates[i], x: x) }
            }
            estimates[i] = sum / Double(bags)
            bonuses[i] = 0
        }
    }

    /// Writes `sampleCount` draws: each picks a replica uniformly and writes its estimates.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count, bags = configuration.bags
        for m in 0..<sampleCount {
            // Multiply-shift on 32 random bits: the bias is below bags / 2³² ≤ 6·10⁻⁸.
            let b = Int((UInt64(bags) &* (generator.next() >> 32)) >> 32)
            for i in 0..<n {
                samples[m * n + i] = features.baseAddress.map { replicas.mean(of: b * actionCount + candidates[i], x: $0) } ?? 0
            }
        }
    }

    /// Gives the observation to each replica with a double-or-nothing weight.
    /// - Complexity: O(B d²), no allocation beyond a stack buffer.
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        let bags = configuration.bags
        guard let x = features.baseAddress else {
            for b in 0..<bags where weights.next() >> 63 == 1 { replicas.counts[b * actionCount + action] += 2 * weight }
            return
        }
        let forgetting = configuration.forgetting < 1
        // With forgetting the discount clock counts learned rounds, not replica updates.
        if forgetting { replicas.clock += 1 }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: contextDimension) { u in
            for b in 0..<bags where weights.next() >> 63 == 1 {
                if forgetting {
                    replicas.add(action: b * actionCount + action, x: x, reward: reward, weight: 2 * weight, scratch: u.baseAddress!)
                } else {
                    replicas.update(action: b * actionCount + action, x: x, reward: reward, weight: 2 * weight, scratch: u.baseAddress!)
                }
            }
        }
    }
}
