import Bandits
import CMimalloc
import Engine
import Foundation
import Server
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `attune-bench server`: the decision server under load on a loopback port, with a closed-loop
/// keep-alive load generator in this process (one thread per connection) and, when installed,
/// `wrk` as a second generator; and the kill -9 test against the `attune serve` executable. Tasks:
/// - `server stages K=10 d=20` — time per request by stage on one thread (decode, decide and log, route and encode);
/// - `server disk sync` — what one 4 KiB write + `fdatasync` costs on the data directory's disk now;
/// - `server healthz` — the HTTP stack's ceiling (libmicrohttpd, routing, an empty JSON reply);
/// - `server decide K=10 d=20 durable` — decisions, each committed (group commit, fsync) before its
///   reply: throughput, p50/p90/p99/max, the ceiling ratio, CPU per request on the server and
///   client sides, commits (fsyncs) per second, RSS;
/// - `server decide+reward K=10 d=20 durable` — every connection alternates a decision and its reward;
/// - `server latency by offered rate` — open-loop decisions at rising rates: the highest rate
///   whose p99 stays within the latency target (task `sweep`);
/// - `server kill -9 loss` — kills the server under load, restarts it, checks that every
///   acknowledged decision and reward is in the log, and reports time to ready;
/// - `server recovery …` — time to ready with a long log, without and with a checkpoint.
enum ServerBenchmarks {
    static let suite = BenchSuite(name: "server") { options, writer throws(BenchError) in try run(options, writer) }

    static let actions = 10
    /// The allocator the in-process server runs on: mimalloc, linked as in `attune`.
    static var allocator: String { "mimalloc " + MemoryTuning.mimallocVersion(Int(mi_version())) }
    static let dimension = 20

