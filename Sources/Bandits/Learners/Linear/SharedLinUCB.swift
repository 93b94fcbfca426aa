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
/// - Complexity: O(p² + K f²) per decision, O(p²) per update. No allocation.
///
/// ## References
/// Li, Chu, Langford & Schapire (2010), §3.2 (shared features); Vowpal Wabbit `--cb_explore_adf`
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

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming `alpha` or `ridge`.
        public init(alpha: Double = 1, ridge: Double = 1) throws(BanditsError) {
            try checkLinear(alpha: alpha, ridge: ridge, forgetting: 1)
            self.alpha = alpha
            self.ridge = ridge
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
            model = try RidgeStatistics(dimension: contextDimension * f, ridge: configuration.ridge)
        } catch {
            throw .numerical(error.description)
        }
        joint = Array(repeating: 0, count: contextDimension * f)
    }

    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int {
        let f = featureCount
        return f + contextDimension * f * f + f * f + f
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
        } catch {
            throw .numerical(error.description)
        }
    }

    // MARK: - Codable, Equatable (the update buffer is not state)

    enum CodingKeys: String, CodingKey {
        case configuration, actionCount = "action_count", contextDimension = "context_dimension"
        case featureCount = "feature_count", actionFeatures = "action_features", model
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
    }

    /// Equal when the configuration and the learned state are equal.
    public static func == (lhs: SharedLinUCB, rhs: SharedLinUCB) -> Bool {
        lhs.configuration == rhs.configuration && lhs.actionFeatures == rhs.actionFeatures
            && lhs.contextDimension == rhs.contextDimension && lhs.model == rhs.model
    }
}
