import Engine
import Foundation
import Server
import Testing

@Suite("Policy modes over HTTP")
struct ModesRouteTests {
    @Test func apprenticeFiguresAreListedAndExported() throws {
        let clock = ManualClock()
        let engine = try Engine(specifications: [Support.specification(epsilon: 0)], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.01, modes: ["offers": PolicyMode(.apprentice, baselineAction: "b")]),
                                clock: clock.function)
        let router = Router(engine: engine, clock: clock.function)
        defer { engine.shutdown() }
        for i in 0..<4 {
            let reply = try Support.object(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"event_id": "e\#(i)", "context": {"x": 1}}"#)))
            #expect(reply["action_id"] as? String == "b")
            _ = router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", body: #"{"event_id": "e\#(i)", "reward": 2}"#))
        }
        clock.advance(by: 11)
        engine.closeDueWindows()
        engine.waitUntilLearned()
        let policies = try #require(try Support.object(router.handle(HTTPRequest(method: "GET", path: "/v1/policies")))["policies"] as? [[String: Any]])
        #expect(policies[0]["mode"] as? String == "apprentice")
        let apprentice = try #require(policies[0]["apprentice"] as? [String: Any])
        let figures = try #require(engine.statistics.policies[0].apprentice)
        #expect(apprentice["baseline"] as? String == "b" && apprentice["decisions"] as? Int == 4 && apprentice["rounds"] as? Int == 4)
        #expect(apprentice["baseline_value"] as? Double == 2)
        #expect(apprentice["agreement_rate"] as? Double == figures.agreementRate)
        #expect(apprentice["estimated_value"] as? Double == figures.estimatedValue)
        let metrics = router.handle(HTTPRequest(method: "GET", path: "/metrics")).text
        #expect(metrics.contains("attune_apprentice_agreement_rate{policy=\"offers\"} \(figures.agreementRate)"))
        #expect(metrics.contains("attune_apprentice_estimated_value{policy=\"offers\"} \(figures.estimatedValue)"))
    }

    @Test func theServeConfigurationReadsModesStrictly() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/attune.json"
        try #"{"modes": {"offers": {"mode": "apprentice", "baseline": "b"}, "other": {"mode": "logging"}}, "segment_model": "s.json"}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ServeConfiguration(contentsOfFile: path)
        #expect(configuration.policyModes == ["offers": PolicyMode(.apprentice, baselineAction: "b"), "other": PolicyMode(.logging)])
        #expect(configuration.segmentModel == "s.json")
        try #"{"modes": {"offers": {"mode": "shadow"}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try ServeConfiguration(contentsOfFile: path) }
        try #"{"modes": {"offers": {"mode": "online", "baseline_action": "b"}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try ServeConfiguration(contentsOfFile: path) }
    }
}

@Suite("Multi-slot decisions over HTTP")
struct SlotsRouteTests {
    @Test func theReplyListsEverySlotWithItsEventIDAndProbability() throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"event_id": "m1", "context": {"x": 1}, "slots": 3}"#))
        #expect(response.status == 200)
        let slots = try #require(try Support.object(response)["slots"] as? [[String: Any]])
        #expect(slots.map { $0["event_id"] as? String } == ["m1", "m1#1", "m1#2"])
        #expect(Set(slots.compactMap { $0["action_id"] as? String }) == ["a", "b", "c"])
        #expect((slots.last?["probabilities"] as? [[String: Any]])?.count == 1 && slots.last?["probability"] as? Double == 1)
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", body: #"{"event_id": "m1#2", "reward": 1}"#)).status == 200)
        let tooMany = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}, "slots": 5}"#))
        #expect(tooMany.status == 422 && tooMany.text.contains("\"field\":\"slots\""))
    }
}
