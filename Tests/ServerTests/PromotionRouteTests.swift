import Bandits
import Engine
import Evaluation
import Foundation
import Server
import Testing

@Suite("POST /v1/policies/{id}/candidates")
struct PromotionRouteTests {
    /// `a` pays when x > 0, `b` when x < 0, `c` never.
    static func serve(_ router: Router, clock: ManualClock, count: Int, prefix: String) {
        for i in 0..<count {
            let x = i % 2 == 0 ? 1.0 : -1.0
            let reply = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions",
                                                  body: #"{"event_id": "\#(prefix)\#(i)", "context": {"x": \#(x)}}"#))
            let action = (try? Support.object(reply))?["action_id"] as? String
            if (action == "a" && x > 0) || (action == "b" && x < 0) {
                _ = router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", body: #"{"event_id": "\#(prefix)\#(i)", "reward": 1}"#))
            }
            if i % 25 == 24 {
                clock.advance(by: 11)
                router.engine.closeDueWindows()
            }
        }
        clock.advance(by: 11)
        router.engine.closeDueWindows()
        router.engine.waitUntilLearned()
    }

    static func makeRouter(clock: ManualClock, epsilon: Double) throws -> Router {
        var configuration = EngineConfiguration(tickSeconds: 0.01)
        // The paired normal bound (the gate's finite-sample default needs thousands of rounds).
        configuration.promotionGate = try DeploymentGate.Configuration(bound: .normal)
        let engine = try Engine(specifications: [Support.specification(epsilon: epsilon)], store: SQLiteEventStore(path: ":memory:"),
                                configuration: configuration, clock: clock.function)
        return Router(engine: engine, clock: clock.function)
    }

