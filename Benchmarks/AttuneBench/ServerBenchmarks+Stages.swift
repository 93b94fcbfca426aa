import AttuneCore
import Bandits
import Engine
import Foundation
import Server

/// Time per request by stage, on one thread without sockets or fsync: decoding the body
/// (strictly, and with the one-pass reader the router uses), the engine's decision with its
/// journal round trip to an in-memory store, and the whole router (decode, decide, log,
/// encode the reply, metrics). Wall time per call (`…_ns`) includes the hand-off to the journal
/// thread and back; `…_cpu_ns` is the calling thread's own CPU time. The durable commit's own
/// time is in the load phases' `mean_commit_ms`.
extension ServerBenchmarks {
    static func stages(requests: Int, _ writer: ResultWriter) throws(BenchError) {
        let bodies = (0..<1000).map { Array(decisionBody(thread: 1, index: $0, eventID: nil).utf8) }
        let decoder = StrictJSONDecoder()
        let engine: Engine
        do {
            let specification = try PolicySpecification(decoding: Data(policyJSON.utf8))
            engine = try Engine(specifications: [specification], store: SQLiteEventStore(path: ":memory:"))
        } catch {
            throw .io(path: ":memory:", reason: "cannot start the engine: \(error)")
        }
        defer { engine.shutdown() }
        let router = Router(engine: engine)
        var sink = 0
        var failures = 0
        let strict = timePerCall(requests) { i in
            if let r = try? decoder.decode(DecisionRequest.self, from: Data(bodies[i % bodies.count]), source: "body") {
                sink &+= r.customerID?.utf8.count ?? 0
            } else { failures += 1 }
        }
        let fast = timePerCall(requests) { i in
            if let r = JSONReader.read(bodies[i % bodies.count], RequestReading.decision) { sink &+= r.customerID?.utf8.count ?? 0 } else { failures += 1 }
        }
        let parsed = bodies.compactMap { JSONReader.read($0, RequestReading.decision) }
        let decide = timePerCall(requests) { i in
            if let reply = try? engine.decide(parsed[i % parsed.count]) { sink &+= reply.actionID.utf8.count } else { failures += 1 }
        }
        let requestsToRoute = bodies.map { HTTPRequest(method: "POST", path: "/v1/decisions", body: $0) }
        let handle = timePerCall(requests) { i in
            let response = router.handle(requestsToRoute[i % requestsToRoute.count])
            if response.status == 200 { sink &+= response.body.count } else { failures += 1 }
        }
        let append = try storeAppend(decisions: requests, batch: 20)
        let appendInMemory = try storeAppend(decisions: requests, batch: 20, inMemory: true)
        var record = BenchmarkRecord()
        record["task"] = .string("server stages K=10 d=20")
        record["size"] = .string("requests=\(requests), one thread, in-memory store")
        record["decode_strict_ns"] = .double(strict.wall)
        record["decode_reader_ns"] = .double(fast.wall)
        record["decode_speedup"] = .double(strict.wall / fast.wall)
        record["engine_decide_and_log_ns"] = .double(decide.wall)
        record["engine_decide_and_log_cpu_ns"] = .double(decide.cpu)
        record["router_handle_ns"] = .double(handle.wall)
        record["router_handle_cpu_ns"] = .double(handle.cpu)
        record["store_append_cpu_ns"] = .double(append.cpu)
        record["store_append_ns"] = .double(append.wall)
        record["store_append_in_memory_cpu_ns"] = .double(appendInMemory.cpu)
        record["failures"] = .int(failures)
        record["checksum"] = .int(sink & 0xFFFF)
        writer.emit(record)
    }

    /// What the journal's store work costs per decision: appends to an SQLite file (WAL,
    /// `synchronous=FULL`, a sync per batch) in batches of `batch`, each batch also storing the
    /// outcomes of as many earlier decisions (windows closing), as under steady load. Wall and
    /// calling-thread CPU nanoseconds per decision (kernel time of the writes included).
    /// `inMemory` appends to an in-memory database instead: the CPU of encoding and SQLite alone.
    static func storeAppend(decisions: Int, batch: Int, inMemory: Bool = false) throws(BenchError) -> (wall: Double, cpu: Double) {
        let directory = NSTemporaryDirectory() + "attune-bench-store-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store: SQLiteEventStore
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try SQLiteEventStore(path: inMemory ? ":memory:" : directory + "/events.sqlite")
        } catch {
            throw .io(path: directory, reason: "cannot open the store: \(error)")
        }
        let candidates = Array(0..<actions)
        let ids = candidates.map { "offer_\($0)" }
        let probabilities = candidates.map { $0 == 3 ? 0.955 : 0.005 }
        func record(_ i: Int) -> DecisionRecord {
            DecisionRecord(eventID: "bench-\(i)", policyID: "bench", timestamp: 1_800_000_000 + Double(i) / 20_000,
                           customerID: "c\(i % 5000)", context: (0..<dimension).map { Double(($0 * 7 + i) % 2001 - 1000) / 1000 },
                           candidates: candidates, candidateIDs: ids, position: 3, probabilities: probabilities, modelVersion: i)
        }
        let batches = (0..<max(decisions / batch, 1)).map { b in (0..<batch).map { JournalEntry.decision(record(b * batch + $0)) } }
        let timed = timePerCall(batches.count) { b in
            // Decision i was appended first (warm-up or timed pass) as sequence i + 1.
            let outcomes: [OutcomeRecord] = b < 2 ? [] : (0..<batch).map { j in
                let i = (b - 2) * batch + j
                return OutcomeRecord(sequence: Int64(i + 1), eventID: "bench-\(i)", reward: 0, isDefault: true, closedAt: 1)
            }
            _ = try? store.append(batches[b], outcomes: outcomes)
        }
        return (timed.wall / Double(batch), timed.cpu / Double(batch))
    }

    /// Mean wall and calling-thread CPU nanoseconds per call of `body` over `count` calls
    /// (after a warm-up of a tenth).
    static func timePerCall(_ count: Int, _ body: (Int) -> Void) -> (wall: Double, cpu: Double) {
        for i in 0..<max(count / 10, 1) { body(i) }
        let cpu0 = LoadGenerator.threadCPUSeconds()
        let t0 = monotonicNanoseconds()
        for i in 0..<count { body(i) }
        let wall = Double(monotonicNanoseconds() - t0) / Double(max(count, 1))
        return (wall, (LoadGenerator.threadCPUSeconds() - cpu0) * 1e9 / Double(max(count, 1)))
    }
}
