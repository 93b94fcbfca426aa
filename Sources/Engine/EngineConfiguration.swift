import Evaluation

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
    /// How each policy runs, by policy id (`online` when absent).
    public var modes: [String: PolicyMode]
    /// The most reward windows open at once (all policies together). When a decision would
    /// open one more, the window with the earliest deadline closes early, exactly as if its
    /// deadline had come (its joined rewards, or the default reward); counted in
    /// `RewardJoiner.Counters.forcedCloses`. Replay after a crash applies the same cap.
    public var maxOpenWindows: Int = 1_000_000
    /// The thresholds of the deployment gate that `promote` runs; `nil` for the gate's defaults
    /// (95 % confidence, improvement lower bound above 0, effective sample size at least 100,
    /// at most 1 % of the candidate's mass on never-taken actions, empirical Bernstein bound).
    public var promotionGate: DeploymentGate.Configuration?
    /// The most recent logged rounds (closed windows) a promotion evaluates the candidate on.
    public var promotionMaxRounds: Int = 200_000
    /// The shortest time between the starts of two group commits (seconds; 0 commits as soon
    /// as the previous commit ends). A commit right after the previous one carries only the
    /// requests that arrived during it; waiting this long lets more join, so that each commit's
    /// sync and rewritten pages are shared by more entries. It adds latency only under load:
    /// a commit waits only after one that carried at least 2 entries (so a lone client's
    /// requests, one at a time, are committed at once), and never once ``commitBatchTarget``
    /// entries are queued.
    public var commitIntervalSeconds: Double = 0.001
    /// Queued entries at which a commit starts without waiting for ``commitIntervalSeconds``.
    public var commitBatchTarget: Int = 256

    /// Creates a configuration.
    public init(dataDirectory: String? = nil, checkpointEveryInteractions: Int = 50_000,
                checkpointIntervalSeconds: Double = 10, tickSeconds: Double = 0.05, seed: UInt64 = 0,
                modes: [String: PolicyMode] = [:]) {
        self.modes = modes
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
        /// How the server runs the policy.
        public var mode: PolicyMode.Kind = .online
        /// Agreement and estimated value, in apprentice mode.
        public var apprentice: ApprenticeFigures?
        public static func == (a: PolicyFigures, b: PolicyFigures) -> Bool {
            a.id == b.id && a.modelVersion == b.modelVersion && a.mode == b.mode && a.apprentice == b.apprentice
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
    /// Customer events ingested since start (`nil` without live segmentation).
    public var customerEvents: Int? = nil
    /// Customer profiles held in memory and profiles evicted since start (idle or over the
    /// cap; `nil` without live segmentation).
    public var customerProfiles: (held: Int, evicted: Int)? = nil
    /// The customer event log's size in bytes and its compactions since start (`nil`
    /// without an event log).
    public var customerEventLog: (bytes: Int, compactions: Int)? = nil

    /// Field-by-field equality (the profile figures are a tuple).
    public static func == (a: EngineStatistics, b: EngineStatistics) -> Bool {
        a.policies == b.policies && a.joiner == b.joiner && a.duplicateRewards == b.duplicateRewards
            && a.pendingDecisions == b.pendingDecisions && a.journalQueueDepth == b.journalQueueDepth
            && a.learnerQueueDepth == b.learnerQueueDepth && a.commits == b.commits && a.committedEntries == b.committedEntries
            && a.commitSeconds == b.commitSeconds && a.learned == b.learned && a.checkpoints == b.checkpoints
            && a.lastCheckpointSequence == b.lastCheckpointSequence && a.customerEvents == b.customerEvents
            && a.customerProfiles?.held == b.customerProfiles?.held && a.customerProfiles?.evicted == b.customerProfiles?.evicted
            && a.customerEventLog?.bytes == b.customerEventLog?.bytes && a.customerEventLog?.compactions == b.customerEventLog?.compactions
    }
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
    /// Policies served at a version recorded in the data directory (promoted or rolled back
    /// before the restart) instead of their file's, with the fingerprints.
    public var recordedVersions: [String] = []
}