    @Test func aBetterCandidateIsPromotedThroughTheGateAndRolledBack() throws {
        let clock = ManualClock()
        let router = try Self.makeRouter(clock: clock, epsilon: 1)
        defer { router.engine.shutdown() }
        Self.serve(router, clock: clock, count: 600, prefix: "u")
        let candidate = Support.policyJSON(epsilon: 0.05)
        let dry = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/candidates",
                                            body: #"{"policy": \#(candidate), "dry_run": true}"#))
        let dryReport = try Support.object(dry)
        #expect(dry.status == 200 && dryReport["status"] as? String == "passed", "\(dry.text)")
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/candidates", body: candidate))
        #expect(response.status == 200, "\(response.text)")
        let report = try Support.object(response)
        #expect(report["status"] as? String == "promoted" && report["promoted"] as? Bool == true && report["rounds"] as? Int == 600)
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["improvement_lower_bound", "effective_sample_size", "max_weight", "unsupported_mass"])
        #expect(checks.allSatisfy { $0["passed"] as? Bool == true && $0["value"] is Double })
        // An unlimited threshold is null, not a non-JSON infinity.
        #expect(checks[2]["threshold"] is NSNull && checks[1]["threshold"] as? Double == 100)
        let fingerprint = try Support.specification(epsilon: 0.05).fingerprint
        let listed = try Support.object(router.handle(HTTPRequest(method: "GET", path: "/v1/policies")))
        #expect((listed["policies"] as? [[String: Any]])?.first?["fingerprint"] as? String == fingerprint)
        let back = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/rollback"))
        let backReport = try Support.object(back)
        #expect(back.status == 200 && backReport["previous_fingerprint"] as? String == fingerprint)
    }

    @Test func aRefusalIs409WithEveryCheckAndTheServingVersionStays() throws {
        let clock = ManualClock()
        let router = try Self.makeRouter(clock: clock, epsilon: 0.1)
        defer { router.engine.shutdown() }
        let candidate = Support.policyJSON(epsilon: 0.3)
        let empty = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/candidates", body: candidate))
        #expect(empty.status == 422 && Support.errorCode(empty) == "candidate_not_evaluable")
        try router.engine.setKillSwitch(policy: "offers", action: "a")
        Self.serve(router, clock: clock, count: 150, prefix: "k")
        let before = router.engine.specifications

        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try candidate.write(toFile: directory + "/candidate.json", atomically: true, encoding: .utf8)
        let refused = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/candidates",
                                                body: #"{"path": "\#(directory)/candidate.json"}"#))
        #expect(refused.status == 409 && Support.errorCode(refused) == "gate_refused", "\(refused.text)")
        let report = try Support.object(refused)
        #expect(report["status"] as? String == "refused" && report["promoted"] as? Bool == false && report["rounds"] as? Int == 150)
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.count == 4)
        let support = try #require(checks.first { $0["name"] as? String == "unsupported_mass" })
        #expect(support["passed"] as? Bool == false && (support["value"] as? Double ?? 0) > 0.19 && support["threshold"] as? Double == 0.01)
        #expect((support["detail"] as? String)?.hasPrefix("FAIL") == true)
        #expect(router.engine.specifications == before)
    }

    @Test(arguments: [
        ("", 400, "invalid_json"),
        ("[1]", 400, "invalid_json"),
        (#"{"policy": {}, "path": "x.json"}"#, 422, "invalid_field"),
        (#"{"polcy": {}}"#, 400, "unknown_field"),
        (#"{"path": "/nonexistent/candidate.json"}"#, 422, "invalid_policy"),
        (#"{"policy": {"format": "attune.policy/1"}}"#, 422, "invalid_policy"),
        (#"{"path": "x.json", "dry_run": 1}"#, 422, "invalid_field"),
        (Support.policyJSON(id: "other"), 422, "invalid_policy"),
    ])
    func badCandidateBodiesAreRefusedWithTheirProblem(body: String, status: Int, code: String) throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/candidates", body: body))
        #expect(response.status == status && Support.errorCode(response) == code, "\(response.text)")
        let unknown = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/nope/candidates", body: Support.policyJSON(id: "nope")))
        #expect(unknown.status == 404)
    }

    @Test func anotherFeatureSchemaCannotBeEvaluatedOnTheLog() throws {
        let clock = ManualClock()
        let router = try Self.makeRouter(clock: clock, epsilon: 0.5)
        defer { router.engine.shutdown() }
        Self.serve(router, clock: clock, count: 10, prefix: "s")
        let candidate = Support.policyJSON(epsilon: 0.1).replacingOccurrences(of: #""default": 0}"#, with: #""default": 0, "scale": 2}"#)
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/candidates", body: candidate))
        #expect(response.status == 422 && Support.errorCode(response) == "candidate_not_evaluable", "\(response.text)")
        #expect(response.text.contains("feature_schema"))
    }

    @Test func theServeConfigurationSetsTheGateAndTheMemoryBounds() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func load(_ json: String) throws -> (EngineConfiguration, CustomerSegments.Limits) {
            try json.write(toFile: directory + "/attune.json", atomically: true, encoding: .utf8)
            let file = try ServeConfiguration(contentsOfFile: directory + "/attune.json")
            var engine = EngineConfiguration()
            try file.apply(to: &engine)
            return (engine, try file.customerLimits())
        }
        let (engine, limits) = try load("""
        {"max_open_windows": 5000, "customer_profiles_max": 100, "customer_idle_seconds": 60, "promotion_max_rounds": 1000, "customer_log_compact_bytes": 1048576,
         "commit_interval_ms": 2.5, "commit_batch_target": 64, "promotion_gate": {"confidence": 0.9, "min_ess": 50, "bound": "normal", "reward_min": 0, "reward_max": 1}}
        """)
        #expect(engine.maxOpenWindows == 5000 && engine.promotionMaxRounds == 1000 && engine.commitIntervalSeconds == 0.0025)
        #expect(engine.commitBatchTarget == 64)
        let gate = try DeploymentGate.Configuration(confidence: 0.9, minEffectiveSampleSize: 50, rewardRange: 0...1, bound: .normal)
        #expect(engine.promotionGate == gate)
        #expect(try limits == CustomerSegments.Limits(maxCustomers: 100, idleSeconds: 60, logCompactionBytes: 1 << 20))
        let defaults = try load("{}")
        #expect(defaults.0.promotionGate == nil && defaults.0.maxOpenWindows == EngineConfiguration().maxOpenWindows)
        #expect(defaults.0.commitIntervalSeconds == 0.001 && defaults.0.commitBatchTarget == 256)
        #expect(defaults.1 == CustomerSegments.Limits.standard)
        // The event loops' way of waiting: adaptive unless the file says epoll or poll.
        #expect(try ServeConfiguration().threading() == .adaptiveLoops(2, pollConnections: 64))
        for (value, threading) in [("adaptive", HTTPServer.Threading.adaptive), ("epoll", .eventLoops(2)), ("poll", .pollLoops(2))] {
            try #"{"event_loop": "\#(value)"}"#.write(toFile: directory + "/loops.json", atomically: true, encoding: .utf8)
            #expect(try ServeConfiguration(contentsOfFile: directory + "/loops.json").threading() == threading)
        }
        try #"{"event_loop": "select"}"#.write(toFile: directory + "/loops.json", atomically: true, encoding: .utf8)
        #expect(throws: EngineError.self) { try ServeConfiguration(contentsOfFile: directory + "/loops.json").threading() }
        for bad in [#"{"max_open_windows": 0}"#, #"{"promotion_gate": {"confidence": 2}}"#, #"{"promotion_gate": {"reward_min": 1}}"#,
                    #"{"customer_idle_seconds": -1}"#, #"{"customer_profiles_max": 0}"#, #"{"promotion_gate": {"min_es": 3}}"#,
                    #"{"promotion_max_rounds": 0}"#, #"{"commit_interval_ms": -1}"#, #"{"commit_interval_ms": 500}"#,
                    #"{"commit_batch_target": 0}"#, #"{"commit_batch_target": 1000000}"#, #"{"customer_log_compact_bytes": 100}"#] {
            #expect(throws: (any Error).self, "\(bad)") { try load(bad) }
        }
    }
}
