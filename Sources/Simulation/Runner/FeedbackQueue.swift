import Bandits

/// One decision waiting for its reward to reach the learner.
struct PendingFeedback {
    /// What the learner will see (its `reward` is set at delivery).
    var interaction = Interaction(context: Context(features: []), candidates: [], action: 0, reward: 0)
    var round = 0
    var slot = 0
    var modelVersion = 0
    /// The reward the customer produced.
    var observedReward = 0.0
    /// Whether the reward arrives within the reward window.
    var arrivesInWindow = true
}

/// Delayed feedback as a ring of pre-allocated slots: a decision of round t is delivered in
/// round `t + min(delay, window)`, so at most `lag + 1` rounds are in flight and the pool is
/// reused without allocation in the steady state.
struct FeedbackQueue {
    let lag: Int
    let slots: Int
    private(set) var pool: [PendingFeedback]
    private var buckets: [[Int]]

    init(lag: Int, slots: Int) {
        self.lag = lag
        self.slots = slots
        pool = Array(repeating: PendingFeedback(), count: (lag + 1) * slots)
        buckets = Array(repeating: [], count: lag + 1)
        for i in buckets.indices { buckets[i].reserveCapacity(4 * slots) }
    }

    /// Records a decision to be delivered `delay` rounds later (capped by `window`).
    mutating func enqueue(round: Int, slot: Int, context: Context, decision: Decision, observedReward: Double, delay: Int, window: Int) {
        let index = (round % (lag + 1)) * slots + slot
        pool.withUnsafeMutableBufferPointer { p in
            // Overwrite in place: the pool's arrays keep their storage, so the steady state
            // neither allocates nor retains.
            Self.copy(context.features, into: &p[index].interaction.context.features)
            p[index].interaction.context.segment = context.segment
            Self.copy(decision.candidates, into: &p[index].interaction.candidates)
            Self.copy(decision.probabilities, into: &p[index].interaction.probabilities)
            p[index].interaction.action = decision.action
            p[index].interaction.propensity = decision.probabilities[decision.position]
            p[index].round = round
            p[index].slot = slot
            p[index].modelVersion = decision.modelVersion
            p[index].observedReward = observedReward
            p[index].arrivesInWindow = delay <= window
        }
        let deliveryRound = round + min(min(delay, window), lag)
        buckets[deliveryRound % (lag + 1)].append(index)
    }

    /// Copies `source` into `target`, reusing `target`'s storage when the counts agree.
    @inline(__always)
    private static func copy<T>(_ source: [T], into target: inout [T]) {
        guard target.count == source.count else {
            target.removeAll(keepingCapacity: true)
            target.append(contentsOf: source)
            return
        }
        target.withUnsafeMutableBufferPointer { t in
            source.withUnsafeBufferPointer { s in
                for j in 0..<s.count { t[j] = s[j] }
            }
        }
    }

    /// Hands every decision due in `round` to `body`, in the order they were made, with the
    /// learner's reward set (`defaultReward` when the window closed first).
    mutating func deliver<Failure: Error>(round: Int, defaultReward: Double, _ body: (PendingFeedback) throws(Failure) -> Void) throws(Failure) {
        let b = round % (lag + 1)
        guard !buckets[b].isEmpty else { return }
        for i in 0..<buckets[b].count {
            let index = buckets[b][i]
            pool[index].interaction.reward = pool[index].arrivesInWindow ? pool[index].observedReward : defaultReward
            try body(pool[index])
        }
        buckets[b].removeAll(keepingCapacity: true)
    }

    /// Delivers everything still pending after the last round (for the log only).
    mutating func drain<Failure: Error>(after lastRound: Int, defaultReward: Double, _ body: (PendingFeedback) throws(Failure) -> Void) throws(Failure) {
        for r in (lastRound + 1)...(lastRound + lag + 1) { try deliver(round: r, defaultReward: defaultReward, body) }
    }
}
