/// Durable storage of the decision journal: decisions and rewards in one commit order, the
/// final outcome of each decision, lookup by event id, replay and export.
///
/// Implementations must make an `append` batch durable (one transaction) before returning,
/// assign increasing journal sequences in batch order, and treat a repeated decision event id or
/// reward key as a duplicate without failing the rest of the batch.
public protocol EventStore: AnyObject, Sendable {
    /// Appends decisions and rewards in one durable transaction, together with outcomes of
    /// decisions whose windows closed since the last call.
    /// - Parameters:
    ///   - entries: Entries in order; their `sequence` fields are ignored and assigned.
    ///   - outcomes: Outcomes to store (an outcome replaces an earlier one for the same event id).
    /// - Returns: One outcome and the assigned sequence per entry (0 when nothing was written).
    /// - Throws: `EngineError.storage` when the transaction fails; then nothing was written.
    func append(_ entries: [JournalEntry], outcomes: [OutcomeRecord]) throws(EngineError) -> [(AppendOutcome, Int64)]

    /// The highest journal sequence stored (0 when empty).
    func lastSequence() throws(EngineError) -> Int64

    /// Calls `body` with every entry whose sequence is above `sequence`, in journal order.
    /// - Complexity: O(n) in the entries replayed.
    func replay(after sequence: Int64, _ body: (JournalEntry) throws(EngineError) -> Void) throws(EngineError)

    /// The decision logged under `eventID`, if any.
    func decision(eventID: String) throws(EngineError) -> DecisionRecord?

    /// The decisions logged under these journal sequences, by sequence (sequences with no
    /// decision are absent from the result).
    /// - Complexity: O(n log N) for n sequences in a log of N.
    func decisions(sequences: [Int64]) throws(EngineError) -> [Int64: DecisionRecord]

    /// Calls `body` with every decision committed at or after `since` (seconds since 1970), in
    /// journal order, joined with its outcome.
    func export(since: Double?, _ body: (LoggedDecision) throws(EngineError) -> Void) throws(EngineError)

    /// The latest `limit` decisions of `policyID` whose reward windows have closed, joined
    /// with their outcomes, in journal order.
    /// - Complexity: Proportional to the entries newer than the oldest one returned.
    func closedDecisions(policyID: String, limit: Int) throws(EngineError) -> [LoggedDecision]

    /// Deletes decisions, rewards and outcomes committed before `before` (seconds since 1970).
    /// - Returns: The number of decisions deleted.
    func deleteEntries(before: Double) throws(EngineError) -> Int
}

extension EventStore {
    /// The latest `limit` closed decisions of `policyID`, found by exporting the whole log (for
    /// stores without a faster way).
    /// - Complexity: O(N) in the log.
    public func closedDecisions(policyID: String, limit: Int) throws(EngineError) -> [LoggedDecision] {
        let limit = max(limit, 1)
        var rounds: [LoggedDecision] = []
        try export(since: nil) { (logged: LoggedDecision) throws(EngineError) in
            guard logged.decision.policyID == policyID, logged.outcome != nil else { return }
            rounds.append(logged)
            // Keep memory near the limit without shifting the array on every round.
            if rounds.count >= 2 * limit { rounds.removeFirst(rounds.count - limit) }
        }
        return Array(rounds.suffix(limit))
    }
}
