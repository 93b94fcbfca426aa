import AttuneCore
import Linalg

/// LinUCB with action features (ADF style): one shared ridge model over the interactions of
/// context and action features, so catalogs of hundreds of actions share what they learn and
/// a new action with known features is scored from the start.
///
/// With context `x ∈ ℝᵈ`, action features `f_a ∈ ℝᶠ` and the joint features `z_a = x ⊗ f_a`
/// (`p = d·f` values, `z[i·f + j] = x_i f_{a,j}`; put a constant 1 among the action features
/// to keep the context's main effects):
/// ```
/// estimate_a = θᵀ z_a = f_aᵀ (Θᵀ x),              Θ = θ as a d × f matrix
/// bonus_a    = α √(z_aᵀ A⁻¹ z_a) = α √(f_aᵀ G f_a),  G_{jl} = Σ_{i,k} x_i x_k A⁻¹[(i,j),(k,l)]
/// ```
/// `G` (f × f) is computed once per decision with two matrix–vector products over the stored
/// inverse (O(p²)), after which each action costs O(f²) instead of O(p²): scoring K actions
/// is O(p² + K f²), not O(K p²). The statistics are Linalg's ``RidgeStatistics``.
///
/// With `samples` ≥ 1 in the configuration it is a Thompson sampler instead: each posterior
/// draw is a whole coefficient vector through the Cholesky factor of `A`, kept current by
/// O(p²) rank-one updates (see ``sampleScores(features:segment:candidates:sampleCount:using:samples:scratch:)``).
///
/// - Complexity: O(p² + K f²) per decision, O(p²) per update. No allocation.
///
/// ## References
/// Agrawal & Goyal (2013) for the Thompson draws; Li, Chu, Langford & Schapire (2010), §3.2 (shared features); Vowpal Wabbit `--cb_explore_adf`
/// with quadratic interactions (`-q`).
public struct SharedLinUCB: Scorer {
    /// `"shared_linucb"`.
    public static let kind = "shared_linucb"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Width α ≥ 0 of the confidence bonus.
        public var alpha: Double
        /// Ridge λ > 0 of the shared model.
        public var ridge: Double
        /// Posterior draws per decision, 0...4096: 0 scores optimistically (LinUCB), ≥ 1 makes
        /// the learner a Thompson sampler drawing whole coefficient vectors from the posterior.
        public var samples: Int
        /// Posterior scale v > 0 of the Thompson draws (the reward noise standard deviation).
        public var scale: Double
        /// Forgetting factor γ ∈ (0, 1] of the shared model (Linalg's discounted
        /// ``RidgeStatistics``, which keeps a floor on the prior); 1 = no forgetting.
        /// ``HybridLinUCB`` accepts only 1.
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming `alpha`, `ridge`, `samples`, `scale`
        ///   or `forgetting`.
        public init(alpha: Double = 1, ridge: Double = 1, samples: Int = 0, scale: Double = 1,
                    forgetting: Double = 1) throws(BanditsError) {
            try checkLinear(alpha: alpha, ridge: ridge, forgetting: forgetting)
            guard samples >= 0, samples <= 4096 else {
                throw .invalidParameter(field: "samples", value: "\(samples)", expected: "an integer in 0...4096 (0 = LinUCB)")
            }
            guard scale.isFinite, scale > 0 else {
                throw .invalidParameter(field: "scale", value: "\(scale)", expected: "a finite number > 0")
            }
            self.alpha = alpha
            self.ridge = ridge
            self.samples = samples
            self.scale = scale
            self.forgetting = forgetting
        }

        enum CodingKeys: String, CodingKey { case alpha, ridge, samples, scale, forgetting }

