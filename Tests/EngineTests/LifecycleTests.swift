import Bandits
@testable import Engine
import Foundation
import Testing

@Suite("Policy reload and rollback")
struct LifecycleTests {
    static func fourActions() throws -> PolicySpecification {
        try PolicySpecification(decoding: Data("""
        {"format": "attune.policy/1", "id": "test",
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}, {"id": "c", "kind": "offer"}, {"id": "d", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "x", "default": 0}, {"name": "y", "default": 0}], "intercept": true},
         "algorithm": {"kind": "linucb", "alpha": 0.1, "ridge": 1},
         "explorer": {"kind": "epsilon_greedy", "epsilon": 0.1},
         "reward": {"events": ["click"], "aggregation": "sum", "default_reward": 0, "window_seconds": 5}}
        """.utf8))
    }

    @Test func reloadServesTheNewVersionAndRollbackRestoresTheOldOneWithItsModel() throws {
        let clock = ManualClock()
        let v1 = try Fixtures.specification(window: 5)
        let engine = try Engine(specifications: [v1], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.01), clock: clock.function)
        defer { engine.shutdown() }
        for i in 0..<5 {
            let r = try engine.decide(DecisionRequest(eventID: "v1-\(i)", context: .named(["x": 1])))
            _ = try engine.reward(RewardRequest(eventID: r.eventID, reward: 1))
        }
        clock.advance(by: 6)
        engine.closeDueWindows()
        engine.waitUntilLearned()
        #expect(engine.model(of: "test")?.modelVersion == 5)

        // Re-reading an unchanged file keeps the learned model and adds no version.
        let same = try engine.reload(v1)
        #expect(same.fingerprint == same.previousFingerprint && same.earlierVersions == 0)
        #expect(engine.model(of: "test")?.modelVersion == 5)

        let v2 = try Self.fourActions()
        let change = try engine.reload(v2)
        #expect(change.fingerprint == v2.fingerprint && change.previousFingerprint == v1.fingerprint && change.earlierVersions == 1)
        #expect(engine.specifications == [v2] && engine.model(of: "test")?.modelVersion == 0)
        let r2 = try engine.decide(DecisionRequest(context: .named(["x": 1, "y": 2]), actions: [.init(id: "d")]))
        #expect(r2.actionID == "d")
        #expect(engine.statistics.policies[0].decisionsByAction.map(\.0) == ["a", "b", "c", "d"])
        #expect(engine.statistics.policies[0].decisionsByAction.map(\.1) == [0, 0, 0, 1])

        let back = try engine.rollback(policy: "test")
        #expect(back.fingerprint == v1.fingerprint && back.earlierVersions == 0)
        #expect(engine.specifications == [v1] && engine.model(of: "test")?.modelVersion == 5)
        #expect(throws: EngineError.self) { try engine.decide(DecisionRequest(context: .named(["x": 1]), actions: [.init(id: "d")])) }
        #expect(throws: EngineError.self) { try engine.rollback(policy: "test") }
    }

    @Test func aReloadThatCannotServeLeavesTheOldVersionServing() throws {
        let engine = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        try engine.setKillSwitch(policy: "test", action: "c")
        var v2 = try Self.fourActions()
        v2.catalog.removeAll { $0.id == "c" }
        #expect(throws: EngineError.self) { try engine.reload(v2) }
        v2.id = "other"
        #expect(throws: EngineError.self) { try engine.reload(v2) }
        #expect(engine.specifications == [try Fixtures.specification()])
        #expect(try engine.decide(DecisionRequest(context: .vector([0, 1]))).actionID == "c")
    }
}
