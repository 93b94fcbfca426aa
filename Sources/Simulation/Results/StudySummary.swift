/// The JSON form of a study's results (`attune simulate --format json`), with the field names
/// scripts rely on: per policy `policy`, `mean_reward`, `ci_low`, `ci_high`, `regret`,
/// `decisions_per_second`, plus the business metrics and the per-segment breakdown.
/// Interval bounds are `null` with a single seed. `comparisons` holds each policy-gradient
/// policy's paired difference with the best bandit, `training` how it was trained.
public struct StudySummary: Sendable, Encodable {
    /// One policy's figures.
    public struct PolicySummary: Sendable, Encodable {
        /// The policy's name.
        public var policy: String
        /// Mean reward per round over seeds.
        public var meanReward: Double
        /// The 95% interval of the mean reward (`null` with one seed).
        public var ciLow: Double?
        /// Upper bound of that interval.
        public var ciHigh: Double?
        /// Mean cumulative regret over the horizon, with its interval.
        public var regret: Double
        /// The regret's 95% interval.
        public var regretCILow: Double?
        /// Upper bound of the regret's interval.
        public var regretCIHigh: Double?
        /// Revenue, margin and conversions per round/decision, churned customers per run.
        public var revenuePerRound: Double
        /// Margin per round.
        public var marginPerRound: Double
        /// Conversions per decision.
        public var conversionRate: Double
        /// Customers churned per run.
        public var churnedCustomers: Double
        /// Decisions per second of wall-clock time over all runs.
        public var decisionsPerSecond: Double
        /// Mean reward per arrival of each latent segment.
        public var segments: [SegmentSummary]
        /// The learning curve.
        public var curve: [CurvePoint]

        enum CodingKeys: String, CodingKey {
            case policy, regret, segments, curve
            case meanReward = "mean_reward", ciLow = "ci_low", ciHigh = "ci_high"
            case regretCILow = "regret_ci_low", regretCIHigh = "regret_ci_high"
            case revenuePerRound = "revenue_per_round", marginPerRound = "margin_per_round"
            case conversionRate = "conversion_rate", churnedCustomers = "churned_customers"
            case decisionsPerSecond = "decisions_per_second"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(policy, forKey: .policy)
            try c.encode(meanReward, forKey: .meanReward)
            try c.encode(ciLow, forKey: .ciLow)
            try c.encode(ciHigh, forKey: .ciHigh)
            try c.encode(regret, forKey: .regret)
            try c.encode(regretCILow, forKey: .regretCILow)
            try c.encode(regretCIHigh, forKey: .regretCIHigh)
            try c.encode(revenuePerRound, forKey: .revenuePerRound)
            try c.encode(marginPerRound, forKey: .marginPerRound)
            try c.encode(conversionRate, forKey: .conversionRate)
            try c.encode(churnedCustomers, forKey: .churnedCustomers)
            try c.encode(decisionsPerSecond, forKey: .decisionsPerSecond)
            try c.encode(segments, forKey: .segments)
            try c.encode(curve, forKey: .curve)
        }
    }

    /// One point of a policy's learning curve.
    public struct CurvePoint: Sendable, Encodable {
        /// The last round of the window (1-based).
        public var round: Int
        /// Mean reward per round in the window, over seeds.
        public var meanReward: Double
        /// The 95% interval of that mean (`null` with one seed).
        public var ciLow: Double?
        /// Upper bound of that interval.
        public var ciHigh: Double?
        /// Mean cumulative regret at the end of the window.
        public var regret: Double

        enum CodingKeys: String, CodingKey {
            case round, regret, meanReward = "mean_reward", ciLow = "ci_low", ciHigh = "ci_high"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(round, forKey: .round)
            try c.encode(meanReward, forKey: .meanReward)
            try c.encode(ciLow, forKey: .ciLow)
            try c.encode(ciHigh, forKey: .ciHigh)
            try c.encode(regret, forKey: .regret)
        }
    }

    /// One latent segment's mean reward per arrival under a policy.
    public struct SegmentSummary: Sendable, Encodable {
        /// The segment's name.
        public var segment: String
        /// Mean reward per arrival, with its 95% interval.
        public var meanReward: Double
        /// Lower bound of the interval.
        public var ciLow: Double?
        /// Upper bound of the interval.
        public var ciHigh: Double?

        enum CodingKeys: String, CodingKey {
            case segment, meanReward = "mean_reward", ciLow = "ci_low", ciHigh = "ci_high"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(segment, forKey: .segment)
            try c.encode(meanReward, forKey: .meanReward)
            try c.encode(ciLow, forKey: .ciLow)
            try c.encode(ciHigh, forKey: .ciHigh)
        }
    }

    /// The scenario's id.
    public var scenario: String
    /// Rounds per run.
    public var horizon: Int
    /// The seeds.
    public var seeds: [UInt64]

    enum CodingKeys: String, CodingKey {
        case scenario, horizon, seeds, best, policies, comparisons, training
        case bestDeployable = "best_deployable"
    }
    /// The policy with the highest mean reward.
    public var best: String?
    /// The best policy that could be deployed (not the oracle nor the best fixed action in
    /// hindsight).
    public var bestDeployable: String?
    /// One entry per policy, in study order.
    public var policies: [PolicySummary]
    /// Each policy-gradient policy against the best bandit (paired over seeds).
    public var comparisons: [ComparisonSummary]
    /// How the policy-gradient policies were trained before the study.
    public var training: [TrainingRecord]

    /// Summarizes `result`.
    public init(_ result: StudyResult, scenario: String) {
        self.scenario = scenario
        horizon = result.horizon
        seeds = result.seeds
        best = result.best?.name
        bestDeployable = result.bestDeployable?.name
        comparisons = result.comparisons.map(ComparisonSummary.init)
        training = result.training.map(TrainingRecord.init)
        policies = result.policies.map { p in
            let r = p.meanReward, g = p.regret
            let segments = zip(result.segmentNames, p.rewardBySegment).map {
                SegmentSummary(segment: $0.0, meanReward: $0.1.mean, ciLow: $0.1.low, ciHigh: $0.1.high)
            }
            return PolicySummary(policy: p.name, meanReward: r.mean, ciLow: r.low, ciHigh: r.high, regret: g.mean,
                                 regretCILow: g.low, regretCIHigh: g.high, revenuePerRound: p.revenuePerRound.mean,
                                 marginPerRound: p.marginPerRound.mean, conversionRate: p.conversionRate.mean,
                                 churnedCustomers: p.churnedCustomers.mean, decisionsPerSecond: p.decisionsPerSecond, segments: segments,
                                 curve: Self.curve(p, horizon: result.horizon))
        }
    }

    static func curve(_ p: PolicyResult, horizon: Int) -> [CurvePoint] {
        let rewards = p.rewardCurve, regrets = p.regretCurve
        let points = min(rewards.count, regrets.count)
        return (0..<points).map { i in
            CurvePoint(round: (i + 1) * horizon / points, meanReward: rewards[i].mean, ciLow: rewards[i].low,
                       ciHigh: rewards[i].high, regret: regrets[i].mean)
        }
    }
}
