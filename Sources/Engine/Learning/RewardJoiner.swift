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
///   memory O(open windows) (the heap and the window list are compacted when stale entries
///   outnumber live ones); a checkpoint's snapshot is one pass over a flat list of windows.
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

    /// An open decision: the record itself and its window's place in ``windows``.
    private struct Entry {
        var decision: DecisionRecord
        /// Absolute slot number (``windowsBase`` plus the index in ``windows``).
        var slot: Int
    }

    /// A window in registration order, kept open or closed until compacted away.
    private struct Slot {
        var window: OpenWindow
        var isOpen: Bool
    }

    private var pending: [String: Entry] = [:]
    /// Windows in the order they opened (journal order): a flat array of small values, so a
    /// checkpoint's snapshot is one contiguous pass (about 0.3 ms for 40,000 open windows),
    /// where walking the dictionary of decisions took 12–18 ms and stalled the journal.
    private var windows: [Slot] = []
    /// Slots dropped from the front of ``windows`` so far.
    private var windowsBase = 0
    /// Index in ``windows`` before which every slot is closed.
    private var windowsFront = 0
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
            guard let e = pending[top.eventID], e.decision.sequence == top.sequence else { continue }
            close(e, at: top.time, into: &closed)
        }
    }

    /// Opens the window of a committed decision (after closing windows due by its timestamp).
    public mutating func register(_ decision: DecisionRecord, rule: Rule, into closed: inout [Closed]) {
        advance(to: decision.timestamp, into: &closed)
        while pending.count >= max(capacity, 1), let top = heap.first {
            popHeap()
            guard let e = pending[top.eventID], e.decision.sequence == top.sequence else { continue }
            counters.forcedCloses += 1
            close(e, at: decision.timestamp, into: &closed)
        }
        if heap.count > 1024, heap.count > 2 * pending.count { compactHeap() }
        let deadline = decision.timestamp + rule.windowSeconds
        open(decision, window: OpenWindow(sequence: decision.sequence, deadline: deadline, aggregation: rule.aggregation,
                                          defaultReward: rule.defaultReward, rewards: []))
    }

    /// Applies a committed reward (after closing windows due by its timestamp).
    public mutating func join(_ reward: RewardRecord, into closed: inout [Closed]) -> JoinResult {
        advance(to: reward.timestamp, into: &closed)
        guard let e = pending[reward.eventID] else {
            counters.lateRewards += 1
            return .late
        }
        counters.joinedRewards += 1
        let index = e.slot - windowsBase
        windows[index].window.rewards.append(reward.value)
        if windows[index].window.aggregation == .first { close(e, at: reward.timestamp, into: &closed) }
        return .joined
    }

    // MARK: - State

    /// The state to checkpoint.
    public var state: State {
        let open = pending.values.sorted { $0.decision.sequence < $1.decision.sequence }.map { e in
            let w = windows[e.slot - windowsBase].window
            return Pending(decision: e.decision, deadline: w.deadline, aggregation: w.aggregation,
                           defaultReward: w.defaultReward, rewards: w.rewards)
        }
        return State(pending: open, counters: counters, time: time)
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

        /// Creates a window.
        public init(sequence: Int64, deadline: Double, aggregation: Aggregation, defaultReward: Double, rewards: [Double]) {
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

    /// The state to checkpoint, by reference, its windows in journal order: one pass over a
    /// flat array, with no decision copied (it is taken on the journal thread).
    public var checkpointState: CheckpointState {
        var open: [OpenWindow] = []
        open.reserveCapacity(pending.count)
        for slot in windows where slot.isOpen { open.append(slot.window) }
        return CheckpointState(windows: open, counters: counters, time: time)
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
            open(p.decision, window: OpenWindow(sequence: p.decision.sequence, deadline: p.deadline, aggregation: p.aggregation,
                                                defaultReward: p.defaultReward, rewards: p.rewards))
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

    /// Opens `window` for `decision`: the entry, its slot at the end of ``windows`` and its deadline.
    private mutating func open(_ decision: DecisionRecord, window: OpenWindow) {
        if let replaced = pending[decision.eventID] { windows[replaced.slot - windowsBase].isOpen = false }
        pending[decision.eventID] = Entry(decision: decision, slot: windowsBase + windows.count)
        windows.append(Slot(window: window, isOpen: true))
        pushHeap(Deadline(time: window.deadline, sequence: decision.sequence, eventID: decision.eventID))
    }

    private mutating func close(_ e: Entry, at time: Double, into closed: inout [Closed]) {
        pending[e.decision.eventID] = nil
        let index = e.slot - windowsBase
        windows[index].isOpen = false
        let window = windows[index].window
        windows[index].window.rewards = []
        counters.closedDecisions += 1
        if let value = Self.aggregate(window.rewards, window.aggregation) {
            closed.append(Closed(decision: e.decision, reward: value, isDefault: false, closedAt: time))
        } else {
            counters.defaultRewards += 1
            closed.append(Closed(decision: e.decision, reward: window.defaultReward, isDefault: true, closedAt: time))
        }
        compactWindows()
    }

    /// Drops closed slots: the closed prefix once it is half the array (windows mostly close
    /// in the order they opened), and every closed slot once they outnumber the open ones four
    /// to one (renumbering the open entries). Both are amortized O(1) per closed window.
    private mutating func compactWindows() {
        while windowsFront < windows.count, !windows[windowsFront].isOpen { windowsFront += 1 }
        if windowsFront == windows.count {
            windowsBase += windows.count
            windows.removeAll(keepingCapacity: true)
            windowsFront = 0
        } else if windowsFront > 64, 2 * windowsFront >= windows.count {
            windows.removeFirst(windowsFront)
            windowsBase += windowsFront
            windowsFront = 0
        } else if windows.count > 1024, windows.count > 4 * pending.count {
            let newBase = windowsBase + windows.count
            var kept: [Slot] = []
            kept.reserveCapacity(pending.count)
            var renumbered: [Int: Int] = [:]
            for (i, slot) in windows.enumerated() where slot.isOpen {
                renumbered[windowsBase + i] = newBase + kept.count
                kept.append(slot)
            }
            pending = pending.mapValues { e in
                var e = e
                e.slot = renumbered[e.slot] ?? e.slot
                return e
            }
            windowsBase = newBase
            windows = kept
            windowsFront = 0
        }
    }

    /// Drops heap entries of windows already closed (by `first` aggregation or the cap).
    private mutating func compactHeap() {
        heap = pending.values.map { e in
            Deadline(time: windows[e.slot - windowsBase].window.deadline, sequence: e.decision.sequence, eventID: e.decision.eventID)
        }
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
