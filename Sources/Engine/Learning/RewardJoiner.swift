/// Joins rewards to decisions within each policy's reward window: a plain value, driven by
/// journal events and their timestamps, so live serving and replay after a crash close the same
/// windows in the same order.
///
/// Rules:
/// - a decision is *pending* from its commit until `timestamp + windowSeconds`;
/// - a reward for a pending decision is *joined*; for a decision whose window closed it is *late*
///   (counted, not learned);
/// - before an event at time `t` is applied, every window with deadline ≤ `t` closes, in order
///   of (deadline, journal sequence);
/// - a closed window yields the aggregate of its joined rewards (`sum`, `first`, `last`, `max`),
///   or the policy's default reward when none joined; with `first` the window closes at the
///   first joined reward, since later rewards cannot change it.
///
/// - at most ``capacity`` windows are open: a decision that would open one more first closes
///   the window with the earliest deadline (journal sequence breaking ties) early, with the
///   same reward as if its deadline had come (its joined rewards, or the default), counted in
///   ``Counters/forcedCloses``; a later reward for it is late.
///
/// - Complexity: O(log n) per decision and per closed window (a binary heap of deadlines);
///   memory O(open windows) (the heap is compacted when stale entries outnumber live ones).
public struct RewardJoiner: Sendable {
    /// How one policy joins rewards.
    public struct Rule: Sendable, Equatable {
        /// How long after the decision rewards count, in seconds.
        public var windowSeconds: Double
        /// How several rewards of one decision combine.
        public var aggregation: Aggregation
        /// The reward learned when the window closes without any reward.
        public var defaultReward: Double

        /// Creates a rule.
        public init(windowSeconds: Double, aggregation: Aggregation, defaultReward: Double) {
            self.windowSeconds = windowSeconds
            self.aggregation = aggregation
            self.defaultReward = defaultReward
        }
    }

    /// How several rewards of one decision combine.
    public enum Aggregation: String, Sendable, Codable, Equatable {
        case sum, first, last, max
    }

    /// A decision whose window is open.
    public struct Pending: Sendable, Codable, Equatable {
        /// The decision.
        public var decision: DecisionRecord
        /// When the window closes (seconds since 1970).
        public var deadline: Double
        /// The aggregation and default reward in force when the decision was made.
        public var aggregation: Aggregation
        /// The default reward in force when the decision was made.
        public var defaultReward: Double
        /// Rewards joined so far, in arrival order.
        public var rewards: [Double]
    }

    /// A decision whose window closed, with its final reward.
    public struct Closed: Sendable, Equatable {
        /// The decision.
        public var decision: DecisionRecord
        /// The aggregated reward, or the default.
        public var reward: Double
        /// Whether no reward joined and `reward` is the default.
        public var isDefault: Bool
        /// The time the window closed (seconds since 1970).
        public var closedAt: Double

        /// The outcome row the store keeps.
        public var outcome: OutcomeRecord {
            OutcomeRecord(eventID: decision.eventID, reward: reward, isDefault: isDefault, closedAt: closedAt)
        }
    }

    /// What happened to a reward.
    public enum JoinResult: String, Sendable, Equatable {
        /// Counted toward a pending decision.
        case joined
        /// Its decision's window had closed: counted in `lateRewards`, not learned.
        case late
    }

    /// Counters since the joiner was created (kept across checkpoints).
    public struct Counters: Sendable, Codable, Equatable {
        /// Rewards joined to an open window.
        public var joinedRewards = 0
        /// Rewards after their window closed.
        public var lateRewards = 0
        /// Windows closed without a reward (default reward learned).
        public var defaultRewards = 0
        /// Windows closed.
        public var closedDecisions = 0
        /// Windows closed before their deadline because ``RewardJoiner/capacity`` windows were open.
        public var forcedCloses = 0
        /// Zero counters.
        public init() {}
    }

    /// The joiner's whole state, for checkpoints.
    public struct State: Sendable, Codable, Equatable {
        /// Open windows, in journal order.
        public var pending: [Pending]
        /// The counters.
        public var counters: Counters
        /// The latest event time applied.
        public var time: Double
    }

