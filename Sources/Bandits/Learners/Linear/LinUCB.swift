import AttuneCore

/// Disjoint LinUCB: one ridge regression per action, scored optimistically.
///
/// For context `x` and action `a` with ridge statistics `A_a`, `θ_a` (see the forgetting and
/// update rules in the module README):
/// ```
/// estimate_a = θ_aᵀ x,   bonus_a = α √(xᵀ A_a⁻¹ x)
/// ```
/// Pair it with ``OptimisticArgmax`` for LinUCB proper (all mass on the highest
/// `estimate + bonus`, exact ties split evenly), or with ``EpsilonGreedy``, ``Softmax`` or
/// ``SquareCB``. With `alpha = 0` it is a plain ridge-regression scorer and skips the
/// variance computation.
///
/// Non-stationary rewards: `forgetting` < 1 discounts the past geometrically; `window` = W
/// keeps exactly the last W observations of each action (the statistics equal a fresh ridge
/// fit on them), by Sherman–Morrison downdates and a Cholesky refactorization every W updates.
///
/// - Complexity: scoring n candidates is O(n d²) with α > 0 (batched into two `gemv` over
///   all actions when n ≥ K/2) and O(n d) with α = 0; an update is O(d²). No allocation
///   (with a window, amortized O(d² + d³/W) and one refactorization's buffers every W updates).
///
/// ## References
/// Li, Chu, Langford & Schapire, "A contextual-bandit approach to personalized news article
/// recommendation", WWW 2010 (Algorithm 1).
public struct LinUCB: Scorer {
    /// `"linucb"`.
    public static let kind = "linucb"

    /// Hyper-parameters of LinUCB.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Width α ≥ 0 of the confidence bonus, in reward units per standard error.
        public var alpha: Double
        /// Ridge regularization λ > 0 (prior precision of the coefficients).
        public var ridge: Double
        /// Forgetting factor γ ∈ (0, 1]: each update discounts the action's past by γ
        /// (1 = no forgetting; 0.99 ≈ a memory of 100 updates).
        public var forgetting: Double
        /// Sliding window W: each action's model is the exact ridge fit on its last W
        /// observations (0 = keep everything). Exclusive with forgetting < 1.
        public var window: Int

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming `alpha`, `ridge`, `forgetting` or `window`.
        public init(alpha: Double = 1, ridge: Double = 1, forgetting: Double = 1, window: Int = 0) throws(BanditsError) {
            try checkLinear(alpha: alpha, ridge: ridge, forgetting: forgetting)
            try checkWindow(window, forgetting: forgetting)
            self.alpha = alpha
            self.ridge = ridge
            self.forgetting = forgetting
            self.window = window
        }

        enum CodingKeys: String, CodingKey { case alpha, ridge, forgetting, window }

        /// Decodes a configuration; `window` may be absent (0).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(alpha: c.decode(Double.self, forKey: .alpha), ridge: c.decode(Double.self, forKey: .ridge),
                          forgetting: c.decode(Double.self, forKey: .forgetting),
                          window: c.decodeIfPresent(Int.self, forKey: .window) ?? 0)
        }

        /// Encodes the configuration; `window` only when set, so fingerprints of
        /// window-free configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(ridge, forKey: .ridge)
            try c.encode(forgetting, forKey: .forgetting)
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
    public func scratchCount(candidateCount: Int) -> Int { arms.batchScratchCount }
    var arms: RidgeArms

    /// Creates an untrained LinUCB over `actionCount` actions and `contextDimension` features.
    /// - Throws: `BanditsError.emptyCatalog` when `actionCount` < 1,
    ///   `BanditsError.invalidParameter` when `contextDimension` < 0.
    public init(actionCount: Int, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        try checkShape(actionCount: actionCount, contextDimension: contextDimension)
        self.configuration = configuration
        arms = RidgeArms(count: actionCount, dimension: contextDimension,
                         ridge: configuration.ridge, forgetting: configuration.forgetting, window: configuration.window)
    }

    /// The coefficients θ_a of `action` (a copy, for inspection).
    public func coefficients(of action: Int) -> [Double] {
        Array(arms.coefficients[action * arms.dimension..<(action + 1) * arms.dimension])
    }

    /// Writes `θ_aᵀx` and `α √(xᵀA_a⁻¹x)` per candidate.
    /// - Complexity: O(n d²) (O(n d) when α = 0), no allocation.
    @inlinable
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        scoreArms(features: features, candidates: candidates, estimates: estimates, bonuses: bonuses, scratch: scratch)
    }

    @usableFromInline
    func scoreArms(
        features: UnsafeBufferPointer<Double>, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let alpha = configuration.alpha
        guard let x = features.baseAddress, let tmp = scratch.baseAddress else {
            for i in 0..<candidates.count { estimates[i] = 0; bonuses[i] = 0 }
            return
        }
        arms.scores(x: x, candidates: candidates, means: estimates.baseAddress!,
                    variances: alpha > 0 ? bonuses.baseAddress! : nil, scratch: tmp)
        if alpha > 0 {
            for i in 0..<candidates.count { bonuses[i] = alpha * bonuses[i].squareRoot() }
        } else {
            for i in 0..<candidates.count { bonuses[i] = 0 }
        }
    }

    /// Sherman–Morrison update of the action's ridge statistics.
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

// MARK: - Shared checks

/// Checks the hyper-parameters shared by the linear learners.
func checkLinear(alpha: Double, ridge: Double, forgetting: Double) throws(BanditsError) {
    guard alpha.isFinite, alpha >= 0 else {
        throw .invalidParameter(field: "alpha", value: "\(alpha)", expected: "a finite number >= 0")
    }
    guard ridge.isFinite, ridge > 0 else {
        throw .invalidParameter(field: "ridge", value: "\(ridge)", expected: "a finite number > 0")
    }
    guard forgetting.isFinite, forgetting > 0, forgetting <= 1 else {
        throw .invalidParameter(field: "forgetting", value: "\(forgetting)", expected: "a number in (0, 1]")
    }
}

/// Checks a sliding-window length (0 = none; exclusive with forgetting).
func checkWindow(_ window: Int, forgetting: Double) throws(BanditsError) {
    guard window >= 0, window <= 10_000_000 else {
        throw .invalidParameter(field: "window", value: "\(window)", expected: "an integer in 1...10000000, or 0 for no window")
    }
    guard window == 0 || forgetting == 1 else {
        throw .invalidParameter(field: "window", value: "\(window)", expected: "either a window or forgetting < 1, not both")
    }
}

/// Checks a learner's action count and context dimension.
func checkShape(actionCount: Int, contextDimension: Int) throws(BanditsError) {
    guard actionCount >= 1 else { throw .emptyCatalog }
    guard contextDimension >= 0 else {
        throw .invalidParameter(field: "context_dimension", value: "\(contextDimension)", expected: "an integer >= 0")
    }
}
