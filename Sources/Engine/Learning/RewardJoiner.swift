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
/// - Complexity: amortized O(1) per decision and per closed window for the usual case of a
///   few window lengths (one FIFO of deadlines per length), O(log n) for deadlines out of
///   that order (a binary heap); memory O(open windows) (deadline queues and the window list
///   are compacted when stale entries outnumber live ones); a checkpoint's snapshot is one
///   pass over a flat list of windows.
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
            OutcomeRecord(sequence: decision.sequence, eventID: decision.eventID, reward: reward, isDefault: isDefault, closedAt: closedAt)
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

    /// A window's deadline and its place in ``windows``: plain numbers, so the deadline
    /// queues move no reference-counted data.
    private struct Mark: Comparable {
        var time: Double
        var sequence: Int64
        /// Absolute slot number (``windowsBase`` plus the index in ``windows``).
        var slot: Int
        static func < (a: Mark, b: Mark) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
    }

    /// Deadlines of one window length in the order they were pushed. The journal stamps
    /// entries with non-decreasing times, so a window length's deadlines arrive in
    /// (deadline, sequence) order and a FIFO replaces the heap for them; a mark that would
    /// break the order goes to ``outOfOrder`` instead.
    private struct Lane {
        var windowSeconds: Double
        var marks: [Mark] = []
        var head = 0

        var first: Mark? { head < marks.count ? marks[head] : nil }

        mutating func removeFirst() {
            head += 1
            if head == marks.count {
                marks.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024, 2 * head >= marks.count {
                marks.removeFirst(head)
                head = 0
            }
        }
    }

    /// A window in registration order with its decision, kept open or closed until compacted away.
    private struct Slot {
        private(set) var decision: DecisionRecord?
        var window: OpenWindow
        /// The decision's key in ``pendingByKey``.
        let key: UInt64
        /// Whether `decision` is set: stored apart, so that the scans for open windows read a
        /// flag instead of copying (retaining and releasing) each decision they pass.
        private(set) var isOpen = true

        init(decision: DecisionRecord, window: OpenWindow, key: UInt64) {
            self.decision = decision
            self.window = window
            self.key = key
        }

        /// Closes the slot: its decision, `nil` when it was closed already.
        mutating func takeDecision() -> DecisionRecord? {
            isOpen = false
            return decision.take()
        }
    }

    /// Open decisions by a 64-bit hash of their event id: their absolute slot numbers. A
    /// lookup checks the slot's event id. Integer keys, where event ids were the keys before:
    /// every decision's window is opened and closed here, and removing a text key from a
    /// large dictionary retained and compared strings made seconds earlier (cache misses),
    /// a sixth of the journal thread's time.
    private var pendingByKey: [UInt64: Int] = [:]
    /// Open decisions whose key another open decision holds (rare: a 64-bit collision), by event id.
    private var collidingPending: [String: Int] = [:]
    /// The bits of the hash used as key: all of them, except in tests that force collisions.
    private let keyMask: UInt64
    /// Windows in the order they opened (journal order): a flat array, so a checkpoint's
    /// snapshot is one contiguous pass (about 0.3 ms for 40,000 open windows), where walking
    /// a dictionary of decisions took 12–18 ms and stalled the journal.
    private var windows: [Slot] = []
    /// Slots dropped from the front of ``windows`` so far.
    private var windowsBase = 0
    /// Index in ``windows`` before which every slot is closed.
    private var windowsFront = 0
    /// One deadline FIFO per window length (a few at most; see ``maximumLanes``).
    private var lanes: [Lane] = []
    /// Deadlines that fit no lane, as a binary heap.
    private var outOfOrder: [Mark] = []
    /// Marks in the lanes and the heap, open or stale.
    private var markCount = 0
    /// Window lengths with a lane of their own; further lengths share the heap.
    private static let maximumLanes = 8
    /// Counters of joined, late and default rewards and closed windows.
    public private(set) var counters = Counters()
    /// The latest event time applied (seconds since 1970).
    public private(set) var time = -Double.infinity
    /// The most windows open at once (≥ 1); not part of the checkpointed state: the owner sets
    /// it, and replay after a crash must use the same value to close the same windows.
    public var capacity = Int.max

    /// An empty joiner.
    public init() { keyMask = .max }

    /// An empty joiner whose keys keep only `keyMask`'s bits of the hash (tests: collisions).
    init(keyMask: UInt64) { self.keyMask = keyMask }

    /// Number of decisions whose window is open.
    public var pendingCount: Int { pendingByKey.count + collidingPending.count }

    /// Deadline marks held (open windows plus stale marks not yet compacted).
    var heapCount: Int { markCount }

    /// Window slots held (open windows plus closed ones not yet compacted).
    var slotCount: Int { windows.count }

    /// Whether `eventID` is pending.
    public func isPending(_ eventID: String) -> Bool { slot(of: eventID) != nil }

    // MARK: - Events

    /// Closes every window with deadline ≤ `now`, appending them to `closed` in (deadline, sequence) order.
    public mutating func advance(to now: Double, into closed: inout [Closed]) {
        if now > time { time = now }
        while let mark = popEarliest(notAfter: now) {
            guard let index = openIndex(mark.slot) else { continue }
            close(index, at: mark.time, into: &closed)
        }
    }

    /// Opens the window of a committed decision (after closing windows due by its timestamp).
    public mutating func register(_ decision: DecisionRecord, rule: Rule, into closed: inout [Closed]) {
        advance(to: decision.timestamp, into: &closed)
        while pendingCount >= max(capacity, 1), let mark = popEarliest(notAfter: .infinity) {
            guard let index = openIndex(mark.slot) else { continue }
            counters.forcedCloses += 1
            close(index, at: decision.timestamp, into: &closed)
        }
        if markCount > 1024, markCount > 2 * pendingCount { rebuildMarks() }
        let deadline = decision.timestamp + rule.windowSeconds
        open(decision, window: OpenWindow(sequence: decision.sequence, deadline: deadline, aggregation: rule.aggregation,
                                          defaultReward: rule.defaultReward, rewards: []))
    }

    /// Applies a committed reward (after closing windows due by its timestamp).
    public mutating func join(_ reward: RewardRecord, into closed: inout [Closed]) -> JoinResult {
        advance(to: reward.timestamp, into: &closed)
        guard let slot = slot(of: reward.eventID) else {
            counters.lateRewards += 1
            return .late
        }
        counters.joinedRewards += 1
        let index = slot - windowsBase
        windows[index].window.rewards.append(reward.value)
        if windows[index].window.aggregation == .first { close(index, at: reward.timestamp, into: &closed) }
        return .joined
    }

    // MARK: - State

    /// The state to checkpoint.
    public var state: State {
        let open = windows.compactMap { slot in
            slot.decision.map { Pending(decision: $0, deadline: slot.window.deadline, aggregation: slot.window.aggregation,
                                        defaultReward: slot.window.defaultReward, rewards: slot.window.rewards) }
        }
        return State(pending: open.sorted { $0.decision.sequence < $1.decision.sequence }, counters: counters, time: time)
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
        open.reserveCapacity(pendingCount)
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
        keyMask = .max
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

    /// Opens `window` for `decision`: its slot at the end of ``windows``, its entry and its deadline.
    private mutating func open(_ decision: DecisionRecord, window: OpenWindow) {
        let key = key(of: decision.eventID)
        if let replaced = slot(of: decision.eventID, key: key) {
            _ = windows[replaced - windowsBase].takeDecision()
            unindex(decision.eventID, key: key, slot: replaced)
        }
        let slot = windowsBase + windows.count
        index(decision.eventID, key: key, slot: slot)
        windows.append(Slot(decision: decision, window: window, key: key))
        push(Mark(time: window.deadline, sequence: decision.sequence, slot: slot), windowSeconds: window.deadline - decision.timestamp)
    }

    /// The key of `eventID` in ``pendingByKey``: its hash (seeded per process, so that no
    /// client can choose colliding ids), masked.
    private func key(of eventID: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(eventID)
        return UInt64(UInt(bitPattern: hasher.finalize())) & keyMask
    }

    /// The absolute slot of `eventID`'s open window; `key` is its key when known already.
    private func slot(of eventID: String, key: UInt64? = nil) -> Int? {
        if let slot = pendingByKey[key ?? self.key(of: eventID)], windows[slot - windowsBase].decision?.eventID == eventID { return slot }
        return collidingPending.isEmpty ? nil : collidingPending[eventID]
    }

    /// Records that `eventID` (hashed to `key`, not open yet) is open in `slot`.
    private mutating func index(_ eventID: String, key: UInt64, slot: Int) {
        if pendingByKey[key] == nil {
            pendingByKey[key] = slot
        } else {
            collidingPending[eventID] = slot
        }
    }

    /// Forgets that `eventID` (hashed to `key`) is open in `slot`.
    private mutating func unindex(_ eventID: String, key: UInt64, slot: Int) {
        if pendingByKey[key] == slot {
            pendingByKey[key] = nil
        } else {
            collidingPending[eventID] = nil
        }
    }

    /// The index in ``windows`` of absolute slot `slot` when its window is still open.
    private func openIndex(_ slot: Int) -> Int? {
        let index = slot - windowsBase
        return index >= 0 && index < windows.count && windows[index].isOpen ? index : nil
    }

    private mutating func close(_ index: Int, at time: Double, into closed: inout [Closed]) {
        guard let decision = windows[index].takeDecision() else { return }
        unindex(decision.eventID, key: windows[index].key, slot: windowsBase + index)
        let window = windows[index].window
        windows[index].window.rewards = []
        counters.closedDecisions += 1
        if let value = Self.aggregate(window.rewards, window.aggregation) {
            closed.append(Closed(decision: decision, reward: value, isDefault: false, closedAt: time))
        } else {
            counters.defaultRewards += 1
            closed.append(Closed(decision: decision, reward: window.defaultReward, isDefault: true, closedAt: time))
        }
        compactWindows()
    }

    /// Drops closed slots: the closed prefix once it is half the array (windows mostly close
    /// in the order they opened), and every closed slot once they outnumber the open ones four
    /// to one (renumbering the open windows and rebuilding their marks). Both are amortized
    /// O(1) per closed window.
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
        } else if windows.count > 1024, windows.count > 4 * pendingCount {
            windowsBase += windows.count
            windows.removeAll { !$0.isOpen }
            windowsFront = 0
            pendingByKey.removeAll(keepingCapacity: true)
            collidingPending.removeAll()
            for (index, slot) in windows.enumerated() {
                if let decision = slot.decision { self.index(decision.eventID, key: slot.key, slot: windowsBase + index) }
            }
            rebuildMarks()
        }
    }

    /// Replaces every mark by one per open window: drops stale marks (windows closed early by
    /// `first` aggregation, the cap or a replacement), follows renumbered slots, and frees the
    /// lanes of window lengths no open window has any more.
    private mutating func rebuildMarks() {
        lanes.removeAll(keepingCapacity: true)
        outOfOrder.removeAll(keepingCapacity: true)
        markCount = 0
        for (index, slot) in windows.enumerated() {
            guard let decision = slot.decision else { continue }
            push(Mark(time: slot.window.deadline, sequence: decision.sequence, slot: windowsBase + index),
                 windowSeconds: slot.window.deadline - decision.timestamp)
        }
    }

    /// Queues a deadline in its window length's lane when it keeps that lane in order, else in the heap.
    private mutating func push(_ mark: Mark, windowSeconds: Double) {
        markCount += 1
        var lane = lanes.firstIndex { $0.windowSeconds == windowSeconds }
        if lane == nil, lanes.count < Self.maximumLanes {
            lanes.append(Lane(windowSeconds: windowSeconds))
            lane = lanes.count - 1
        }
        if let lane, lanes[lane].marks.last.map({ !(mark < $0) }) ?? true {
            lanes[lane].marks.append(mark)
            return
        }
        outOfOrder.append(mark)
        var i = outOfOrder.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard outOfOrder[i] < outOfOrder[parent] else { break }
            outOfOrder.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest mark (by deadline, then sequence) when its deadline is ≤ `limit`.
    private mutating func popEarliest(notAfter limit: Double) -> Mark? {
        var best = outOfOrder.first
        var bestLane: Int?
        for i in lanes.indices {
            if let mark = lanes[i].first, best.map({ mark < $0 }) ?? true {
                best = mark
                bestLane = i
            }
        }
        guard let mark = best, mark.time <= limit else { return nil }
        markCount -= 1
        if let bestLane {
            lanes[bestLane].removeFirst()
        } else {
            popHeap()
        }
        return mark
    }

    private mutating func popHeap() {
        outOfOrder.swapAt(0, outOfOrder.count - 1)
        outOfOrder.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < outOfOrder.count, outOfOrder[l] < outOfOrder[m] { m = l }
            if r < outOfOrder.count, outOfOrder[r] < outOfOrder[m] { m = r }
            if m == i { break }
            outOfOrder.swapAt(i, m)
            i = m
        }
    }
}
