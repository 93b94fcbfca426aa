import Bandits
@testable import Engine
import Foundation
import Testing

@Suite("Multi-slot decisions")
struct SlateTests {
    @Test func eachSlotIsLoggedWithItsConditionalDistribution() throws {
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try Engine(specifications: [Fixtures.specification(epsilon: 0.5)], store: store,
                                configuration: EngineConfiguration(tickSeconds: 0.01))
        defer { engine.shutdown() }
        let reply = try engine.decide(DecisionRequest(eventID: "s1", context: .named(["x": 0.4]), slots: 2))
        let slots = try #require(reply.slots)
        #expect(slots.map(\.eventID) == ["s1", "s1#1"])
        #expect(Set(slots.map(\.actionID)).count == 2 && reply.actionID == slots[0].actionID)
        let first = try #require(try store.decision(eventID: "s1"))
        let second = try #require(try store.decision(eventID: "s1#1"))
        #expect(first.candidateIDs == ["a", "b", "c"])
        #expect(second.candidateIDs == ["a", "b", "c"].filter { $0 != slots[0].actionID })
        // Reference: the policy's own distribution over what slot 0 left (the model has not learned).
        let model = try #require(engine.model(of: "test"))
        let expected = try model.distribution(for: Context(features: first.context), among: second.candidates).probabilities
        #expect(second.probabilities == expected)
        #expect(second.propensity == slots[1].probability && first.propensity == slots[0].probability)
        #expect(abs(second.probabilities.reduce(0, +) - 1) < 1e-12)
        #expect(try engine.reward(RewardRequest(eventID: "s1#1", reward: 1)).status == .joined)
        #expect(engine.statistics.policies[0].decisionsByAction.map(\.1).reduce(0, +) == 2)
    }

    @Test func aPolicyThatDeclaresSlotsFillsThemWhenTheRequestNamesNone() throws {
        var specification = try Fixtures.specification(epsilon: 0.5)
        specification.slots = SlotsSpecification(count: 2)
        let engine = try Engine(specifications: [specification], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.01))
        defer { engine.shutdown() }
        let reply = try engine.decide(DecisionRequest(eventID: "d1", context: .named(["x": 0.4])))
        #expect(try #require(reply.slots).map(\.eventID) == ["d1", "d1#1"])
        // Fewer candidates than declared slots: as many slots as candidates.
        let narrow = try engine.decide(DecisionRequest(eventID: "d2", context: .named(["x": 0.4]), actions: [.init(id: "b")]))
        #expect(try #require(narrow.slots).map(\.actionID) == ["b"])
        // The request's own count wins.
        let one = try engine.decide(DecisionRequest(eventID: "d3", context: .named(["x": 0.4]), slots: 1))
        #expect(one.slots?.count == 1)
        // A policy without slots still makes one decision.
        let plain = try Engine(specifications: [Fixtures.specification(id: "plain")], store: SQLiteEventStore(path: ":memory:"))
        defer { plain.shutdown() }
        #expect(try plain.decide(DecisionRequest(context: .named(["x": 0.4]))).slots == nil)
    }

    @Test(arguments: [0, 4])
    func aSlotCountOutsideTheCandidatesIsRefused(count: Int) throws {
        let engine = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        #expect {
            try engine.decide(DecisionRequest(context: .vector([0, 1]), slots: count))
        } throws: { error in
            guard case EngineError.policy(.invalidParameter(let field, _, _)) = error else { return false }
            return field == "slots"
        }
    }

    @Test func underTheKillSwitchTheFixedActionLeadsWithProbabilityOne() throws {
        let engine = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        try engine.setKillSwitch(policy: "test", action: "b")
        let slots = try #require(try engine.decide(DecisionRequest(context: .vector([0, 1]), slots: 3)).slots)
        #expect(slots.map(\.actionID) == ["b", "a", "c"] && slots.allSatisfy { $0.probability == 1 })
    }
}