    static func run(_ options: BenchOptions, _ writer: ResultWriter) throws(BenchError) {
        let directory = NSTemporaryDirectory() + "attune-bench-server-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/policies", withIntermediateDirectories: true)
            try policyJSON.write(toFile: directory + "/policies/bench.json", atomically: true, encoding: .utf8)
        } catch {
            throw .io(path: directory, reason: "\(error)")
        }
        if let soak = options.soakSeconds {
            try ServerSoakBenchmark.run(seconds: soak, directory: directory, writer)
            writer.finish()
            return
        }
        let seconds = options.budgetSeconds.map { max($0, 1) } ?? (options.quick ? 2 : 10)
        let connections = 64
        let wants = { (task: String) in options.tasks?.contains(task) ?? true }
        if wants("stages") { try stages(requests: options.quick ? 5_000 : 20_000, writer) }
        let rounds = options.repeats ?? (options.quick ? 1 : 3)
        if wants("load") { try inProcess(directory: directory, seconds: seconds, connections: connections, rounds: rounds, writer) }
        if wants("sweep") { try rateSweep(directory: directory, seconds: seconds, connections: connections, writer) }
        if wants("kill") { try killNine(directory: directory, kills: options.quick ? 3 : 20, connections: 16, writer) }
        if wants("recovery") { try recovery(directory: directory, entries: options.quick ? 100_000 : 1_000_000, writer) }
        writer.finish()
    }

    // MARK: - Throughput and latency

    /// One load phase against the in-process server.
    struct Phase {
        var name: String
        var connections: Int
        var decides: Bool
        var rewards: Bool
        /// Requests per second offered on a fixed schedule (an open loop); `nil` for a closed loop.
        var rate: Double? = nil
        /// An open loop at this share of the last closed-loop decision throughput (rounded
        /// down to 500/s): the latency at a rate this machine sustains, whatever the target.
        var shareOfClosedLoop: Double? = nil
    }

    /// The decision rate of the issue's target, offered on a schedule to measure latency at that rate.
    static let targetRate = 20_000.0

    /// The bench policy's engine on a durable store in `directory/data` (emptied first).
    static func durableEngine(directory: String) throws(BenchError) -> Engine {
        do {
            let specification = try PolicySpecification(decoding: Data(policyJSON.utf8))
            try? FileManager.default.removeItem(atPath: directory + "/data")
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            return try Engine(specifications: [specification], store: SQLiteEventStore(path: directory + "/data/events.sqlite"),
                              configuration: EngineConfiguration(dataDirectory: directory + "/data"))
        } catch {
            throw .io(path: directory, reason: "cannot start the engine: \(error)")
        }
    }

    /// The load phases in each threading mode; the wrk phases `rounds` times over.
    static func inProcess(directory: String, seconds: Double, connections: Int, rounds: Int, _ writer: ResultWriter) throws(BenchError) {
        let engine = try durableEngine(directory: directory)
        defer { engine.shutdown() }
        writer.emit(diskSync(directory: directory + "/data"))
        let rssStart = residentMegabytes()
        for threading in [HTTPServer.Threading.adaptive, .eventLoops(2), .pollLoops(2), .threadPerConnection] {
            let server: HTTPServer
            do { server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)), threading: threading) } catch {
                throw .io(path: directory, reason: "cannot start the server: \(error)")
            }
            defer { server.stop() }
            let mode = threading.name
            let ceiling = try loadPhases(port: server.port, mode: mode, seconds: seconds, connections: connections, engine: engine, writer)
            if threading != .threadPerConnection, let ceiling {
                try wrkPhases(server: server, directory: directory, seconds: seconds, rounds: rounds, ceiling: ceiling, engine: engine, writer)
            }
        }
        let stats = engine.statistics
        var record = BenchmarkRecord()
        record["task"] = .string("server group commit")
        record["size"] = .string("all phases")
        record["commits"] = .int(stats.commits)
        record["entries"] = .int(stats.committedEntries)
        record["entries_per_commit"] = .double(Double(stats.committedEntries) / Double(max(stats.commits, 1)))
        record["mean_commit_ms"] = .double(stats.commitSeconds * 1000 / Double(max(stats.commits, 1)))
        record["rss_mb_start"] = .double(rssStart)
        record["rss_mb_end"] = .double(residentMegabytes())
        writer.emit(record)
    }

    /// The healthz ceiling, then decisions and decisions with rewards, from the in-process generator.
    /// - Returns: The ceiling (requests per second).
    static func loadPhases(port: Int, mode: String, seconds: Double, connections: Int, engine: Engine,
                           _ writer: ResultWriter) throws(BenchError) -> Double? {
        let phases = [Phase(name: "server healthz", connections: connections, decides: false, rewards: false),
                      Phase(name: "server decide K=10 d=20 durable", connections: connections, decides: true, rewards: false),
                      // Before the target rate, which may leave a backlog when the machine cannot sustain it.
                      Phase(name: "server decide K=10 d=20 durable", connections: connections, decides: true, rewards: false,
                            shareOfClosedLoop: 0.7),
                      Phase(name: "server decide K=10 d=20 durable", connections: connections, decides: true, rewards: false,
                            rate: targetRate),
                      Phase(name: "server decide K=10 d=20 durable", connections: 4 * connections, decides: true, rewards: false),
                      Phase(name: "server decide+reward K=10 d=20 durable", connections: 4 * connections, decides: true, rewards: true)]
        let request = openLoopRequests(thread: 7)
        var ceiling: Double?
        var closedLoopDecisions: Double?
        for planned in phases {
            var scheduled = planned
            if let share = planned.shareOfClosedLoop {
                guard let closed = closedLoopDecisions, closed * share >= 500 else { continue }
                scheduled.rate = (closed * share / 500).rounded(.down) * 500
            }
            let phase = scheduled
            let pace = phase.rate.map { ", \(Int($0)) requests/s offered" } ?? ""
            ResultWriter.progress("attune-bench server: \(phase.name), \(mode), \(phase.connections) connections\(pace), \(seconds) s")
            let before = engine.statistics
            let cpuBefore = LoadGenerator.processCPUSeconds()
            let ticksBefore = LoadGenerator.MachineTicks.now()
            let paced = phase.rate.flatMap { rate in
                PacedLoadGenerator.run(port: port, connections: phase.connections, rate: rate, seconds: seconds, request: request)
            }
            let result = paced ?? LoadGenerator.run(port: port, connections: phase.connections, seconds: seconds) { connection, thread, i in
                guard phase.decides else { return connection.send("GET", "/healthz", nil).map { [$0] } }
                let body = decisionBody(thread: thread, index: i, eventID: nil)
                guard let reply = connection.send("POST", "/v1/decisions", body) else { return nil }
                guard phase.rewards, reply.status == 200, let id = eventID(in: reply.body) else { return [reply] }
                guard let second = connection.send("POST", "/v1/rewards", #"{"event_id":"\#(id)","reward":\#(i % 3 == 0 ? 1 : 0)}"#) else { return nil }
                return [reply, second]
            }
            let processCPU = LoadGenerator.processCPUSeconds() - cpuBefore
            var record = BenchmarkRecord()
            record["task"] = .string(phase.name)
            record["size"] = .string("connections=\(phase.connections)")
            record["server_threads"] = .string(mode)
            record["allocator"] = .string(allocator)
            record["generator"] = .string(phase.rate == nil ? "in-process threads" : "in-process epoll thread, open loop")
            if let rate = phase.rate {
                // Latency counts from each request's scheduled time (corrected for coordinated omission).
                record["offered_per_s"] = .double(rate)
            }
            let throughput = Double(result.latencies.count) / result.seconds
            latencyFields(&record, requests: result.latencies.count, errors: result.errors, throughput: throughput,
                          sortedNanoseconds: result.latencies.sorted())
            if phase.decides, !phase.rewards, phase.rate == nil, phase.connections == connections { closedLoopDecisions = throughput }
            if phase.decides, let ceiling {
                record["ceiling_per_s"] = .double(ceiling)
                record["ceiling_ratio"] = .double(throughput / ceiling)
            } else if !phase.decides {
                ceiling = throughput
            }
            cpuFields(&record, units: result.latencies.count, seconds: result.seconds, serverCPU: processCPU - result.cpuSeconds,
                      clientCPU: result.cpuSeconds, since: ticksBefore)
            commitFields(&record, before: before, after: engine.statistics, seconds: result.seconds)
            record["rss_mb"] = .double(residentMegabytes())
            writer.emit(record)
        }
        return ceiling
    }

    /// Throughput and latency quantiles (p50 is `median_ns`).
    static func latencyFields(_ record: inout BenchmarkRecord, requests: Int, errors: Int, throughput: Double, sortedNanoseconds sorted: [Double]) {
        record["requests"] = .int(requests)
        record["errors"] = .int(errors)
        record["throughput_per_s"] = .double(throughput)
        record["median_ns"] = .double(quantile(sorted, 0.5))
        record["p90_ns"] = .double(quantile(sorted, 0.9))
        record["p99_ns"] = .double(quantile(sorted, 0.99))
        record["p999_ns"] = .double(quantile(sorted, 0.999))
        record["max_ns"] = .double(sorted.last ?? .nan)
    }

    /// Where the CPU went: cores used, CPU microseconds per unit of work on each side, and the
    /// share of the machine's CPU time the hypervisor withheld since `ticks` (`steal_fraction`,
    /// when /proc/stat tells). A steal share of a few percent comes as whole-machine stops of
    /// several milliseconds, which show in the tail latencies of that phase.
    static func cpuFields(_ record: inout BenchmarkRecord, units: Int, seconds: Double, serverCPU: Double, clientCPU: Double,
                          since ticks: LoadGenerator.MachineTicks?) {
        let n = Double(max(units, 1))
        record["cpu_cores_used"] = .double((serverCPU + clientCPU) / seconds)
        record["server_cpu_us_per_request"] = .double(serverCPU / n * 1e6)
        record["client_cpu_us_per_request"] = .double(clientCPU / n * 1e6)
        if let ticks, let steal = LoadGenerator.MachineTicks.now()?.stealFraction(since: ticks) {
            record["steal_fraction"] = .double(steal)
        }
    }

    /// Group-commit figures of a phase: commits (one fsync each) per second, entries per commit,
    /// commit time and the share of the phase spent committing.
    static func commitFields(_ record: inout BenchmarkRecord, before: EngineStatistics, after: EngineStatistics, seconds: Double) {
        let commits = after.commits - before.commits
        guard commits > 0 else { return }
        record["commits_per_s"] = .double(Double(commits) / seconds)
        record["entries_per_commit"] = .double(Double(after.committedEntries - before.committedEntries) / Double(commits))
        record["mean_commit_ms"] = .double((after.commitSeconds - before.commitSeconds) * 1000 / Double(commits))
        // Share of the phase the journal thread spent inside commits (SQLite work and fsync):
        // near 1, throughput is bounded by the disk, not by CPU.
        record["commit_busy_fraction"] = .double((after.commitSeconds - before.commitSeconds) / seconds)
    }

    /// What one durable write costs on the data directory's disk right now: a 4 KiB overwrite
    /// followed by `fdatasync`, as a commit to a reused WAL does (SQLite syncs the WAL with `fdatasync`).
    static func diskSync(directory: String, writes: Int = 100) -> BenchmarkRecord {
        var record = BenchmarkRecord()
        record["task"] = .string("server disk sync")
        record["size"] = .string("4 KiB pwrite + fdatasync, \(writes) writes")
        let path = directory + "/sync-probe"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return record }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 7, count: 4096)
        _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, 0) }
        fsync(fd)
        var times: [Double] = []
        for _ in 0..<writes {
            let t0 = monotonicNanoseconds()
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, 0) }
            fdatasync(fd)
            times.append(Double(monotonicNanoseconds() - t0))
        }
        times.sort()
        record["median_ns"] = .double(quantile(times, 0.5))
        record["p90_ns"] = .double(quantile(times, 0.9))
        record["p99_ns"] = .double(quantile(times, 0.99))
        record["max_ns"] = .double(times.last ?? .nan)
        record["syncs_per_s"] = .double(1e9 / max(quantile(times, 0.5), 1))
        return record
    }

    // MARK: - Inputs

    static let policyJSON: String = {
        let catalog = (0..<actions).map { #"{"id": "offer_\#($0)", "kind": "offer"}"# }.joined(separator: ", ")
        let features = (0..<dimension).map { #"{"name": "f\#($0)"}"# }.joined(separator: ", ")
        return """
        {"format": "attune.policy/1", "id": "bench", "catalog": [\(catalog)],
         "feature_schema": {"features": [\(features)]},
         "algorithm": {"kind": "linucb", "alpha": 1, "ridge": 1},
         "explorer": {"kind": "epsilon_greedy", "epsilon": 0.05},
         "reward": {"events": ["purchase"], "aggregation": "sum", "default_reward": 0, "window_seconds": 2}}
        """
    }()

    /// Whole decision requests (HTTP/1.1, keep-alive) for the open-loop generator, built once:
    /// connection `c`'s `i`-th request is one of 1,000 varied bodies.
    static func openLoopRequests(thread: Int) -> @Sendable (Int, Int) -> [UInt8] {
        let requests = (0..<1000).map { i in
            let body = decisionBody(thread: thread, index: i, eventID: nil)
            return Array("POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
        return { c, i in requests[(c &* 7_919 &+ i) % requests.count] }
    }

    static func decisionBody(thread: Int, index: Int, eventID: String?) -> String {
        // A deterministic, varied context: 20 values in [-1, 1].
        var state = UInt64(thread &* 1_000_003 &+ index) &* 0x9E37_79B9_7F4A_7C15
        var values: [String] = []
        values.reserveCapacity(dimension)
        for _ in 0..<dimension {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(String(Double(Int64(state >> 40) % 2000 - 1000) / 1000))
        }
        let id = eventID.map { #""event_id":"\#($0)","# } ?? ""
        return #"{\#(id)"customer_id":"c\#(index % 5000)","context":[\#(values.joined(separator: ","))]}"#
    }

    static func eventID(in body: [UInt8]) -> String? {
        guard let text = String(bytes: body, encoding: .utf8), let start = text.range(of: #""event_id":""#) else { return nil }
        let rest = text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }

    /// Resident set size of this process in MiB (server and load generator together).
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kilobytes / 1024
    }

    static func attuneBinary() -> URL? {
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("attune")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    static func waitUntilHealthy(port: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let c = LoadConnection(port: port), let reply = c.send("GET", "/healthz", nil), reply.status == 200 { return true }
            usleep(5_000)
        }
        return false
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : 18_080
    }
}
