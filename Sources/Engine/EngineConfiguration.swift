/// Settings of an `Engine` (the server's `--config` file fills them).
public struct EngineConfiguration: Sendable, Equatable {
    /// Where checkpoints are written; `nil` keeps models in memory only (the log still replays).
    public var dataDirectory: String?
    /// Checkpoint after this many learned interactions…
    public var checkpointEveryInteractions: Int
    /// …or this many seconds, whichever comes first.
    public var checkpointIntervalSeconds: Double
    /// How often idle windows are closed and pending outcomes written (seconds).
    public var tickSeconds: Double
    /// Seed of the decision samplers (mixed with the journal position at start, so a restart does
    /// not repeat the same random stream).
    public var seed: UInt64

    /// Creates a configuration.
    public init(dataDirectory: String? = nil, checkpointEveryInteractions: Int = 50_000,
                checkpointIntervalSeconds: Double = 10, tickSeconds: Double = 0.05, seed: UInt64 = 0) {
        self.dataDirectory = dataDirectory
        self.checkpointEveryInteractions = checkpointEveryInteractions
        self.checkpointIntervalSeconds = checkpointIntervalSeconds
        self.tickSeconds = tickSeconds
        self.seed = seed
    }
}

/// Counters and gauges the server reports on `/metrics`.
public struct EngineStatistics: Sendable, Equatable {
    /// Per policy: id, model version, and decisions per catalog action (id → count) since start.
    public struct PolicyFigures: Sendable, Equatable {
        /// The policy id.
        public var id: String
        /// Updates learned by the serving model.
        public var modelVersion: Int
        /// Decisions since start per catalog action, in catalog order.
        public var decisionsByAction: [(String, Int)]
        public static func == (a: PolicyFigures, b: PolicyFigures) -> Bool {
            a.id == b.id && a.modelVersion == b.modelVersion
                && a.decisionsByAction.map(\.0) == b.decisionsByAction.map(\.0)
                && a.decisionsByAction.map(\.1) == b.decisionsByAction.map(\.1)
        }
    }
    /// Figures per policy, in load order.
    public var policies: [PolicyFigures]
    /// Reward joiner counters (joined, late, default rewards, closed windows).
    public var joiner: RewardJoiner.Counters
    /// Duplicate rewards ignored since start.
    public var duplicateRewards: Int
    /// Decisions whose reward window is open.
    public var pendingDecisions: Int
    /// Requests waiting for the next group commit.
    public var journalQueueDepth: Int
    /// Closed decisions waiting for the learner.
    public var learnerQueueDepth: Int
    /// Transactions committed and entries they held, since start.
    public var commits: Int
    /// Decisions and rewards committed since start.
    public var committedEntries: Int
    /// Seconds spent in those transactions (SQLite work and fsync).
    public var commitSeconds: Double
    /// Interactions learned since start (including replay).
    public var learned: Int
    /// Checkpoints written since start, and the journal position of the last one.
    public var checkpoints: Int
    /// Journal position covered by the last checkpoint.
    public var lastCheckpointSequence: Int64
}

/// What recovery did at start.
public struct RecoveryReport: Sendable, Equatable {
    /// The checkpoint's journal position (0 without a checkpoint).
    public var checkpointSequence: Int64
    /// Journal entries replayed after it.
    public var replayedEntries: Int
    /// Interactions learned during the replay.
    public var learnedInteractions: Int
    /// Policies whose checkpointed model could not be used (changed specification), with the reason.
    public var discardedModels: [String]
    /// Wall time of the recovery in seconds.
    public var seconds: Double
}
