/// The JSON form of a study's results (`attune simulate --format json`), with the field names
/// scripts rely on: per policy `policy`, `mean_reward`, `ci_low`, `ci_high`, `regret`,
/// `decisions_per_second`, plus the business metrics and the per-segment breakdown.
/// Interval bounds are `null` with a single seed.
public struct StudySummary: Sendable, Encodable {
    /// One policy's figures.
    public struct PolicySummary: Sendable, Encodable {
        public var policy: String
        public var meanReward: Double
        public var ciLow: Double?
        public var ciHigh: Double?
        public var regret: Double
        public var regretCILow: Double?
        public var regretCIHigh: Double?
        public var revenuePerRound: Double
        public var marginPerRound: Double
        public var conversionRate: Double
        public var churnedCustomers: Double
        public var decisionsPerSecond: Double
        public var segments: [SegmentSummary]

        enum CodingKeys: String, CodingKey {
            case policy, regret, segments
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
        }
    }

    /// One latent segment's mean reward per arrival under a policy.
    public struct SegmentSummary: Sendable, Encodable {
        public var segment: String
        public var meanReward: Double
        public var ciLow: Double?
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

    public var scenario: String
    public var horizon: Int
    public var seeds: [UInt64]
    /// The policy with the highest mean reward.
    public var best: String?
    public var policies: [PolicySummary]

    /// Summarizes `result`.
    public init(_ result: StudyResult, scenario: String) {
        self.scenario = scenario
        horizon = result.horizon
        seeds = result.seeds
        best = result.best?.name
        policies = result.policies.map { p in
            let r = p.meanReward, g = p.regret
            let segments = zip(result.segmentNames, p.rewardBySegment).map {
                SegmentSummary(segment: $0.0, meanReward: $0.1.mean, ciLow: $0.1.low, ciHigh: $0.1.high)
            }
            return PolicySummary(policy: p.name, meanReward: r.mean, ciLow: r.low, ciHigh: r.high, regret: g.mean,
                                 regretCILow: g.low, regretCIHigh: g.high, revenuePerRound: p.revenuePerRound.mean,
                                 marginPerRound: p.marginPerRound.mean, conversionRate: p.conversionRate.mean,
                                 churnedCustomers: p.churnedCustomers.mean, decisionsPerSecond: p.decisionsPerSecond, segments: segments)
        }
    }
}
