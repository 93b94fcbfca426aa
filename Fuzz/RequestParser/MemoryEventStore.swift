import Engine
import Synchronization

/// An event store in memory for the fuzzer: the same duplicate and unknown-event answers as
/// the SQLite store, no disk, and bounded memory (the id sets are cleared past a size, which
/// only makes an old id look new again).
final class MemoryEventStore: EventStore {
    private struct State {
        var sequence: Int64 = 0
        var decisions = Set<String>()
        var rewards = Set<String>()
    }

    private let state = Mutex(State())
    private let limit = 100_000

    func append(_ entries: [JournalEntry], outcomes: [OutcomeRecord]) throws(EngineError) -> [(AppendOutcome, Int64)] {
        state.withLock { s in
            if s.decisions.count > limit { s.decisions.removeAll() }
            if s.rewards.count > limit { s.rewards.removeAll() }
            return entries.map { entry in
                switch entry {
                case .decision(let d):
                    guard s.decisions.insert(d.eventID).inserted else { return (.duplicate, 0) }
                case .reward(let r):
                    guard s.decisions.contains(r.eventID) else { return (.unknownEvent, 0) }
                    guard s.rewards.insert(r.eventID + "\u{0}" + r.key).inserted else { return (.duplicate, 0) }
                }
                s.sequence += 1
                return (.stored, s.sequence)
            }
        }
    }

    func lastSequence() throws(EngineError) -> Int64 { state.withLock { $0.sequence } }

    func replay(after sequence: Int64, _ body: (JournalEntry) throws(EngineError) -> Void) throws(EngineError) {}

    func decision(eventID: String) throws(EngineError) -> DecisionRecord? { nil }

    func decisions(sequences: [Int64]) throws(EngineError) -> [Int64: DecisionRecord] { [:] }

    func export(since: Double?, _ body: (LoggedDecision) throws(EngineError) -> Void) throws(EngineError) {}

    func deleteEntries(before: Double) throws(EngineError) -> Int { 0 }
}
