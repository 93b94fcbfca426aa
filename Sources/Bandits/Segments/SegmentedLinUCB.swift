import AttuneCore
import Linalg

/// LinUCB with customer segments: one model per segment, one shared model with the segment's
/// one-hot indicator, or per-segment models shrunk toward a global one (see
/// ``SegmentStrategy``).
///
/// For the `hierarchical` strategy, segment `s`'s coefficients for action `a` have the prior
/// `θ_{s,a} ~ N(θ_{g,a}, λₕ⁻¹ I)` centred on the global model, whose posterior mean is
/// ```
/// θ_{s,a} = (λₕ I + X_sᵀX_s)⁻¹ (λₕ θ_{g,a} + X_sᵀ r_s)
/// xᵀθ_{s,a} = xᵀ θ_{s,a}⁰ + λₕ (A_{s,a}⁻¹ x)ᵀ θ_{g,a}
/// ```
/// where `A_{s,a} = λₕ I + X_sᵀX_s` and `θ⁰ = A⁻¹ X_sᵀ r_s` are the segment's own ridge
/// statistics (ridge λₕ), and `θ_{g,a}` the global model's (ridge λ, fed every observation).
/// The bonus is `α √(xᵀ A_{s,a}⁻¹ x)`. A segment with few observations scores like the
/// global model; one with many converges to its own fit.
///
/// With `samples > 0` it is Thompson sampling instead: each decision draws the scores from
/// the same posteriors (pair it with ``Greedy``).
///
/// - Complexity: O(n d²) per decision (O(n (d+S)²) for `shared_one_hot`), O(d²) per update
///   (two updates for `hierarchical`). No allocation.
///
/// ## References
/// Li et al. (2010) for LinUCB; Gelman & Hill, "Data analysis using regression and
/// multilevel/hierarchical models" (2007), ch. 12, for partial pooling.
public struct SegmentedLinUCB: Scorer {
    /// `"segmented_linucb"`.
    public static let kind = "segmented_linucb"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Width α ≥ 0 of the confidence bonus.
        public var alpha: Double
        /// Ridge λ > 0 of the global (or only) model.
        public var ridge: Double
        /// Forgetting factor γ ∈ (0, 1].
        public var forgetting: Double
        /// How segments share the model.
        public var strategy: SegmentStrategy
        /// Number of segments, ≥ 1.
        public var segmentCount: Int
        /// Prior precision λₕ > 0 pulling segments toward the global model (`hierarchical`).
        public var shrinkage: Double
        /// Posterior draws per decision for Thompson sampling (0: deterministic estimates and
        /// bonuses, i.e. LinUCB). A draw of action `a`'s score is `estimate_a + v √(width_a) z`
        /// with `v = scale`, as in ``LinearThompsonSampling``.
        public var samples: Int
        /// Posterior scale v > 0 of the Thompson draws.
        public var scale: Double
        /// Sliding window W: every model (global, per segment) keeps only its last W
        /// observations per action (0 = keep everything). Exclusive with forgetting < 1.
        public var window: Int

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming the bad field.
        public init(alpha: Double = 1, ridge: Double = 1, forgetting: Double = 1, strategy: SegmentStrategy,
                    segmentCount: Int, shrinkage: Double = 1, samples: Int = 0, scale: Double = 1,
                    window: Int = 0) throws(BanditsError) {
            try checkWindow(window, forgetting: forgetting)
            guard samples >= 0, samples <= 4096 else {
                throw .invalidParameter(field: "samples", value: "\(samples)", expected: "an integer in 0...4096")
            }
            guard scale.isFinite, scale > 0 else {
                throw .invalidParameter(field: "scale", value: "\(scale)", expected: "a finite number > 0")
            }
            try checkLinear(alpha: alpha, ridge: ridge, forgetting: forgetting)
            guard segmentCount >= 1 else {
                throw .invalidParameter(field: "segment_count", value: "\(segmentCount)", expected: "an integer >= 1")
            }
            guard shrinkage.isFinite, shrinkage > 0 else {
                throw .invalidParameter(field: "shrinkage", value: "\(shrinkage)", expected: "a finite number > 0")
            }
            self.alpha = alpha
            self.ridge = ridge
            self.forgetting = forgetting
            self.strategy = strategy
            self.segmentCount = segmentCount
            self.shrinkage = shrinkage
            self.samples = samples
            self.scale = scale
            self.window = window
        }

