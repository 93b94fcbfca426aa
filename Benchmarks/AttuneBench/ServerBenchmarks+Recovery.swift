import Bandits
import Engine
import Foundation
import Server
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension ServerBenchmarks {
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
}
