import AttuneCore
import Bandits
import CMimalloc
import CSQLite
import Engine
import Foundation
import Segmentation
import Server
import Synchronization

/// `attune-bench server --soak SECONDS`: a steady decide + reward + events load against an
/// in-process server on a loopback port for SECONDS, reporting the process's resident memory
/// (server and load generator together) at start, every `interval` and at the end, one JSON
/// line each, then a summary line with the start, end and peak RSS.
///
/// The load is built to make every unbounded structure visible: customer ids are drawn from a
/// space far larger than the profile cap (so profiles are evicted), every decision opens a
/// reward window (2 s, closed by time), a third of them get a reward, and every fourth
/// iteration posts a customer event. The load generator keeps counters only, never per-request
/// samples, so its own memory stays flat.
enum ServerSoakBenchmark {
    /// Customer profiles held by the soak server (the cap under test).
    static let profileCap = 20_000
    /// Distinct customer ids the load draws from.
    static let customerSpace = 1_000_000
    static let connections = 8

    static func run(seconds: Double, directory: String, _ writer: ResultWriter) throws(BenchError) {
        let data = directory + "/soak-data"
        // As `attune serve` does at start.
        MemoryTuning.fixMallocThresholds()
        let engine: Engine
        let server: HTTPServer
        do {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            let specification = try PolicySpecification(decoding: Data(ServerBenchmarks.policyJSON.utf8))
            let customers = try CustomerSegments(model: segmentModel(), eventLog: data + "/customer-events.jsonl",
                                                 limits: CustomerSegments.Limits(maxCustomers: profileCap, idleSeconds: 300,
                                                                                 logCompactionBytes: 8 << 20))
            engine = try Engine(specifications: [specification], store: SQLiteEventStore(path: data + "/events.sqlite"),
                                configuration: EngineConfiguration(dataDirectory: data), customers: customers)
            server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)))
        } catch {
            throw .io(path: data, reason: "cannot start the soak server: \(error)")
        }
        defer {
            server.stop()
            engine.shutdown()
        }
        let port = server.port
        let interval = max(1, min(30, seconds / 10))
        let requests = Atomic<Int>(0)
        let errors = Atomic<Int>(0)
        let lost = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        ResultWriter.progress("attune-bench server: soak for \(seconds) s, \(connections) connections, RSS every \(interval) s")
        let started = monotonicNanoseconds()
        var samples: [Double] = []
        samples.append(ServerBenchmarks.residentMegabytes())
        let anonymousStart = memoryBreakdown().anonymous
        let heapStart = heapBreakdown()
        writer.emit(sample(engine, elapsed: 0, rss: samples[0], requests: 0, errors: 0, rate: 0))
        for thread in 0..<connections {
            group.enter()
            let worker = Thread {
                defer { group.leave() }
                guard var connection = LoadConnection(port: port) else {
                    lost.add(1, ordering: .relaxed)
                    return
                }
                var generator = SeededGenerator(seed: UInt64(thread) &+ 17)
                var i = 0
                // A failed exchange counts as an error and a lost connection; the client connects
                // again, so a soak never goes quiet without saying why.
                func exchange(_ path: String, _ body: String) -> LoadConnection.Reply? {
                    if let reply = connection.send("POST", path, body) { return reply }
                    lost.add(1, ordering: .relaxed)
                    errors.add(1, ordering: .relaxed)
                    if let fresh = LoadConnection(port: port) { connection = fresh }
                    return nil
                }
                while !stop.load(ordering: .relaxed) {
                    let customer = "c\(Int.random(in: 0..<customerSpace, using: &generator))"
                    var body = ServerBenchmarks.decisionBody(thread: thread, index: i, eventID: nil)
                    body = body.replacingOccurrences(of: #""customer_id":"c\#(i % 5000)""#, with: #""customer_id":"\#(customer)""#)
                    i += 1
                    guard let reply = exchange("/v1/decisions", body) else { continue }
                    var sent = 1, failed = reply.status == 200 ? 0 : 1
                    if i % 3 == 1, reply.status == 200, let id = ServerBenchmarks.eventID(in: reply.body) {
                        guard let r = exchange("/v1/rewards", #"{"event_id":"\#(id)","reward":1}"#) else { continue }
                        sent += 1
                        if r.status != 200 { failed += 1 }
                    }
                    if i % 4 == 1 {
                        let event = #"{"customer_id":"\#(customer)","timestamp":\#(Int(Date().timeIntervalSince1970)),"channel":"web","type":"\#(i % 8 == 1 ? "purchase" : "page_view")","value":\#(10 + (i - 1) % 90)}"#
                        guard let e = exchange("/v1/events", event) else { continue }
                        sent += 1
                        if e.status != 200 { failed += 1 }
                    }
                    requests.add(sent, ordering: .relaxed)
                    if failed > 0 { errors.add(failed, ordering: .relaxed) }
                }
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        var lastRequests = 0
        var lastTime = 0.0
        while true {
            let elapsed = Double(monotonicNanoseconds() - started) / 1e9
            if elapsed >= seconds { break }
            Thread.sleep(forTimeInterval: min(interval, seconds - elapsed))
            let now = Double(monotonicNanoseconds() - started) / 1e9
            let count = requests.load(ordering: .relaxed)
            let rss = ServerBenchmarks.residentMegabytes()
            samples.append(rss)
            writer.emit(sample(engine, elapsed: now, rss: rss, requests: count, errors: errors.load(ordering: .relaxed), lost: lost.load(ordering: .relaxed),
                               rate: Double(count - lastRequests) / max(now - lastTime, 1e-9)))
            lastRequests = count
            lastTime = now
        }
        stop.store(true, ordering: .relaxed)
        group.wait()
        let total = requests.load(ordering: .relaxed)
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        var summary = BenchmarkRecord()
        summary["task"] = .string("server soak summary")
        summary["size"] = .string("seconds=\(Int(seconds)) connections=\(connections)")
        summary["requests"] = .int(total)
        summary["errors"] = .int(errors.load(ordering: .relaxed))
        summary["connections_lost"] = .int(lost.load(ordering: .relaxed))
        summary["throughput_per_s"] = .double(Double(total) / elapsed)
        summary["rss_mb_start"] = .double(samples.first ?? .nan)
        summary["rss_mb_end"] = .double(samples.last ?? .nan)
        summary["rss_mb_max"] = .double(samples.max() ?? .nan)
        summary["rss_anon_mb_start"] = .double(anonymousStart)
        summary["rss_anon_mb_end"] = .double(memoryBreakdown().anonymous)
        summary["heap_committed_mb_start"] = .double(heapStart.committed)
        let heapEnd = heapBreakdown()
        summary["heap_committed_mb_end"] = .double(heapEnd.committed)
        summary["sqlite_heap_mb_end"] = .double(heapEnd.sqlite)
        // Growth over the second half of the run: flat memory shows as about zero.
        let half = samples[(samples.count / 2)...]
        summary["rss_mb_growth_second_half"] = .double((half.last ?? 0) - (half.first ?? 0))
        let stats = engine.statistics
        summary["customer_profiles"] = .int(stats.customerProfiles?.held ?? 0)
        summary["customer_profiles_evicted"] = .int(stats.customerProfiles?.evicted ?? 0)
        summary["pending_decisions"] = .int(stats.pendingDecisions)
        summary["customer_event_log_mb"] = .double(Double(stats.customerEventLog?.bytes ?? 0) / 1_048_576)
        summary["customer_event_log_compactions"] = .int(stats.customerEventLog?.compactions ?? 0)
        writer.emit(summary)
    }

    private static func sample(_ engine: Engine, elapsed: Double, rss: Double, requests: Int, errors: Int, lost: Int = 0, rate: Double) -> BenchmarkRecord {
        let stats = engine.statistics
        var record = BenchmarkRecord()
        record["task"] = .string("server soak")
        record["elapsed_s"] = .double((elapsed * 10).rounded() / 10)
        record["rss_mb"] = .double(rss)
        // Where the resident memory is: heap (anonymous), mapped files, shared memory (SQLite's WAL index).
        let parts = memoryBreakdown()
        record["rss_anon_mb"] = .double(parts.anonymous)
        record["rss_file_mb"] = .double(parts.file)
        record["rss_shmem_mb"] = .double(parts.shared)
        // Whose heap it is: what mimalloc holds from the system, and the part of it SQLite uses.
        let heap = heapBreakdown()
        record["heap_committed_mb"] = .double(heap.committed)
        record["sqlite_heap_mb"] = .double(heap.sqlite)
        record["requests"] = .int(requests)
        record["errors"] = .int(errors)
        record["connections_lost"] = .int(lost)
        record["requests_per_s"] = .double(rate.rounded())
        record["pending_decisions"] = .int(stats.pendingDecisions)
        record["customer_profiles"] = .int(stats.customerProfiles?.held ?? 0)
        record["customer_profiles_evicted"] = .int(stats.customerProfiles?.evicted ?? 0)
        record["customer_event_log_mb"] = .double(Double(stats.customerEventLog?.bytes ?? 0) / 1_048_576)
        record["customer_event_log_compactions"] = .int(stats.customerEventLog?.compactions ?? 0)
        record["learned"] = .int(stats.learned)
        record["checkpoints"] = .int(stats.checkpoints)
        return record
    }

    /// Memory mimalloc has committed for the process (every `malloc`: Swift, SQLite,
    /// libmicrohttpd) and the bytes SQLite has allocated through it, both in MiB. Anonymous RSS
    /// beyond the committed heap is thread stacks and other mappings.
    static func heapBreakdown() -> (committed: Double, sqlite: Double) {
        var elapsed = 0, user = 0, system = 0, rss = 0, peakRSS = 0, committed = 0, peakCommitted = 0, faults = 0
        mi_process_info(&elapsed, &user, &system, &rss, &peakRSS, &committed, &peakCommitted, &faults)
        return (Double(committed) / 1_048_576, Double(sqlite3_memory_used()) / 1_048_576)
    }

    /// `RssAnon`, `RssFile` and `RssShmem` of this process in MiB (NaN where the kernel lacks them).
    static func memoryBreakdown() -> (anonymous: Double, file: Double, shared: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (.nan, .nan, .nan) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
            return kilobytes / 1024
        }
        return (field("RssAnon"), field("RssFile"), field("RssShmem"))
    }

    /// A two-segment k-means model fitted on synthetic events (spenders and browsers), so that
    /// the soak server accepts `POST /v1/events`.
    static func segmentModel() throws -> SegmentationModel {
        var lines: [String] = []
        let start = 1_700_000_000
        for c in 0..<40 {
            let spender = c % 2 == 0
            for k in 0..<(spender ? 8 : 1) {
                lines.append(#"{"customer_id":"t\#(c)","timestamp":\#(start + k * 86_400),"channel":"web","type":"purchase","value":\#(spender ? 200 : 20)}"#)
            }
            for k in 0..<(spender ? 2 : 10) {
                lines.append(#"{"customer_id":"t\#(c)","timestamp":\#(start + k * 43_200 + 600),"channel":"app","type":"page_view","duration_s":30}"#)
            }
        }
        var parser = JSONLineParser()
        var table = ProfileTable()
        for (i, line) in lines.enumerated() { table.update(with: try parser.parse(line, line: i + 1)) }
        let schema = try table.makeSchema()
        let (_, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 7)
        return try SegmentationFitter(.init(k: 2, initializations: 2, bootstrapRuns: 0))
            .fit(raw: x, featureNames: schema.names, schema: schema, referenceTime: table.latestTimestamp, using: &rng)
    }
}
