import AttuneCore
import Bandits
@testable import Engine
import Foundation
import Segmentation
import Server
import Synchronization
import Testing

/// An event store whose commits can be held: a held commit keeps the journal's pass, and so
/// every request waiting on it, from finishing.
final class GatedStore: EventStore {
    private let inner: SQLiteEventStore
    private let gate = Mutex<Bool>(false)
    private let opened = DispatchSemaphore(value: 0)
    let entered = DispatchSemaphore(value: 0)
    /// Entries in commits held so far (for async tests, which must not block on `entered`).
    let held = Atomic<Int>(0)

    init() throws { inner = try SQLiteEventStore(path: ":memory:") }

    /// Holds the next commits until `open()`.
    func close() { gate.withLock { $0 = true } }

    func open() {
        gate.withLock { $0 = false }
        opened.signal()
    }

    func append(_ entries: [JournalEntry], outcomes: [OutcomeRecord]) throws(EngineError) -> [(AppendOutcome, Int64)] {
        if gate.withLock({ $0 }), !entries.isEmpty {
            held.add(entries.count, ordering: .relaxed)
            entered.signal()
            opened.wait()
        }
        return try inner.append(entries, outcomes: outcomes)
    }

    func lastSequence() throws(EngineError) -> Int64 { try inner.lastSequence() }
    func replay(after sequence: Int64, _ body: (JournalEntry) throws(EngineError) -> Void) throws(EngineError) {
        try inner.replay(after: sequence, body)
    }
    func decision(eventID: String) throws(EngineError) -> DecisionRecord? { try inner.decision(eventID: eventID) }
    func decisions(sequences: [Int64]) throws(EngineError) -> [Int64: DecisionRecord] { try inner.decisions(sequences: sequences) }
    func export(since: Double?, _ body: (LoggedDecision) throws(EngineError) -> Void) throws(EngineError) { try inner.export(since: since, body) }
    func deleteEntries(before: Double) throws(EngineError) -> Int { try inner.deleteEntries(before: before) }
}

@Suite("Customer events share the journal's group commit")
struct EventsGroupCommitTests {
    static func makeRouter(store: GatedStore, eventLog: String) throws -> Router {
        var parser = JSONLineParser()
        var table = ProfileTable()
        let training = (0..<4).flatMap { EventsRouteTests.lines("buyer-\($0)", purchases: 6, views: 1) }
            + (0..<4).flatMap { EventsRouteTests.lines("browser-\($0)", purchases: 0, views: 6 + $0) }
        for (i, line) in training.enumerated() { table.update(with: try parser.parse(line, line: i + 1)) }
        let schema = try table.makeSchema()
        let (_, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 5)
        let model = try SegmentationFitter(.init(k: 2, initializations: 2, bootstrapRuns: 0))
            .fit(raw: x, featureNames: schema.names, schema: schema, referenceTime: table.latestTimestamp, using: &rng)
        let engine = try Engine(specifications: [Support.specification()], store: store,
                                configuration: EngineConfiguration(tickSeconds: 0.01),
                                customers: CustomerSegments(model: model, eventLog: eventLog))
        return Router(engine: engine)
    }

    static func lineCount(_ path: String) -> Int {
        ((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()).filter { $0 == UInt8(ascii: "\n") }.count
    }

    @Test func eventRepliesWaitForTheCommitAndConcurrentRequestsShareOneSync() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/customer-events.jsonl"
        let store = try GatedStore()
        let router = try Self.makeRouter(store: store, eventLog: log)
        defer { router.engine.shutdown() }

        // A decision holds the journal's pass in its commit.
        store.close()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            _ = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}}"#))
        }
        store.entered.wait()
        let syncsBefore = router.engine.journal.figures.fileSyncs

        // Eight event requests arrive meanwhile: written and applied, but none may be answered.
        let requests = 8
        let answered = Atomic<Int>(0)
        let statuses = Mutex<[Int]>([])
        for r in 0..<requests {
            DispatchQueue.global().async(group: group) {
                let body = EventsRouteTests.lines("late-\(r)", purchases: 1, views: 1).joined(separator: "\n")
                let status = router.handle(HTTPRequest(method: "POST", path: "/v1/events", body: body)).status
                answered.add(1, ordering: .relaxed)
                statuses.withLock { $0.append(status) }
            }
        }
        let deadline = Date().addingTimeInterval(20)
        while router.engine.journal.figures.pendingFileSyncs < requests, Date() < deadline { usleep(2_000) }
        #expect(Self.lineCount(log) == 2 * requests)
        usleep(50_000)
        #expect(answered.load(ordering: .relaxed) == 0, "an event request was answered before the journal's pass ended")

        store.open()
        group.wait()
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: requests))
        // Everything written before the pass ended is synced by one fsync in the next pass.
        let syncs = router.engine.journal.figures.fileSyncs - syncsBefore
        #expect(syncs == 1, "\(syncs) syncs for \(requests) requests")

        // Alone, a request still waits for its own sync.
        let alone = router.handle(HTTPRequest(method: "POST", path: "/v1/events", body: EventsRouteTests.lines("solo", purchases: 1, views: 0)[0]))
        #expect(alone.status == 200)
        #expect(router.engine.journal.figures.fileSyncs - syncsBefore == 2)
        #expect(Self.lineCount(log) == 2 * requests + 1)
    }

    @Test func afterTheJournalStopsEventsAreSyncedByTheirRequest() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/customer-events.jsonl"
        let router = try Self.makeRouter(store: GatedStore(), eventLog: log)
        router.engine.shutdown()
        let syncs = router.engine.journal.figures.fileSyncs
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/events", body: EventsRouteTests.lines("c", purchases: 1, views: 0)[0]))
        #expect(response.status == 200, "\(response.text)")
        #expect(router.engine.journal.figures.fileSyncs == syncs + 1 && Self.lineCount(log) == 1)
    }
}
