import Engine
import Foundation
import Server
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("End to end on a loopback port", .serialized)
struct EndToEndTests {
    @Test func decideRewardAndLearningChangeLaterDecisionsAndBadRequestsDoNotStopTheServer() async throws {
        // The window must outlast a decision→reward round trip on a loaded machine (tests run
        // in parallel on 2 cores); learning happens when each window closes.
        let window = 3.0
        let specification = try Support.specification(window: window, epsilon: 0.3)
        let engine = try Engine(specifications: [specification], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.02))
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0, maxBodyBytes: 1024)))
        defer {
            server.stop()
            engine.shutdown()
        }
        let client = LoopbackClient(port: server.port)
        #expect(server.port > 0)
        #expect(try await client.send("GET", "/healthz").0 == 200)

        for _ in 0..<40 {
            let (status, decision) = try await client.json("POST", "/v1/decisions", #"{"context": {"x": 0.2}}"#)
            #expect(status == 200)
            let id = try #require(decision["event_id"] as? String)
            let reward = decision["action_id"] as? String == "b" ? 1 : 0
            let (rewardStatus, reply) = try await client.json("POST", "/v1/rewards", #"{"event_id": "\#(id)", "reward": \#(reward)}"#)
            #expect(rewardStatus == 200 && reply["status"] as? String == "joined")
        }
        try await Task.sleep(nanoseconds: UInt64((window + 0.5) * 1e9))
        engine.waitUntilLearned()
        let (_, after) = try await client.json("POST", "/v1/decisions", #"{"context": {"x": 0.2}}"#)
        let probabilities = try #require(after["probabilities"] as? [[String: Any]])
        let pB = probabilities.first { $0["id"] as? String == "b" }?["probability"] as? Double
        #expect(pB.map { abs($0 - 0.8) < 1e-9 } == true, "b should be greedy after learning: \(probabilities)")
        #expect((after["model_version"] as? Int ?? 0) >= 40)

        let bad: [(String, Int)] = [
            ("{not json", 400), (#"{"context": {"x": NaN}}"#, 400), (#"{"context": {"x": 1}, "actions": [{"id": "zz"}]}"#, 422),
            (#"{"context": [1, 2, 3]}"#, 422), (String(repeating: " ", count: 5_000) + "{}", 413),
        ]
        for (body, status) in bad {
            let (got, text) = try await client.send("POST", "/v1/decisions", body)
            #expect(got == status, "\(body.prefix(40)): \(text)")
            #expect(text.contains(#""error":{"code":"#))
        }
        #expect(try await client.send("POST", "/v1/decisions", #"{"context": {"x": 1}}"#).0 == 200)
        let (_, metrics) = try await client.send("GET", "/metrics")
        #expect(metrics.contains(#"attune_http_requests_total{route="/v1/decisions",status="413"} 1"#))
    }

    @Test func killNineThenRestartLosesNoAcknowledgedDecisionOrReward() async throws {
        let binary = try #require(Self.attuneBinary(), "build the attune executable first")
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/policies", withIntermediateDirectories: true)
        try Support.policyJSON(window: 3_600).write(toFile: directory + "/policies/offers.json", atomically: true, encoding: .utf8)

        func start() async throws -> (Process, LoopbackClient) {
            let port = LoopbackClient.freePort()
            let process = Process()
            process.executableURL = binary
            process.arguments = ["serve", "--port", "\(port)", "--data-dir", directory + "/data", "--policies", directory + "/policies"]
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let client = LoopbackClient(port: port)
            #expect(await client.waitUntilHealthy(seconds: 15))
            return (process, client)
        }

        let (first, client) = try await start()
        var rewarded: [String] = []
        var unrewarded: [String] = []
        for i in 0..<30 {
            let (status, decision) = try await client.json("POST", "/v1/decisions", #"{"event_id": "k\#(i)", "context": {"x": 0.1}}"#)
            #expect(status == 200)
            if i % 2 == 0 {
                let (rewardStatus, _) = try await client.json("POST", "/v1/rewards", #"{"event_id": "k\#(i)", "reward": 1}"#)
                #expect(rewardStatus == 200)
                rewarded.append("k\(i)")
            } else {
                unrewarded.append("k\(i)")
            }
            _ = decision
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)

        let (second, restarted) = try await start()
        for id in rewarded {
            let (_, reply) = try await restarted.json("POST", "/v1/rewards", #"{"event_id": "\#(id)", "reward": 1}"#)
            #expect(reply["status"] as? String == "duplicate", "\(id): the acknowledged reward was lost")
        }
        for id in unrewarded {
            let (_, reply) = try await restarted.json("POST", "/v1/rewards", #"{"event_id": "\#(id)", "reward": 1}"#)
            #expect(reply["status"] as? String == "joined", "\(id): the decision or its open window was lost")
        }
        second.terminate()
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: directory + "/data/checkpoint.json"))

        let export = Process()
        export.executableURL = binary
        export.arguments = ["log", "export", "--data-dir", directory + "/data"]
        let output = Pipe()
        export.standardOutput = output
        export.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try export.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        export.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 30)
        let ids = Set(lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["event_id"] as? String })
        #expect(ids == Set((0..<30).map { "k\($0)" }))
    }

    static func attuneBinary() -> URL? {
        if let override = ProcessInfo.processInfo.environment["ATTUNE_BINARY"] { return URL(fileURLWithPath: override) }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("attune")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}
