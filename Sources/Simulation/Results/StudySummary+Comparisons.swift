extension StudySummary {
    /// A paired difference in JSON: `{"policy", "versus", "mean_difference", "ci_low",
    /// "ci_high", "seeds", "excludes_zero", "margin_difference", "margin_ci_low", "margin_ci_high"}`
    /// (differences of mean reward and of margin per round, policy − versus).
    public struct ComparisonSummary: Sendable, Encodable {
        /// The policy compared.
        public var policy: String
        /// The best bandit it is compared with.
        public var versus: String
        /// Mean over seeds of the per-seed difference of mean reward per round.
        public var meanDifference: Double
        /// The 95% interval of that mean (`null` with one seed).
        public var ciLow: Double?
        /// Upper bound of that interval.
        public var ciHigh: Double?
        /// Seeds paired.
        public var seeds: Int
        /// Whether the interval excludes 0.
        public var excludesZero: Bool
        /// The same difference for margin per round.
        public var marginDifference: Double
        /// Its interval.
        public var marginCILow: Double?
        /// Upper bound of that interval.
        public var marginCIHigh: Double?

        init(_ d: PairedDifference) {
            policy = d.policy
            versus = d.versus
            meanDifference = d.meanReward.mean
            ciLow = d.meanReward.low
            ciHigh = d.meanReward.high
            seeds = d.meanReward.count
            excludesZero = d.isSignificant
            marginDifference = d.marginPerRound.mean
            marginCILow = d.marginPerRound.low
            marginCIHigh = d.marginPerRound.high
        }

        enum CodingKeys: String, CodingKey {
            case policy, versus, seeds
            case meanDifference = "mean_difference", ciLow = "ci_low", ciHigh = "ci_high", excludesZero = "excludes_zero"
            case marginDifference = "margin_difference", marginCILow = "margin_ci_low", marginCIHigh = "margin_ci_high"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(policy, forKey: .policy)
            try c.encode(versus, forKey: .versus)
            try c.encode(meanDifference, forKey: .meanDifference)
            try c.encode(ciLow, forKey: .ciLow)
            try c.encode(ciHigh, forKey: .ciHigh)
            try c.encode(seeds, forKey: .seeds)
            try c.encode(excludesZero, forKey: .excludesZero)
            try c.encode(marginDifference, forKey: .marginDifference)
            try c.encode(marginCILow, forKey: .marginCILow)
            try c.encode(marginCIHigh, forKey: .marginCIHigh)
        }
    }

    /// A training summary in JSON: `{"policy", "populations", "seeds", "horizon", "steps",
    /// "first_mean_reward", "last_mean_reward", "seconds", "from_scratch"}`.
    public struct TrainingRecord: Sendable, Encodable {
        /// The summary.
        public var summary: TrainingSummary

        init(_ summary: TrainingSummary) { self.summary = summary }

        enum CodingKeys: String, CodingKey {
            case policy, populations, seeds, horizon, steps, seconds
            case firstMeanReward = "first_mean_reward", lastMeanReward = "last_mean_reward", fromScratch = "from_scratch"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(summary.policy, forKey: .policy)
            try c.encode(summary.populations, forKey: .populations)
            try c.encode(summary.seeds, forKey: .seeds)
            try c.encode(summary.horizon, forKey: .horizon)
            try c.encode(summary.steps, forKey: .steps)
            try c.encode(summary.firstMeanReward.isFinite ? summary.firstMeanReward : nil, forKey: .firstMeanReward)
            try c.encode(summary.lastMeanReward.isFinite ? summary.lastMeanReward : nil, forKey: .lastMeanReward)
            try c.encode(summary.seconds, forKey: .seconds)
            try c.encode(summary.fromScratch, forKey: .fromScratch)
        }
    }
}
