/// One policy against another on the same seeds: the per-seed difference of their mean
/// rewards per round, and the mean of those differences with its 95% Student-t interval.
///
/// ```
/// dₛ = r̄(policy, seed s) − r̄(versus, seed s),     d̄ ± t_{0.975, n−1} · s_d / √n
/// ```
/// Both policies met the same customers, contexts and noise on each seed (common random
/// numbers), so the paired interval is much narrower than the two separate intervals; an
/// interval that excludes 0 means the difference is not seed noise.
public struct PairedDifference: Sendable, Equatable {
    /// The policy compared.
    public var policy: String
    /// What it is compared with.
    public var versus: String
    /// The mean difference of mean reward per round (policy − versus) with its interval.
    public var meanReward: ConfidenceInterval
    /// The same for margin per round.
    public var marginPerRound: ConfidenceInterval

    /// The paired difference of `policy` and `versus` over the seeds both ran.
    /// - Complexity: O(seeds).
    public init(policy: PolicyResult, versus: PolicyResult) {
        self.policy = policy.name
        self.versus = versus.name
        let n = min(policy.runs.count, versus.runs.count)
        meanReward = ConfidenceInterval(samples: (0..<n).map { policy.runs[$0].meanReward - versus.runs[$0].meanReward })
        marginPerRound = ConfidenceInterval(samples: (0..<n).map { i in
            let a = policy.runs[i], b = versus.runs[i]
            return (a.rounds > 0 ? a.margin / Double(a.rounds) : 0) - (b.rounds > 0 ? b.margin / Double(b.rounds) : 0)
        })
    }

    /// Whether the interval of the mean-reward difference excludes 0 (`false` without an interval).
    public var isSignificant: Bool {
        guard let low = meanReward.low, let high = meanReward.high else { return false }
        return low > 0 || high < 0
    }
}

/// How a policy-gradient policy was trained before a study.
public struct TrainingSummary: Sendable, Equatable {
    /// The policy's name in the study.
    public var policy: String
    /// Training populations (one update each).
    public var populations: Int
    /// Their seeds, in order.
    public var seeds: [UInt64]
    /// Rounds per population.
    public var horizon: Int
    /// Decisions (steps) learned from, in all.
    public var steps: Int
    /// Mean reward per round of the first and of the last population, before their updates.
    public var firstMeanReward: Double
    /// See ``firstMeanReward``.
    public var lastMeanReward: Double
    /// Wall-clock seconds of training.
    public var seconds: Double
    /// Whether training started from an untrained scorer.
    public var fromScratch: Bool
}
