import Engine
import Foundation
import Server
import Synchronization
import Testing

/// The threading modes of `HTTPServer` on a loopback port: concurrent decisions and rewards,
/// errors, blocking routes, and a stop while requests wait for their commit.
@Suite("HTTP serving modes")
struct ServingModesTests {
    /// Adaptive loops with 4 poll connections: the 24 concurrent clients below reach both kinds.
    static let modes: [HTTPServer.Threading] = [.adaptive, .adaptiveLoops(2, pollConnections: 4), .eventLoops(2), .eventLoops(1),
                                                .pollLoops(2), .threadPerConnection]

    @Test(arguments: modes)
    func concurrentDecisionsAndRewardsAreAnsweredOnceCommitted(threading: HTTPServer.Threading) async throws {
        let engine = try Engine(specifications: [Support.specification()], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.01))
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)), threading: threading)
        defer {
            server.stop()
            engine.shutdown()
        }
        let client = LoopbackClient(port: server.port)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<24 {
                group.addTask {
                    let (status, body) = try await client.json("POST", "/v1/decisions", #"{"event_id": "m\#(i)", "context": {"x": \#(Double(i) / 24)}}"#)
                    #expect(status == 200)
                    let (rewardStatus, reward) = try await client.json("POST", "/v1/rewards", #"{"event_id": "m\#(i)", "reward": 1}"#)
                    #expect(rewardStatus == 200 && reward["status"] as? String == "joined")
                    return body["event_id"] as? String ?? ""
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids) == Set((0..<24).map { "m\($0)" }))
        #expect(engine.statistics.committedEntries == 48)

        // Errors, a blocking route (run off the event loop) and the GET routes answer too.
        let (bad, _) = try await client.send("POST", "/v1/decisions", "{")
        let (duplicate, _) = try await client.send("POST", "/v1/decisions", #"{"event_id": "m0", "context": {"x": 1}}"#)
        let (unknown, _) = try await client.send("POST", "/v1/rewards", #"{"event_id": "nope", "reward": 1}"#)
        let (events, _) = try await client.send("POST", "/v1/events", #"{"customer_id": "c", "timestamp": 5, "type": "click"}"#)
        let (slate, _) = try await client.send("POST", "/v1/decisions", #"{"context": {"x": 1}, "slots": 2}"#)
        let (metrics, text) = try await client.send("GET", "/metrics")
        let statuses: [Int] = [bad, duplicate, unknown, events, slate, metrics]
        #expect(statuses == [400, 409, 404, 409, 200, 200])
        #expect(text.contains(#"attune_http_requests_total{route="/v1/decisions",status="200"} 25"#))
    }

    @Test(arguments: [HTTPServer.Threading.adaptiveLoops(1, pollConnections: 1), .eventLoops(2), .pollLoops(2), .threadPerConnection])
    func stopWaitsForRequestsHeldInTheirCommit(threading: HTTPServer.Threading) async throws {
        let store = try GatedStore()
        let engine = try Engine(specifications: [Support.specification()], store: store, configuration: EngineConfiguration(tickSeconds: 0.01))
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)), threading: threading)
        defer { engine.shutdown() }
        let client = LoopbackClient(port: server.port)
        // Listening before the store is gated, so a refused connection cannot pass for a held request.
        let healthy = await client.waitUntilHealthy(seconds: 10)
        try #require(healthy)
        store.close()
        async let first = client.send("POST", "/v1/decisions", #"{"event_id": "held-0", "context": {"x": 1}}"#)
        async let second = client.send("POST", "/v1/decisions", #"{"event_id": "held-1", "context": {"x": 0}}"#)
        let deadline = Date().addingTimeInterval(20)
        // Both requests held in the commit or queued behind it.
        while store.held.load(ordering: .relaxed) == 0 || store.held.load(ordering: .relaxed) + engine.statistics.journalQueueDepth < 2,
              Date() < deadline {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let stopped = Atomic<Bool>(false)
        let stopper = Thread {
            server.stop()
            stopped.store(true, ordering: .relaxed)
        }
        stopper.start()
        try await Task.sleep(nanoseconds: 150_000_000)
        let stoppedEarly = stopped.load(ordering: .relaxed)
        #expect(!stoppedEarly, "stop returned while a request waited for its commit")
        store.open()
        let (firstStatus, _) = try await first
        let (secondStatus, _) = try await second
        #expect(firstStatus == 200 && secondStatus == 200)
        let stopDeadline = Date().addingTimeInterval(20)
        while !stopped.load(ordering: .relaxed), Date() < stopDeadline { try await Task.sleep(nanoseconds: 10_000_000) }
        let stoppedAtLast = stopped.load(ordering: .relaxed)
        #expect(stoppedAtLast)
    }
}
