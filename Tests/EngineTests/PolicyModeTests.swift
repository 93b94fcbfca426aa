import Bandits
@testable import Engine
import Foundation
import Testing

@Suite("Policy modes")
struct PolicyModeTests {
    func makeEngine(_ mode: PolicyMode, clock: ManualClock, store: any EventStore, epsilon: Double = 0.1) throws -> Engine {
        try Engine(specifications: [Fixtures.specification(window: 5, epsilon: epsilon)], store: store,
                   configuration: EngineConfiguration(tickSeconds: 0.01, modes: ["test": mode]), clock: clock.function)
    }

    /// Decides `count` times, rewards each decision with `reward(action)`, closes the windows and waits for learning.
    func round(_ engine: Engine, _ clock: ManualClock, prefix: String, count: Int, reward: (String) -> Double) throws -> [DecisionResponse] {
        var replies: [DecisionResponse] = []
        for i in 0..<count {
            let reply = try engine.decide(DecisionRequest(eventID: "\(prefix)\(i)", context: .named(["x": 0.5])))
            _ = try engine.reward(RewardRequest(eventID: reply.eventID, reward: reward(reply.actionID)))
            replies.append(reply)
        }
        clock.advance(by: 6)
        engine.closeDueWindows()
        engine.waitUntilLearned()
        return replies
    }

    @Test func loggingModeExploresAndLogsButLearnsNothing() throws {
        let clock = ManualClock()
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try makeEngine(PolicyMode(.logging), clock: clock, store: store, epsilon: 0.5)
        defer { engine.shutdown() }
        let replies = try round(engine, clock, prefix: "e", count: 40) { _ in 1 }
        #expect(Set(replies.map(\.actionID)).count > 1)   // exploration still samples every arm
        #expect(replies.allSatisfy { $0.probabilities.contains { $0.probability > 0 && $0.probability < 1 } })
        let stats = engine.statistics
        #expect(stats.joiner.closedDecisions == 40 && stats.learned == 0)
        #expect(stats.policies[0].modelVersion == 0 && stats.policies[0].mode == .logging)
        #expect(engine.model(of: "test")?.modelVersion == 0)
        #expect(try store.decision(eventID: "e0") != nil)
    }

    @Test func apprenticeModeServesTheBaselineAndLearnsThePolicyBesideIt() throws {
        let clock = ManualClock()
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try makeEngine(PolicyMode(.apprentice, baselineAction: "c"), clock: clock, store: store, epsilon: 0)
        defer { engine.shutdown() }
        let first = try round(engine, clock, prefix: "p", count: 6) { $0 == "c" ? 1 : 0 }
        #expect(first.allSatisfy { $0.actionID == "c" })
        #expect(first.allSatisfy { r in r.probabilities.allSatisfy { $0.probability == ($0.id == "c" ? 1 : 0) } })
        #expect(try store.decision(eventID: "p0")?.propensity == 1)
        #expect(engine.statistics.policies[0].modelVersion == 6)
        let before = try #require(engine.statistics.policies[0].apprentice)
        // The policy has learned that the baseline pays: greedy, it now agrees on every decision.
        _ = try round(engine, clock, prefix: "q", count: 6) { $0 == "c" ? 1 : 0 }
        let after = try #require(engine.statistics.policies[0].apprentice)
        #expect(after.baselineAction == "c" && after.decisions == 12 && after.agreements == before.agreements + 6)
        #expect(after.rounds == 12 && after.baselineValue == 1)
        // Its IPS value: π(c | x) per round (propensity 1, reward 1); the last six rounds are certain.
        #expect(after.estimatedValue >= 0.5 && after.estimatedValue <= 1)
        #expect(after.agreementRate == Double(after.agreements) / 12)
    }

    @Test(arguments: [
        (["test": PolicyMode(.apprentice)], "modes.test.baseline"),
        (["test": PolicyMode(.apprentice, baselineAction: "zzz")], "modes.test.baseline"),
        (["test": PolicyMode(.online, baselineAction: "a")], "modes.test.baseline"),
        (["other": PolicyMode(.logging)], "other"),
    ])
    func badModesAreRefusedNamingTheSetting(modes: [String: PolicyMode], mention: String) throws {
        #expect {
            _ = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"),
                           configuration: EngineConfiguration(modes: modes))
        } throws: { error in
            (error as? EngineError)?.description.contains(mention) == true
        }
    }
}
