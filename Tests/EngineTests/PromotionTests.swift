import AttuneCore
import Bandits
@testable import Engine
import Evaluation
import Foundation
import Testing

/// Customers with one feature `x = ±1`: action `a` pays 1 when x > 0, `b` pays 1 when x < 0,
/// `c` never pays. A contextual learner reaches about 0.95 per decision; uniform serving 1/3;
/// a context-free learner at most 1/2.
enum PromotionFixtures {
    static func specification(algorithm: String = #"{"kind": "linucb", "alpha": 0.1, "ridge": 1}"#, epsilon: Double,
                              window: Double = 5) throws -> PolicySpecification {
        try PolicySpecification(decoding: Data("""
        {"format": "attune.policy/1", "id": "test",
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}, {"id": "c", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "x", "default": 0}], "intercept": true},
         "algorithm": \(algorithm),
         "explorer": {"kind": "epsilon_greedy", "epsilon": \(epsilon)},
         "reward": {"events": ["click"], "aggregation": "sum", "default_reward": 0, "window_seconds": \(window)}}
        """.utf8))
    }

    static func reward(_ action: String, x: Double) -> Double {
        switch action {
        case "a": return x > 0 ? 1 : 0
        case "b": return x < 0 ? 1 : 0
        default: return 0
        }
    }

    /// Serves `count` decisions with their rewards, closing windows every 20 decisions (so the
    /// serving policy learns as it goes) and once more at the end; returns the mean reward.
    @discardableResult
    static func serve(_ engine: Engine, clock: ManualClock, count: Int, prefix: String = "e", seed: UInt64 = 1) throws -> Double {
        var rng = SeededGenerator(seed: seed)
        var total = 0.0
        for i in 0..<count {
            let x: Double = Bool.random(using: &rng) ? 1 : -1
            let reply = try engine.decide(DecisionRequest(eventID: "\(prefix)\(i)", context: .named(["x": x])))
            let r = reward(reply.actionID, x: x)
            total += r
            if r > 0 { _ = try engine.reward(RewardRequest(eventID: reply.eventID, reward: r)) }
            if i % 20 == 19 {
                clock.advance(by: 6)
                engine.closeDueWindows()
            }
        }
        clock.advance(by: 6)
        engine.closeDueWindows()
        engine.waitUntilLearned()
        return total / Double(count)
    }

    /// The paired normal bound: the gate's finite-sample default needs thousands of rounds to
    /// vouch for any improvement, more than a unit test should log.
    static func configuration(directory: String? = nil, minESS: Double = 100) throws -> EngineConfiguration {
        var configuration = EngineConfiguration(dataDirectory: directory, tickSeconds: 0.01)
        configuration.promotionGate = try DeploymentGate.Configuration(minEffectiveSampleSize: minESS, bound: .normal)
        return configuration
    }

    static func check(_ report: Engine.PromotionReport, _ name: String) -> Engine.GateCheck? {
        report.checks.first { $0.name == name }
    }
}

@Suite("Gate-driven promotion")
struct PromotionTests {
    @Test func aClearlyBetterCandidateIsPromotedWithTheModelItsReplayTrainedAndRollsBack() throws {
        let clock = ManualClock()
        let uniform = try PromotionFixtures.specification(epsilon: 1)
        let engine = try Engine(specifications: [uniform], store: SQLiteEventStore(path: ":memory:"),
                                configuration: PromotionFixtures.configuration(), clock: clock.function)
        defer { engine.shutdown() }
        let served = try PromotionFixtures.serve(engine, clock: clock, count: 600)
        #expect(abs(served - 1.0 / 3) < 0.08)

        let candidate = try PromotionFixtures.specification(epsilon: 0.05)
        let dry = try engine.promote(candidate, dryRun: true)
        #expect(dry.passed && !dry.promoted && engine.specifications == [uniform])

        let report = try engine.promote(candidate)
        #expect(report.promoted && report.rounds == 600 && report.earlierVersions == 1)
        #expect(report.checks.map(\.name) == ["improvement_lower_bound", "effective_sample_size", "max_weight", "unsupported_mass"])
        #expect(report.checks.allSatisfy { $0.passed })
        // The candidate's estimate is near a contextual learner's value, the baseline near uniform's.
        #expect(report.candidateValue > 0.8 && abs(report.baselineValue - served) < 0.1)
        #expect(try #require(PromotionFixtures.check(report, "improvement_lower_bound")).value > 0.2)
        #expect(engine.specifications == [candidate])
        // Served with the model the replay trained on the 600 closed rounds: it already exploits.
        #expect(engine.model(of: "test")?.modelVersion == 600)
        let after = try PromotionFixtures.serve(engine, clock: clock, count: 100, prefix: "p", seed: 2)
        #expect(after > 0.85)

        let back = try engine.rollback(policy: "test")
        #expect(back.fingerprint == uniform.fingerprint && back.previousFingerprint == candidate.fingerprint)
        #expect(engine.specifications == [uniform])
        #expect(throws: EngineError.self) { try engine.promote(uniform) }
    }

