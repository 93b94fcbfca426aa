/// The outcome of a study: per policy, its runs (one per seed) and their summaries.
public struct StudyResult: Sendable {
    /// Rounds per run.
    public var horizon: Int
    /// The seeds, in run order.
    public var seeds: [UInt64]
    /// Names of the environment's latent segments (empty when none).
    public var segmentNames: [String]
    /// One entry per policy, in study order.
    public var policies: [PolicyResult]
    /// How each policy-gradient policy was trained before the study (empty when none was).
    public var training: [TrainingSummary] = []

    /// Creates a result.
    public init(horizon: Int, seeds: [UInt64], segmentNames: [String], policies: [PolicyResult]) {
        self.horizon = horizon
        self.seeds = seeds
        self.segmentNames = segmentNames
        self.policies = policies
    }

    /// The bandit (an `attune.policy/1` learner) with the highest mean reward, the first of ties.
    public var bestBandit: PolicyResult? {
        policies.filter { $0.family == .bandit }.max { $0.meanReward.mean < $1.meanReward.mean }
    }

    /// Each policy-gradient policy against the best bandit: the paired difference of their
    /// mean rewards per round, seed by seed (common random numbers), with its 95% interval
    /// over seeds (see ``PairedDifference``). Empty without both a policy-gradient policy and a bandit.
    public var comparisons: [PairedDifference] {
        guard let best = bestBandit else { return [] }
        return policies.filter { $0.family == .policyGradient }.map { PairedDifference(policy: $0, versus: best) }
    }

    /// The policy with the highest mean reward (the first of ties).
    public var best: PolicyResult? {
        policies.max { $0.meanReward.mean < $1.meanReward.mean }
    }

    /// The best policy that could be deployed: the oracle and the best fixed action in
    /// hindsight are references that use the truth or the future, and are left out.
    public var bestDeployable: PolicyResult? {
        policies.filter { !$0.isReference }.max { $0.meanReward.mean < $1.meanReward.mean }
    }
}

/// One policy's runs over the seeds of a study, with 95% intervals over seeds.
public struct PolicyResult: Sendable {
    /// The policy's name.
    public var name: String
    /// One run per seed, in seed order.
    public var runs: [RunMetrics]
    /// Whether the policy is a reference that no deployment could match (the oracle, the best
    /// fixed action in hindsight).
    public var isReference: Bool
    /// Baseline, bandit or policy-gradient policy.
    public var family: StudyPolicy.Family

    /// Creates a result from runs.
    public init(name: String, runs: [RunMetrics], isReference: Bool = false, family: StudyPolicy.Family = .baseline) {
        self.name = name
        self.runs = runs
        self.isReference = isReference
        self.family = family
    }

    private func interval(_ value: (RunMetrics) -> Double) -> ConfidenceInterval {
        ConfidenceInterval(samples: runs.map(value))
    }

    /// Mean realized reward per round.
    public var meanReward: ConfidenceInterval { interval(\.meanReward) }
    /// Mean expected (ground-truth) reward per round of the actions chosen.
    public var meanExpectedReward: ConfidenceInterval { interval { $0.rounds > 0 ? $0.totalExpectedReward / Double($0.rounds) : 0 } }
    /// Cumulative regret over the horizon against the best candidate of each round.
    public var regret: ConfidenceInterval { interval(\.totalRegret) }
    /// Revenue per round.
    public var revenuePerRound: ConfidenceInterval { interval { $0.rounds > 0 ? $0.revenue / Double($0.rounds) : 0 } }
    /// Margin per round.
    public var marginPerRound: ConfidenceInterval { interval { $0.rounds > 0 ? $0.margin / Double($0.rounds) : 0 } }
    /// Conversions per decision.
    public var conversionRate: ConfidenceInterval { interval(\.conversionRate) }
    /// Customers churned per run.
    public var churnedCustomers: ConfidenceInterval { interval { Double($0.churnedCustomers) } }

    /// Decisions per second of wall-clock time, over all runs (simulation included).
    public var decisionsPerSecond: Double {
        let seconds = runs.reduce(0) { $0 + $1.seconds }
        let decisions = runs.reduce(0) { $0 + $1.decisions }
        return seconds > 0 ? Double(decisions) / seconds : 0
    }

    /// The learning curve: mean reward per round in each window, with its interval over seeds.
    public var rewardCurve: [ConfidenceInterval] {
        let points = runs.map(\.rewardCurve.count).min() ?? 0
        return (0..<points).map { i in ConfidenceInterval(samples: runs.map { $0.rewardCurve[i] }) }
    }

    /// Cumulative regret at the end of each window, with its interval over seeds.
    public var regretCurve: [ConfidenceInterval] {
        let points = runs.map(\.regretCurve.count).min() ?? 0
        return (0..<points).map { i in ConfidenceInterval(samples: runs.map { $0.regretCurve[i] }) }
    }

    /// Mean reward per arrival of each latent segment, with its interval over seeds.
    public var rewardBySegment: [ConfidenceInterval] {
        let segments = runs.map(\.rewardBySegment.count).min() ?? 0
        return (0..<segments).map { s in
            ConfidenceInterval(samples: runs.map { $0.roundsBySegment[s] > 0 ? $0.rewardBySegment[s] / Double($0.roundsBySegment[s]) : 0 })
        }
    }
}