        enum CodingKeys: String, CodingKey {
            case alpha, ridge, forgetting, strategy, segmentCount, shrinkage, samples, scale, window
        }

        /// Decodes a configuration; `window` may be absent (0).
        /// - Throws: a `DecodingError`, or `BanditsError.invalidParameter` for bad values.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(alpha: c.decode(Double.self, forKey: .alpha), ridge: c.decode(Double.self, forKey: .ridge),
                          forgetting: c.decode(Double.self, forKey: .forgetting),
                          strategy: c.decode(SegmentStrategy.self, forKey: .strategy),
                          segmentCount: c.decode(Int.self, forKey: .segmentCount), shrinkage: c.decode(Double.self, forKey: .shrinkage),
                          samples: c.decode(Int.self, forKey: .samples), scale: c.decode(Double.self, forKey: .scale),
                          window: c.decodeIfPresent(Int.self, forKey: .window) ?? 0)
        }

        /// Encodes the configuration; `window` only when set, so fingerprints of window-free
        /// configurations are unchanged.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(ridge, forKey: .ridge)
            try c.encode(forgetting, forKey: .forgetting)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(segmentCount, forKey: .segmentCount)
            try c.encode(shrinkage, forKey: .shrinkage)
            try c.encode(samples, forKey: .samples)
            try c.encode(scale, forKey: .scale)
            if window > 0 { try c.encode(window, forKey: .window) }
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public let actionCount: Int
    /// Length of the context vectors read.
    public let contextDimension: Int
    /// Global (or shared) statistics: K arms.
    var global: RidgeArms
    /// Per-segment statistics: S·K arms (`per_segment`, `hierarchical`), else empty.
    var segments: RidgeArms

    /// Creates an untrained learner.
    /// - Throws: `BanditsError.emptyCatalog` or `BanditsError.invalidParameter` for a bad shape.
    public init(actionCount: Int, contextDimension: Int, configuration: Configuration) throws(BanditsError) {
        try checkShape(actionCount: actionCount, contextDimension: contextDimension)
        self.configuration = configuration
        self.actionCount = actionCount
        self.contextDimension = contextDimension
        let c = configuration
        let sharedDimension = c.strategy == .sharedOneHot ? contextDimension + c.segmentCount : contextDimension
        let w = c.window
        // Per-segment policies never update the global arms: no window storage for them.
        global = RidgeArms(count: actionCount, dimension: sharedDimension, ridge: c.ridge,
                           forgetting: c.forgetting, window: c.strategy == .perSegment ? 0 : w)
        switch c.strategy {
        case .perSegment:
            segments = RidgeArms(count: c.segmentCount * actionCount, dimension: contextDimension, ridge: c.ridge,
                                 forgetting: c.forgetting, window: w)
        case .hierarchical:
            segments = RidgeArms(count: c.segmentCount * actionCount, dimension: contextDimension, ridge: c.shrinkage,
                                 forgetting: c.forgetting, window: w)
        case .global, .sharedOneHot:
            segments = RidgeArms(count: 0, dimension: contextDimension, ridge: c.ridge, forgetting: c.forgetting)
        }
    }

    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { 2 * (contextDimension + configuration.segmentCount) + 2 * candidateCount }

    /// Posterior draws per decision: `configuration.samples` (0 for LinUCB).
    public var posteriorSampleCount: Int { configuration.samples }

    /// Writes each candidate's estimate and bonus under the configured strategy (with
    /// posterior sampling on, the bonus slot holds the raw width `xᵀA⁻¹x` for the draws).
    /// - Complexity: O(n d²), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let c = configuration, d = contextDimension, s = segment ?? 0
        guard let work = scratch.baseAddress else {
            for i in 0..<candidates.count { estimates[i] = 0; bonuses[i] = 0 }
            return
        }
        let x: UnsafePointer<Double> = prepare(features, segment: s, into: work)
        let tmp = work + d + c.segmentCount
        for i in 0..<candidates.count {
            let a = candidates[i]
            let mean: Double, variance: Double
            switch c.strategy {
            case .global, .sharedOneHot:
                mean = global.mean(of: a, x: x)
                variance = global.variance(of: a, x: x, scratch: tmp)
            case .perSegment:
                mean = segments.mean(of: s * actionCount + a, x: x)
                variance = segments.variance(of: s * actionCount + a, x: x, scratch: tmp)
            case .hierarchical:
                let arm = s * actionCount + a
                segments.inverseTimes(arm, x: x, into: tmp)
                mean = segments.mean(of: arm, x: x) + c.shrinkage * global.coefficientsDot(a, tmp)
                variance = d > 0 ? max(BLAS.dot(n: d, x: x, y: tmp), 0) : 0
            }
            estimates[i] = mean
            bonuses[i] = c.samples > 0 ? variance : c.alpha * variance.squareRoot()
        }
    }

    /// Writes `sampleCount` Thompson draws `estimate + v √width · z` per candidate.
    /// - Complexity: O(n d²) + O(M n), no allocation.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard let base = scratch.baseAddress, n > 0 else { return }
        let work = 2 * (contextDimension + configuration.segmentCount)
        let means = UnsafeMutableBufferPointer(start: base + work, count: n)
        let widths = UnsafeMutableBufferPointer(start: base + work + n, count: n)
        scores(features: features, segment: segment, candidates: candidates, estimates: means, bonuses: widths,
               scratch: UnsafeMutableBufferPointer(start: base, count: work))
        for i in 0..<n { widths[i] = configuration.scale * widths[i].squareRoot() }
        for m in 0..<sampleCount {
            for i in 0..<n { samples[m * n + i] = means[i] + widths[i] * generator.nextStandardNormal() }
        }
    }

    /// Updates the statistics the strategy keeps (both the global and the segment's for
    /// `hierarchical`).
    /// - Complexity: O(d²), no allocation beyond a stack buffer.
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        let c = configuration, s = segment ?? 0
        let size = 2 * (contextDimension + c.segmentCount) + 1
        withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { buffer in
            let work = buffer.baseAddress!
            let x = prepare(features, segment: s, into: work)
            let u = work + contextDimension + c.segmentCount
            switch c.strategy {
            case .global, .sharedOneHot:
                global.update(action: action, x: x, reward: reward, weight: weight, scratch: u)
            case .perSegment:
                segments.update(action: s * actionCount + action, x: x, reward: reward, weight: weight, scratch: u)
            case .hierarchical:
                global.update(action: action, x: x, reward: reward, weight: weight, scratch: u)
                segments.update(action: s * actionCount + action, x: x, reward: reward, weight: weight, scratch: u)
            }
        }
    }

    /// - Throws: `BanditsError.unknownSegment` unless the strategy is `global` or the segment
    ///   is in `0..<segmentCount`.
    public func validate(segment: Int?) throws(BanditsError) {
        guard configuration.strategy != .global else { return }
        guard let segment, segment >= 0, segment < configuration.segmentCount else {
            throw .unknownSegment(segment, count: configuration.segmentCount)
        }
    }

    /// The vector the shared model reads: `x`, or `[x, onehot(s)]` for `shared_one_hot`
    /// (written into `work`).
    private func prepare(_ features: UnsafeBufferPointer<Double>, segment s: Int, into work: UnsafeMutablePointer<Double>) -> UnsafePointer<Double> {
        let d = contextDimension
        if configuration.strategy == .sharedOneHot {
            for i in 0..<d { work[i] = features[i] }
            for j in 0..<configuration.segmentCount { work[d + j] = j == s ? 1 : 0 }
            return UnsafePointer(work)
        }
        if let base = features.baseAddress { return base }
        return UnsafePointer(work)
    }
}
