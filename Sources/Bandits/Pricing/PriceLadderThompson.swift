import AttuneCore

/// Thompson sampling over a price ladder: models the purchase probability at each price
/// point and chooses by expected margin.
///
/// Each price point `a` (per segment) has a Beta posterior on its purchase probability
/// `q_a`; its score is the expected margin
/// ```
/// score_a = m_a · q_a,   m_a = price_a − cost_a,   q_a ~ Beta(α₀ + buys_a, β₀ + no-buys_a)
/// ```
/// so a cheap price that sells often and an expensive one that sells rarely are compared on
/// what they earn. The reward fed back is the realized margin (`m_a` on a purchase, 0
/// otherwise, as the `margin` reward value gives); the purchase indicator is recovered as
/// `reward / m_a`. With the ``Greedy`` explorer the policy plays each price with its
/// posterior probability of being the most profitable, and converges to the margin-optimal
/// point of the demand curve. Guardrails (min/max price, max change per customer) are
/// enforced by ``DecisionGuard``.
///
/// - Complexity: O(M n) Beta draws per decision, O(1) per update. No allocation.
///
/// ## References
/// Misra, Schwartz & Abernethy, "Dynamic online pricing with incomplete information using
/// multiarmed bandit experiments", Marketing Science 38(2), 2019; Ganti et al., "Thompson
/// sampling for dynamic multi-product pricing" (2018).
public struct PriceLadderThompson: Scorer {
    /// `"price_thompson"`.
    public static let kind = "price_thompson"

    /// Hyper-parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Margin `price − cost` of each price point, in the currency unit; each > 0.
        public var margins: [Double]
        /// Prior purchases α₀ > 0.
        public var priorAlpha: Double
        /// Prior non-purchases β₀ > 0.
        public var priorBeta: Double
        /// Posterior draws per decision, 1...4096.
        public var samples: Int
        /// Number of segments with their own demand estimates.
        public var segmentCount: Int
        /// Forgetting factor γ ∈ (0, 1] of the demand estimates (1 = none).
        public var forgetting: Double

        /// Creates a configuration.
        /// - Throws: `BanditsError.invalidParameter` naming the bad field.
        public init(margins: [Double], priorAlpha: Double = 1, priorBeta: Double = 1, samples: Int = 32, segmentCount: Int = 1,
                    forgetting: Double = 1) throws(BanditsError) {
            guard !margins.isEmpty else { throw .emptyCatalog }
            for (i, m) in margins.enumerated() where !(m.isFinite && m > 0) {
                throw .invalidParameter(field: "margins[\(i)]", value: "\(m)", expected: "a margin price − cost > 0")
            }
            let beta = try BetaBernoulliThompson.Configuration(priorAlpha: priorAlpha, priorBeta: priorBeta,
                                                               samples: samples, segmentCount: segmentCount,
                                                               forgetting: forgetting)
            self.margins = margins
            self.priorAlpha = beta.priorAlpha
            self.priorBeta = beta.priorBeta
            self.samples = beta.samples
            self.segmentCount = beta.segmentCount
            self.forgetting = beta.forgetting
        }

        enum CodingKeys: String, CodingKey {
            case margins
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
    public var actionCount: Int { configuration.margins.count }
    /// Length of the context vectors read.
    public let contextDimension: Int
    /// Posterior draws per decision: `configuration.samples`.
    public var posteriorSampleCount: Int { configuration.samples }
    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int { 0 }
    /// The purchase-probability posteriors, one Beta per (segment, price point).
    var demand: BetaBernoulliThompson

    /// Creates an untrained learner at the prior.
    /// - Parameter contextDimension: Length of the (ignored) context vectors the policy accepts.
    /// - Throws: `BanditsError.invalidParameter` for a bad dimension.
    public init(contextDimension: Int = 0, configuration: Configuration) throws(BanditsError) {
        self.configuration = configuration
        self.contextDimension = contextDimension
        demand = try BetaBernoulliThompson(
            actionCount: configuration.margins.count, contextDimension: contextDimension,
            configuration: .init(priorAlpha: configuration.priorAlpha, priorBeta: configuration.priorBeta,
                                 samples: configuration.samples, segmentCount: configuration.segmentCount,
                                 forgetting: configuration.forgetting))
    }

    /// Writes each price point's expected margin under the posterior mean; bonuses are 0.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        demand.scores(features: features, segment: segment, candidates: candidates, estimates: estimates, bonuses: bonuses, scratch: scratch)
        for i in 0..<candidates.count { estimates[i] *= configuration.margins[candidates[i]] }
    }

    /// Writes `sampleCount` draws of each price point's margin `m_a q_a`.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        demand.sampleScores(features: features, segment: segment, candidates: candidates, sampleCount: sampleCount,
                            using: &generator, samples: samples, scratch: scratch)
        let n = candidates.count
        for m in 0..<sampleCount {
            for i in 0..<n { samples[m * n + i] *= configuration.margins[candidates[i]] }
        }
    }

    /// Records a purchase (`reward = m_a`) or not (`reward = 0`) at price point `action`.
    /// - Throws: `BanditsError.invalidParameter` when `reward / m_a` is outside [0, 1].
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError) {
        let margin = configuration.margins[action]
        let bought = reward / margin
        guard bought >= 0, bought <= 1 + 1e-9 else {
            throw .invalidParameter(field: "reward", value: "\(reward)",
                                    expected: "the realized margin of price point \(action): 0 or \(margin)")
        }
        try demand.learn(features: features, segment: segment, action: action, reward: min(bought, 1), weight: weight)
    }

    /// - Throws: `BanditsError.unknownSegment` for a missing or out-of-range segment when
    ///   several segments are kept.
    public func validate(segment: Int?) throws(BanditsError) {
        try demand.validate(segment: segment)
    }
}