    private struct Deadline: Comparable {
        var time: Double
        var sequence: Int64
        var eventID: String
        static func < (a: Deadline, b: Deadline) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
    }

    private var pending: [String: Pending] = [:]
    private var heap: [Deadline] = []
    /// Counters of joined, late and default rewards and closed windows.
    public private(set) var counters = Counters()
    /// The latest event time applied (seconds since 1970).
    public private(set) var time = -Double.infinity
    /// The most windows open at once (≥ 1); not part of the checkpointed state: the owner sets
    /// it, and replay after a crash must use the same value to close the same windows.
    public var capacity = Int.max

    /// An empty joiner.
    public init() {}

    /// Number of decisions whose window is open.
    public var pendingCount: Int { pending.count }

    /// Entries in the deadline heap (open windows plus stale entries not yet compacted).
    var heapCount: Int { heap.count }

    /// Whether `eventID` is pending.
    public func isPending(_ eventID: String) -> Bool { pending[eventID] != nil }

    // MARK: - Events

    /// Closes every window with deadline ≤ `now`, appending them to `closed` in (deadline, sequence) order.
    public mutating func advance(to now: Double, into closed: inout [Closed]) {
        if now > time { time = now }
        while let top = heap.first, top.time <= now {
            popHeap()
            guard let p = pending[top.eventID], p.decision.sequence == top.sequence else { continue }
            close(p, at: top.time, into: &closed)
        }
    }

    /// Opens the window of a committed decision (after closing windows due by its timestamp).
    public mutating func register(_ decision: DecisionRecord, rule: Rule, into closed: inout [Closed]) {
        advance(to: decision.timestamp, into: &closed)
        while pending.count >= max(capacity, 1), let top = heap.first {
            popHeap()
            guard let p = pending[top.eventID], p.decision.sequence == top.sequence else { continue }
            counters.forcedCloses += 1
            close(p, at: decision.timestamp, into: &closed)
        }
        if heap.count > 1024, heap.count > 2 * pending.count { compactHeap() }
        let deadline = decision.timestamp + rule.windowSeconds
        pending[decision.eventID] = Pending(decision: decision, deadline: deadline, aggregation: rule.aggregation,
                                            defaultReward: rule.defaultReward, rewards: [])
        pushHeap(Deadline(time: deadline, sequence: decision.sequence, eventID: decision.eventID))
    }

    /// Applies a committed reward (after closing windows due by its timestamp).
    public mutating func join(_ reward: RewardRecord, into closed: inout [Closed]) -> JoinResult {
        advance(to: reward.timestamp, into: &closed)
        guard var p = pending[reward.eventID] else {
            counters.lateRewards += 1
            return .late
        }
        counters.joinedRewards += 1
        p.rewards.append(reward.value)
        if p.aggregation == .first {
            close(p, at: reward.timestamp, into: &closed)
        } else {
            pending[reward.eventID] = p
        }
        return .joined
    }

    // MARK: - State

    /// The state to checkpoint.
    public var state: State {
        State(pending: pending.values.sorted { $0.decision.sequence < $1.decision.sequence }, counters: counters, time: time)
    }

    /// An open window as a checkpoint keeps it: its decision named by journal sequence (the
    /// event log holds the decision itself), with what the window has gathered so far.
    public struct OpenWindow: Sendable, Equatable {
        /// The decision's journal sequence.
        public var sequence: Int64
        /// When the window closes (seconds since 1970).
        public var deadline: Double
        /// The aggregation in force when the decision was made.
        public var aggregation: Aggregation
        /// The default reward in force when the decision was made.
        public var defaultReward: Double
        /// Rewards joined so far, in arrival order.
        public var rewards: [Double]

        /// The window of `pending`, its decision named by sequence.
        init(_ pending: Pending) {
            sequence = pending.decision.sequence
            deadline = pending.deadline
            aggregation = pending.aggregation
            defaultReward = pending.defaultReward
            rewards = pending.rewards
        }

