/// Decides when to checkpoint: after `everyInteractions` learned interactions or
/// `intervalSeconds` since the last checkpoint, whichever comes first, and never when nothing
/// was learned since. A plain value: the engine feeds it counts and times.
public struct CheckpointScheduler: Sendable, Equatable {
    /// Checkpoint after this many learned interactions.
    public let everyInteractions: Int
    /// Checkpoint at least this often while learning happens (seconds).
    public let intervalSeconds: Double
    /// Interactions learned since the last checkpoint.
    public private(set) var learnedSinceLast = 0
    /// Journal entries applied since the last checkpoint.
    public private(set) var entriesSinceLast = 0
    /// Time of the last checkpoint (seconds since 1970).
    public private(set) var lastCheckpoint: Double

    /// Creates a scheduler.
    /// - Throws: `EngineError.invalidField` when a threshold is not positive.
    public init(everyInteractions: Int, intervalSeconds: Double, startingAt now: Double) throws(EngineError) {
        guard everyInteractions >= 1 else {
            throw .invalidField(field: "checkpoint_every_interactions", reason: "\(everyInteractions) must be >= 1")
        }
        guard intervalSeconds.isFinite, intervalSeconds > 0 else {
            throw .invalidField(field: "checkpoint_interval_seconds", reason: "\(intervalSeconds) must be a positive number")
        }
        self.everyInteractions = everyInteractions
        self.intervalSeconds = intervalSeconds
        self.lastCheckpoint = now
    }

    /// Records journal entries applied and interactions learned.
    public mutating func record(entries: Int, learned: Int) {
        entriesSinceLast += entries
        learnedSinceLast += learned
    }

    /// Whether a checkpoint is due at `now`.
    public func isDue(at now: Double) -> Bool {
        guard learnedSinceLast > 0 || entriesSinceLast > 0 else { return false }
        return learnedSinceLast >= everyInteractions || now - lastCheckpoint >= intervalSeconds
    }

    /// Marks a checkpoint taken at `now`.
    public mutating func didCheckpoint(at now: Double) {
        learnedSinceLast = 0
        entriesSinceLast = 0
        lastCheckpoint = now
    }
}
