import Bandits
import Engine
import Foundation
import Server
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `attune-bench server`: the decision server under load on a loopback port, with a closed-loop
/// keep-alive load generator in this process (one thread per connection), and the kill -9 test
/// against the `attune serve` executable. Tasks:
/// - `server healthz` — the HTTP stack's ceiling (libmicrohttpd, routing, an empty JSON reply);
/// - `server decide K=10 d=20 durable` — decisions, each committed (group commit, fsync) before its reply;
/// - `server decide+reward K=10 d=20 durable` — every connection alternates a decision and its reward;
/// - `server kill -9 loss` — kills the server under load, restarts it, checks that every
///   acknowledged decision and reward is in the log, and reports time to ready.
enum ServerBenchmarks {
    static let suite = BenchSuite(name: "server") { options, writer throws(BenchError) in try run(options, writer) }

    static let actions = 10
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
        try inProcess(directory: directory, seconds: seconds, connections: connections, writer)
        try killNine(directory: directory, kills: options.quick ? 3 : 20, connections: 16, writer)
        try recovery(directory: directory, entries: options.quick ? 100_000 : 1_000_000, writer)
        writer.finish()
    }

    // MARK: - Throughput and latency

    static func inProcess(directory: String, seconds: Double, connections: Int, _ writer: ResultWriter) throws(BenchError) {
        let engine: Engine
        let server: HTTPServer
        do {
            let specification = try PolicySpecification(decoding: Data(policyJSON.utf8))
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            engine = try Engine(specifications: [specification], store: SQLiteEventStore(path: directory + "/data/events.sqlite"),
                                configuration: EngineConfiguration(dataDirectory: directory + "/data"))
            server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)))
        } catch {
            throw .io(path: directory, reason: "cannot start the server: \(error)")
        }
        defer {
            server.stop()
            engine.shutdown()
        }
        let port = server.port
        let rssStart = residentMegabytes()
        let tasks: [(String, Bool, Bool, Int)] = [("server healthz", false, false, connections),
                                                  ("server decide K=10 d=20 durable", true, false, connections),
                                                  ("server decide K=10 d=20 durable", true, false, 4 * connections),
                                                  ("server decide+reward K=10 d=20 durable", true, true, 4 * connections)]
        for (name, decides, rewards, connections) in tasks {
            ResultWriter.progress("attune-bench server: \(name), \(connections) connections, \(seconds) s")
            let result = LoadGenerator.run(port: port, connections: connections, seconds: seconds) { connection, thread, i in
                guard decides else { return connection.send("GET", "/healthz", nil).map { [$0] } }
                let body = decisionBody(thread: thread, index: i, eventID: nil)
                guard let reply = connection.send("POST", "/v1/decisions", body) else { return nil }
                guard rewards, reply.status == 200, let id = eventID(in: reply.body) else { return [reply] }
                guard let second = connection.send("POST", "/v1/rewards", #"{"event_id":"\#(id)","reward":\#(i % 3 == 0 ? 1 : 0)}"#) else { return nil }
                return [reply, second]
            }
            var record = BenchmarkRecord()
            record["task"] = .string(name)
            record["size"] = .string("connections=\(connections)")
            record["requests"] = .int(result.latencies.count)
            record["errors"] = .int(result.errors)
            record["throughput_per_s"] = .double(Double(result.latencies.count) / result.seconds)
            let sorted = result.latencies.sorted()
            record["median_ns"] = .double(quantile(sorted, 0.5))
            record["p99_ns"] = .double(quantile(sorted, 0.99))
            record["p999_ns"] = .double(quantile(sorted, 0.999))
            writer.emit(record)
        }
        let stats = engine.statistics
        var record = BenchmarkRecord()
        record["task"] = .string("server group commit")
        record["size"] = .string("connections=\(connections)")
        record["commits"] = .int(stats.commits)
        record["entries"] = .int(stats.committedEntries)
        record["entries_per_commit"] = .double(Double(stats.committedEntries) / Double(max(stats.commits, 1)))
        record["mean_commit_ms"] = .double(stats.commitSeconds * 1000 / Double(max(stats.commits, 1)))
        record["rss_mb_start"] = .double(rssStart)
        record["rss_mb_end"] = .double(residentMegabytes())
        writer.emit(record)
    }

    // MARK: - kill -9

    static func killNine(directory: String, kills: Int, connections: Int, _ writer: ResultWriter) throws(BenchError) {
        guard let binary = attuneBinary() else {
            ResultWriter.progress("attune-bench server: the attune executable is not next to attune-bench; kill -9 test skipped")
            return
        }
        let data = directory + "/kill-data"
        let acknowledgedDecisions = Mutex<[String]>([])
        let acknowledgedRewards = Mutex<[String]>([])
        var readySeconds: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0...kills {
            let port = freePort()
            let started = Date()
            let process = Process()
            process.executableURL = binary
            process.arguments = ["serve", "--port", "\(port)", "--data-dir", data, "--policies", directory + "/policies"]
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            do { try process.run() } catch { throw .io(path: binary.path, reason: "\(error)") }
            guard waitUntilHealthy(port: port, seconds: 30) else {
                process.terminate()
                throw .io(path: binary.path, reason: "the server did not become ready on port \(port)")
            }
            readySeconds.append(Date().timeIntervalSince(started))
            if round == kills {
                process.terminate()
                process.waitUntilExit()
                break
            }
            let killAfter = Double.random(in: 0.3...1.0, using: &generator)
            let killer = Thread { usleep(UInt32(killAfter * 1e6)); kill(process.processIdentifier, SIGKILL) }
            killer.start()
            _ = LoadGenerator.run(port: port, connections: connections, seconds: killAfter + 0.5) { connection, thread, i in
                let id = "kill\(round)-\(thread)-\(i)"
                guard let reply = connection.send("POST", "/v1/decisions", decisionBody(thread: thread, index: i, eventID: id)) else { return nil }
                guard reply.status == 200 else { return [reply] }
                acknowledgedDecisions.withLock { $0.append(id) }
                guard let second = connection.send("POST", "/v1/rewards", #"{"event_id":"\#(id)","reward":1}"#) else { return nil }
                if second.status == 200 { acknowledgedRewards.withLock { $0.append(id) } }
                return [reply, second]
            }
            process.waitUntilExit()
        }
        // Check against the log itself, with the server stopped.
        var loggedDecisions = Set<String>()
        var loggedRewards = Set<String>()
        do {
            let store = try SQLiteEventStore(path: data + "/events.sqlite")
            try store.replay(after: 0) { entry in
                switch entry {
                case .decision(let d): loggedDecisions.insert(d.eventID)
                case .reward(let r): loggedRewards.insert(r.eventID)
                }
            }
        } catch {
            throw .io(path: data, reason: "cannot read the log: \(error)")
        }
        let decisions = acknowledgedDecisions.withLock { $0 }
        let rewards = acknowledgedRewards.withLock { $0 }
        var record = BenchmarkRecord()
        record["task"] = .string("server kill -9 loss")
        record["size"] = .string("kills=\(kills) connections=\(connections)")
        record["acknowledged_decisions"] = .int(decisions.count)
        record["lost_decisions"] = .int(decisions.filter { !loggedDecisions.contains($0) }.count)
        record["acknowledged_rewards"] = .int(rewards.count)
        record["lost_rewards"] = .int(rewards.filter { !loggedRewards.contains($0) }.count)
        record["logged_entries"] = .int(loggedDecisions.count + loggedRewards.count)
        record["max_ready_seconds"] = .double(readySeconds.max() ?? 0)
        record["median_ready_seconds"] = .double(quantile(readySeconds.sorted(), 0.5))
        writer.emit(record)
    }

    // MARK: - Recovery

    /// Time to ready after a crash with `entries` logged decisions: full replay without a
    /// checkpoint (every window closes and is learned), then with the checkpoint taken after it.
    static func recovery(directory: String, entries: Int, _ writer: ResultWriter) throws(BenchError) {
        let data = directory + "/recovery-data"
        do {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            let specification = try PolicySpecification(decoding: Data(policyJSON.utf8))
            do {
                let store = try SQLiteEventStore(path: data + "/events.sqlite")
                var batch: [JournalEntry] = []
                batch.reserveCapacity(10_000)
                let ids = (0..<actions).map { "offer_\($0)" }
                for i in 0..<entries {
                    let context = (0..<dimension).map { Double(($0 * 7 + i) % 13) / 13 - 0.5 }
                    var p = Array(repeating: 0.05 / Double(actions), count: actions)
                    p[i % actions] += 0.95
                    batch.append(.decision(DecisionRecord(eventID: "r\(i)", policyID: "bench", timestamp: 1_700_000_000 + Double(i) * 0.001,
                                                          context: context, candidates: Array(0..<actions), candidateIDs: ids,
                                                          position: i % actions, probabilities: p, modelVersion: 0)))
                    if batch.count == 10_000 || i == entries - 1 {
                        _ = try store.append(batch, outcomes: [])
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            for phase in ["replay", "checkpoint"] {
                let started = Date()
                let engine = try Engine(specifications: [specification], store: SQLiteEventStore(path: data + "/events.sqlite"),
                                        configuration: EngineConfiguration(dataDirectory: data))
                let seconds = Date().timeIntervalSince(started)
                var record = BenchmarkRecord()
                record["task"] = .string(phase == "replay" ? "server recovery, full log replay" : "server recovery from a checkpoint")
                record["size"] = .string("entries=\(entries)")
                record["replayed_entries"] = .int(engine.recovery.replayedEntries)
                record["learned"] = .int(engine.recovery.learnedInteractions)
                record["ready_seconds"] = .double(seconds)
                writer.emit(record)
                engine.shutdown()  // writes the checkpoint the second phase starts from
            }
        } catch {
            throw .io(path: data, reason: "recovery benchmark failed: \(error)")
        }
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

// MARK: - Load generator

/// One keep-alive HTTP/1.1 connection to 127.0.0.1 (blocking sockets; one per load thread).
final class LoadConnection {
    struct Reply {
        var status: Int
        var body: [UInt8]
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connected else {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// Sends one request and reads its reply; `nil` when the connection failed.
    func send(_ method: String, _ path: String, _ body: String?) -> Reply? {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        var bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return nil }
            offset += n
        }
        // Headers, then Content-Length bytes of body; parsed on bytes, the client must stay cheap.
        var headerEnd: Int?
        var searched = 0
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer, from: searched).map { $0 + 4 }
            searched = max(0, buffer.count - 3)
            if headerEnd == nil, !fill() { return nil }
        }
        guard let end = headerEnd, end > 12 else { return nil }
        var status = 0
        for i in 9..<12 { status = status * 10 + Int(buffer[i]) - 48 }
        var length = 0
        if let at = Self.find(Array("Content-Length: ".utf8), in: buffer, from: 0, limit: end) {
            var i = at + 16
            while i < end, buffer[i] >= 48, buffer[i] <= 57 { length = length * 10 + Int(buffer[i]) - 48; i += 1 }
        }
        while buffer.count < end + length { if !fill() { return nil } }
        let reply = Reply(status: status, body: Array(buffer[end..<(end + length)]))
        buffer.removeFirst(end + length)
        return reply
    }

    private var chunk = [UInt8](repeating: 0, count: 16_384)

    private func fill() -> Bool {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int, limit: Int? = nil) -> Int? {
        let end = min(limit ?? bytes.count, bytes.count)
        guard end - start >= pattern.count else { return nil }
        outer: for i in start...(end - pattern.count) where bytes[i] == pattern[0] {
            for j in 1..<pattern.count where bytes[i + j] != pattern[j] { continue outer }
            return i
        }
        return nil
    }
}

/// A closed loop: each connection thread sends its next request as soon as the previous reply arrives.
enum LoadGenerator {
    struct Result {
        var latencies: [Double]
        var errors: Int
        var seconds: Double
    }

    /// Runs `connections` threads for `seconds`; `step` sends one unit of work and returns its replies
    /// (`nil` when the connection broke, which ends that thread). Latency is per unit, in nanoseconds.
    static func run(port: Int, connections: Int, seconds: Double,
                    step: @escaping @Sendable (LoadConnection, Int, Int) -> [LoadConnection.Reply]?) -> Result {
        let collected = Mutex<(latencies: [Double], errors: Int)>(([], 0))
        let group = DispatchGroup()
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        for thread in 0..<connections {
            group.enter()
            let worker = Thread {
                var latencies: [Double] = []
                var errors = 0
                if let connection = LoadConnection(port: port) {
                    var i = 0
                    while monotonicNanoseconds() < deadline {
                        let t0 = monotonicNanoseconds()
                        guard let replies = step(connection, thread, i) else { break }
                        latencies.append(Double(monotonicNanoseconds() - t0))
                        errors += replies.filter { $0.status != 200 }.count
                        i += 1
                    }
                }
                collected.withLock { $0.latencies += latencies; $0.errors += errors }
                group.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        group.wait()
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        let c = collected.withLock { $0 }
        return Result(latencies: c.latencies, errors: c.errors, seconds: elapsed)
    }
}