        init(sequence: Int64, deadline: Double, aggregation: Aggregation, defaultReward: Double, rewards: [Double]) {
            self.sequence = sequence
            self.deadline = deadline
            self.aggregation = aggregation
            self.defaultReward = defaultReward
            self.rewards = rewards
        }
    }

    /// The joiner's state by reference, for checkpoints: each open window names its decision
    /// by journal sequence instead of carrying it, so a checkpoint costs tens of bytes per open
    /// window rather than the whole decision (context, candidates, probabilities).
    /// ``init(state:)`` takes the decisions back from the log at recovery.
    public struct CheckpointState: Sendable, Equatable {
        /// Open windows (encoded in journal order).
        public var windows: [OpenWindow]
        /// The counters.
        public var counters: Counters
        /// The latest event time applied.
        public var time: Double

        /// Creates a state.
        public init(windows: [OpenWindow], counters: Counters, time: Double) {
            self.windows = windows
            self.counters = counters
            self.time = time
        }
    }

    /// The state to checkpoint, by reference. Unsorted, so that taking it on the journal
    /// thread stays O(open windows) with no decision copied; encoding sorts it.
    public var checkpointState: CheckpointState {
        CheckpointState(windows: pending.values.map(OpenWindow.init), counters: counters, time: time)
    }

    /// Restores a state checkpointed by reference, taking each open window's decision from `decisions`.
    /// - Parameter decisions: The logged decisions by journal sequence (at least those of `state`'s windows).
    /// - Throws: `EngineError.checkpoint` naming the first window whose decision is missing.
    public init(state: CheckpointState, decisions: [Int64: DecisionRecord]) throws(EngineError) {
        var pending: [Pending] = []
        pending.reserveCapacity(state.windows.count)
        for w in state.windows.sorted(by: { $0.sequence < $1.sequence }) {
            guard let decision = decisions[w.sequence] else {
                throw .checkpoint(path: Checkpoint.fileName, reason: "the decision of an open reward window (journal sequence \(w.sequence)) "
                                  + "is not in the event log; move the checkpoint file aside to recover by replaying the whole log")
            }
            pending.append(Pending(decision: decision, deadline: w.deadline, aggregation: w.aggregation,
                                   defaultReward: w.defaultReward, rewards: w.rewards))
        }
        self.init(state: State(pending: pending, counters: state.counters, time: state.time))
    }

    /// Restores a checkpointed state.
    public init(state: State) {
        counters = state.counters
        time = state.time
        for p in state.pending {
            pending[p.decision.eventID] = p
            pushHeap(Deadline(time: p.deadline, sequence: p.decision.sequence, eventID: p.decision.eventID))
        }
    }

    /// The final reward of a list of joined rewards under an aggregation (`nil` when empty).
    public static func aggregate(_ rewards: [Double], _ aggregation: Aggregation) -> Double? {
        guard let first = rewards.first, let last = rewards.last else { return nil }
        switch aggregation {
        case .sum: return rewards.reduce(0, +)
        case .first: return first
        case .last: return last
        case .max: return rewards.max()
        }
    }

    // MARK: - Internals

    private mutating func close(_ p: Pending, at time: Double, into closed: inout [Closed]) {
        pending[p.decision.eventID] = nil
        counters.closedDecisions += 1
        if let value = Self.aggregate(p.rewards, p.aggregation) {
            closed.append(Closed(decision: p.decision, reward: value, isDefault: false, closedAt: time))
        } else {
            counters.defaultRewards += 1
            closed.append(Closed(decision: p.decision, reward: p.defaultReward, isDefault: true, closedAt: time))
        }
    }

    /// Drops heap entries of windows already closed (by `first` aggregation or the cap).
    private mutating func compactHeap() {
        heap = pending.values.map { Deadline(time: $0.deadline, sequence: $0.decision.sequence, eventID: $0.decision.eventID) }
        heap.sort()
    }

    private mutating func pushHeap(_ d: Deadline) {
        heap.append(d)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i] < heap[parent] else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func popHeap() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count, heap[l] < heap[m] { m = l }
            if r < heap.count, heap[r] < heap[m] { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
    }
}