        /// Decodes a configuration; `samples` and `scale` may be absent (LinUCB).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(alpha: c.decode(Double.self, forKey: .alpha), ridge: c.decode(Double.self, forKey: .ridge),
                          samples: c.decodeIfPresent(Int.self, forKey: .samples) ?? 0,
                          scale: c.decodeIfPresent(Double.self, forKey: .scale) ?? 1,
                          forgetting: c.decodeIfPresent(Double.self, forKey: .forgetting) ?? 1)
        }

        /// Encodes the configuration; the Thompson fields only when `samples` > 0, so
        /// fingerprints of LinUCB configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(ridge, forKey: .ridge)
            if samples > 0 {
                try c.encode(samples, forKey: .samples)
                try c.encode(scale, forKey: .scale)
            }
            if forgetting < 1 { try c.encode(forgetting, forKey: .forgetting) }
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public let actionCount: Int
    /// Length of the context vectors read.
    public let contextDimension: Int
    /// Action features per action.
    public let featureCount: Int
    /// `K × f` action features, row-major.
    let actionFeatures: [Double]
    /// The shared model over `p = d·f` joint features.
    var model: RidgeStatistics
    /// Joint-feature buffer for updates (not part of the state).
    var joint: [Double]
    /// Thompson mode: the Cholesky factor `L` of `A = L Lᵀ`, kept current by rank-one
    /// updates (O(p²) each) so that draws `θ̃ = θ + v L⁻ᵀ ξ` need no factorization.
    var factor: Cholesky?
    /// Posterior draws per decision: `configuration.samples` (0 = optimistic scoring).
    public var posteriorSampleCount: Int { configuration.samples }

    /// Creates an untrained learner for `catalog`, whose actions must carry features.
    /// - Throws: `BanditsError.invalidParameter` when the actions have no features or the
    ///   context dimension is < 1; `BanditsError.numerical` when the model cannot be created.
    public init(catalog: ActionCatalog, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        let f = catalog.actionFeatureCount
        guard f >= 1 else {
            throw .invalidParameter(field: "catalog.features", value: "none", expected: "action features (the same count for every action)")
        }
        guard contextDimension >= 1 else {
            throw .invalidParameter(field: "context_dimension", value: "\(contextDimension)", expected: "an integer >= 1")
        }
        self.configuration = configuration
        self.actionCount = catalog.count
        self.contextDimension = contextDimension
        self.featureCount = f
        actionFeatures = catalog.actions.flatMap(\.features)
        do {
            model = try RidgeStatistics(dimension: contextDimension * f, ridge: configuration.ridge,
                                        forgetting: configuration.forgetting)
        } catch {
            throw .numerical(error.description)
        }
        joint = Array(repeating: 0, count: contextDimension * f)
        if configuration.samples > 0 { factor = try Self.makeFactor(model) }
    }

    /// The Cholesky factor of the model's precision.
    static func makeFactor(_ model: RidgeStatistics) throws(BanditsError) -> Cholesky {
        do { return try Cholesky(model.precision) } catch { throw .numerical("shared model precision: \(error.description)") }
    }

    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int {
        let f = featureCount, p = contextDimension * f
        return max(f + contextDimension * f * f + f * f + f, 2 * p + f)
    }

    /// Writes each candidate's shared-model estimate and bonus.
    /// - Complexity: O(p² + n f²), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let d = contextDimension, f = featureCount, p = d * f
        let x = features.baseAddress!, base = scratch.baseAddress!
        let w = base, s = base + f, g = s + d * f * f, h = g + f * f
        model.coefficients.elements.withUnsafeBufferPointer { theta in
            // w = Θᵀ x (Θ is d × f).
            BLAS.gemv(transpose: .transpose, m: d, n: f, a: theta.baseAddress!, lda: f, x: x, y: w)
        }
        let alpha = configuration.alpha
        if alpha > 0 {
            model.inverse.elements.withUnsafeBufferPointer { inverse in
                // S[j, (k, l)] = Σ_i x_i A⁻¹[(i, j), (k, l)]: A⁻¹ seen as d × (f·p).
                BLAS.gemv(transpose: .transpose, m: d, n: f * p, a: inverse.baseAddress!, lda: f * p, x: x, y: s)
            }
            // G[j, :] = S[j]ᵀ x with S[j] a d × f block.
            for j in 0..<f {
                BLAS.gemv(transpose: .transpose, m: d, n: f, a: s + j * p, lda: f, x: x, y: g + j * f)
            }
        }
        actionFeatures.withUnsafeBufferPointer { features in
            let fa = features.baseAddress!
            for i in 0..<candidates.count {
                let row = fa + candidates[i] * f
                estimates[i] = BLAS.dot(n: f, x: row, y: w)
                guard alpha > 0 else { bonuses[i] = 0; continue }
                BLAS.gemv(m: f, n: f, a: g, lda: f, x: row, y: h)
                bonuses[i] = alpha * max(BLAS.dot(n: f, x: row, y: h), 0).squareRoot()
            }
        }
    }

    /// Sherman–Morrison update of the shared model with `z = x ⊗ f_action`.
    /// - Throws: `BanditsError.numerical` if the statistics refuse the update.
    /// - Complexity: O(p²), no allocation.
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        let d = contextDimension, f = featureCount
        let offset = action * f
        for i in 0..<d {
            let xi = features[i]
            for j in 0..<f { joint[i * f + j] = xi * actionFeatures[offset + j] }
        }
        do {
            try joint.withUnsafeBufferPointer { (z) throws(LinalgError) in
                try model.update(with: z, reward: reward, weight: weight)
            }
            if factor != nil, configuration.forgetting < 1 {
                // Discounting rescales A and, now and then, restores the prior floor: the
                // factor is rebuilt from A (O(p³) per update in this mode).
                factor = try Cholesky(model.precision)
            } else if factor != nil, weight > 0 {
                // L Lᵀ + (√w z)(√w z)ᵀ; the update consumes the buffer.
                let root = weight.squareRoot()
                for i in joint.indices { joint[i] *= root }
                try joint.withUnsafeMutableBufferPointer { (z) throws(LinalgError) in try factor?.update(with: z) }
            }
        } catch {
            throw .numerical(error.description)
        }
    }

    /// Writes `sampleCount` Thompson draws: each draws a whole coefficient vector
    /// `θ̃ = θ + v L⁻ᵀ ξ ~ N(θ, v² A⁻¹)` (ξ standard normal, `A = L Lᵀ`) and scores every
    /// candidate with it, `z_aᵀθ̃ = f_aᵀ (Θ̃ᵀ x)`, so the draws of different actions are
    /// correlated exactly as the shared posterior says. Without a factor (optimistic mode) the
    /// rows hold `estimate + bonus`.
    /// - Complexity: O(M (p² + n f)), no allocation.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard let factor else {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { bonuses in
                scores(features: features, segment: segment, candidates: candidates,
                       estimates: UnsafeMutableBufferPointer(rebasing: samples[0..<n]), bonuses: bonuses, scratch: scratch)
                for i in 0..<n { samples[i] += bonuses[i] }
            }
            for m in 1..<max(sampleCount, 1) { for i in 0..<n { samples[m * n + i] = samples[i] } }
            return
        }
        let d = contextDimension, f = featureCount, p = d * f
        let x = features.baseAddress!, theta = scratch.baseAddress!, w = theta + p
        let v = configuration.scale
        for m in 0..<sampleCount {
            for j in 0..<p { theta[j] = generator.nextStandardNormal() }
            factor.factor.elements.withUnsafeBufferPointer { l in
                // Lᵀ y = ξ  ⇒  y = L⁻ᵀ ξ, whose covariance is (L Lᵀ)⁻¹ = A⁻¹.
                BLAS.trsv(triangle: .lower, transpose: .transpose, n: p, a: l.baseAddress!, lda: p, x: theta)
            }
            model.coefficients.elements.withUnsafeBufferPointer { mean in
                for j in 0..<p { theta[j] = mean[j] + v * theta[j] }
            }
            BLAS.gemv(transpose: .transpose, m: d, n: f, a: theta, lda: f, x: x, y: w)
            actionFeatures.withUnsafeBufferPointer { fa in
                for i in 0..<n { samples[m * n + i] = BLAS.dot(n: f, x: fa.baseAddress! + candidates[i] * f, y: w) }
            }
        }
    }

    // MARK: - Codable, Equatable (the update buffer is not state)

    enum CodingKeys: String, CodingKey {
        case configuration, actionCount = "action_count", contextDimension = "context_dimension"
        case featureCount = "feature_count", actionFeatures = "action_features", model
        case factor
    }

    /// Decodes the value written by ``encode(to:)``.
    /// - Throws: `DecodingError` for malformed or inconsistent data.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = try c.decode(Configuration.self, forKey: .configuration)
        actionCount = try c.decode(Int.self, forKey: .actionCount)
        contextDimension = try c.decode(Int.self, forKey: .contextDimension)
        featureCount = try c.decode(Int.self, forKey: .featureCount)
        actionFeatures = try c.decode([Double].self, forKey: .actionFeatures)
        model = try c.decode(RidgeStatistics.self, forKey: .model)
        guard actionFeatures.count == actionCount * featureCount, model.dimension == contextDimension * featureCount else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "shapes do not match"))
        }
        joint = Array(repeating: 0, count: contextDimension * featureCount)
        // The factor is stored rather than recomputed: one rebuilt from A differs from the
        // updated one in the last bits, and restored draws must be identical.
        if configuration.samples > 0 {
            let stored = try c.decode(Matrix.self, forKey: .factor)
            guard stored.rows == model.dimension, stored.columns == model.dimension else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "factor shape does not match"))
            }
            factor = try Cholesky(factor: stored)
        }
    }

    /// Encodes the complete value.
    /// - Throws: the encoder's errors.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configuration, forKey: .configuration)
        try c.encode(actionCount, forKey: .actionCount)
        try c.encode(contextDimension, forKey: .contextDimension)
        try c.encode(featureCount, forKey: .featureCount)
        try c.encode(actionFeatures, forKey: .actionFeatures)
        try c.encode(model, forKey: .model)
        if let factor { try c.encode(factor.factor, forKey: .factor) }
    }

    /// Equal when the configuration and the learned state are equal.
    public static func == (lhs: SharedLinUCB, rhs: SharedLinUCB) -> Bool {
        lhs.configuration == rhs.configuration && lhs.actionFeatures == rhs.actionFeatures
            && lhs.contextDimension == rhs.contextDimension && lhs.model == rhs.model && lhs.factor == rhs.factor
    }
}
