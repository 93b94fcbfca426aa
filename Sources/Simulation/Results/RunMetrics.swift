/// What one policy earned in one run (one seed).
public struct RunMetrics: Sendable, Equatable {
    /// Decision opportunities (the horizon).
    public var rounds = 0
    /// Decisions made (one per slot of every round whose customer was still active).
    public var decisions = 0
    /// Σ realized reward.
    public var totalReward = 0.0
    /// Σ expected reward of the chosen actions (the ground truth).
    public var totalExpectedReward = 0.0
    /// Σ (max over candidates of the expected reward − expected reward of the chosen action).
    public var totalRegret = 0.0
    /// Σ revenue, in the catalog's currency unit.
    public var revenue = 0.0
    /// Σ margin after action costs, in the catalog's currency unit.
    public var margin = 0.0
    /// Decisions that converted.
    public var conversions = 0
    /// Customers that churned during the run.
    public var churnedCustomers = 0
    /// Mean realized reward per round in each curve window.
    public var rewardCurve: [Double] = []
    /// Cumulative regret at the end of each curve window.
    public var regretCurve: [Double] = []
    /// Σ reward by latent segment of the customer.
    public var rewardBySegment: [Double] = []
    /// Rounds by latent segment of the arriving customer.
    public var roundsBySegment: [Int] = []
    /// Wall-clock seconds of the run (not part of equality: runs are compared by outcome).
    public var seconds = 0.0
    /// CPU seconds of the thread that ran it (not part of equality); on a loaded machine the
    /// sum over runs measures the work better than wall time.
    public var cpuSeconds = 0.0
    /// For `best_fixed`: the catalog index of the action that won on this seed.
    public var fixedAction: Int?

    /// Mean realized reward per round.
    public var meanReward: Double { rounds > 0 ? totalReward / Double(rounds) : 0 }
    /// Conversions per decision.
    public var conversionRate: Double { decisions > 0 ? Double(conversions) / Double(decisions) : 0 }

    public static func == (a: RunMetrics, b: RunMetrics) -> Bool {
        a.rounds == b.rounds && a.decisions == b.decisions && a.totalReward == b.totalReward
            && a.totalExpectedReward == b.totalExpectedReward && a.totalRegret == b.totalRegret
            && a.revenue == b.revenue && a.margin == b.margin && a.conversions == b.conversions
            && a.churnedCustomers == b.churnedCustomers && a.rewardCurve == b.rewardCurve
            && a.regretCurve == b.regretCurve && a.rewardBySegment == b.rewardBySegment
            && a.roundsBySegment == b.roundsBySegment && a.fixedAction == b.fixedAction
    }
}