    @Test func aWorseCandidateIsRefusedAndTheServingVersionStays() throws {
        let clock = ManualClock()
        let contextual = try PromotionFixtures.specification(epsilon: 0.2)
        let engine = try Engine(specifications: [contextual], store: SQLiteEventStore(path: ":memory:"),
                                configuration: PromotionFixtures.configuration(), clock: clock.function)
        defer { engine.shutdown() }
        let served = try PromotionFixtures.serve(engine, clock: clock, count: 500)
        #expect(served > 0.7)
        let contextFree = try PromotionFixtures.specification(algorithm: #"{"kind": "ucb1", "alpha": 1}"#, epsilon: 0.2)
        let report = try engine.promote(contextFree)
        #expect(!report.passed && !report.promoted)
        let improvement = try #require(PromotionFixtures.check(report, "improvement_lower_bound"))
        #expect(!improvement.passed && improvement.value < 0)
        #expect(report.candidateValue < report.baselineValue - 0.2)
        #expect(engine.specifications == [contextual] && engine.previousSpecification(of: "test") == nil)
    }

    @Test func aCandidateWithoutSupportInTheLogIsRefused() throws {
        let clock = ManualClock()
        let engine = try Engine(specifications: [PromotionFixtures.specification(epsilon: 0.1)], store: SQLiteEventStore(path: ":memory:"),
                                configuration: PromotionFixtures.configuration(), clock: clock.function)
        defer { engine.shutdown() }
        let candidate = try PromotionFixtures.specification(epsilon: 0.3)
        // Nothing logged yet: nothing to evaluate on.
        #expect(throws: EngineError.self) { try engine.promote(candidate) }

        // The kill switch served `a` alone: `b` and `c` were never taken, so the log cannot
        // vouch for a candidate that explores them.
        try engine.setKillSwitch(policy: "test", action: "a")
        try PromotionFixtures.serve(engine, clock: clock, count: 300)
        let report = try engine.promote(candidate)
        #expect(!report.promoted)
        let support = try #require(PromotionFixtures.check(report, "unsupported_mass"))
        #expect(!support.passed && support.value >= 0.19 && support.threshold == 0.01)

        // A candidate that cannot read the log's contexts, or lacks a logged action, is not evaluable.
        var otherSchema = candidate
        otherSchema.featureSchema.features[0].scale = 3
        #expect(throws: EngineError.self) { try engine.promote(otherSchema) }
        var fewerActions = candidate
        fewerActions.catalog.removeAll { $0.id == "a" }
        #expect(throws: EngineError.self) { try engine.promote(fewerActions) }
    }

    @Test func aPromotionOutlivesARestartAndSoDoesItsRollback() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try PromotionFixtures.configuration(directory: directory, minESS: 20)
        let clock = ManualClock()
        let file = try PromotionFixtures.specification(epsilon: 1)
        let candidate = try PromotionFixtures.specification(epsilon: 0.05)
        do {
            let engine = try Engine(specifications: [file], store: SQLiteEventStore(path: directory + "/events.sqlite"),
                                    configuration: configuration, clock: clock.function)
            try PromotionFixtures.serve(engine, clock: clock, count: 240)
            #expect(try engine.promote(candidate).promoted)
            engine.shutdown()
        }
        do {
            // The file still holds the uniform version: the promoted one is served, with its model.
            let engine = try Engine(specifications: [file], store: SQLiteEventStore(path: directory + "/events.sqlite"),
                                    configuration: configuration, clock: clock.function)
            #expect(engine.specifications == [candidate] && engine.recovery.recordedVersions.count == 1)
            #expect(engine.model(of: "test")?.modelVersion == 240)
            // The earlier version and its learned model were recorded too.
            #expect(engine.previousSpecification(of: "test") == file)
            let back = try engine.rollback(policy: "test")
            #expect(back.fingerprint == file.fingerprint)
            #expect(engine.model(of: "test")?.modelVersion == 240)
            engine.shutdown()
        }
        do {
            let engine = try Engine(specifications: [file], store: SQLiteEventStore(path: directory + "/events.sqlite"),
                                    configuration: configuration, clock: clock.function)
            defer { engine.shutdown() }
            #expect(engine.specifications == [file] && engine.model(of: "test")?.modelVersion == 240)
            #expect(engine.previousSpecification(of: "test") == nil)
        }
    }

    @Test func aRollbackOutlivesARestartUntilThePolicyFileChanges() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = EngineConfiguration(dataDirectory: directory, tickSeconds: 0.01)
        let clock = ManualClock()
        let v1 = try PromotionFixtures.specification(epsilon: 0.1)
        let v2 = try PromotionFixtures.specification(epsilon: 0.2)
        let v3 = try PromotionFixtures.specification(epsilon: 0.3)
        func open(_ file: PolicySpecification) throws -> Engine {
            try Engine(specifications: [file], store: SQLiteEventStore(path: directory + "/events.sqlite"),
                       configuration: configuration, clock: clock.function)
        }
        do {
            let engine = try open(v1)
            try PromotionFixtures.serve(engine, clock: clock, count: 40)
            _ = try engine.reload(v2)   // the file now holds v2
            _ = try engine.rollback(policy: "test")
            #expect(engine.specifications == [v1] && engine.model(of: "test")?.modelVersion == 40)
            engine.shutdown()
        }
        do {
            // Restarted on the v2 file: the rolled-back v1 is served with its learned model, not v2's prior.
            let engine = try open(v2)
            #expect(engine.specifications == [v1] && engine.model(of: "test")?.modelVersion == 40)
            #expect(engine.recovery.recordedVersions.first?.contains("test") == true)
            engine.shutdown()
        }
        do {
            // An edited file is a new decision: it is served.
            let engine = try open(v3)
            defer { engine.shutdown() }
            #expect(engine.specifications == [v3] && engine.recovery.recordedVersions.isEmpty)
        }
    }
}
