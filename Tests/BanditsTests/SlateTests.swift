import AttuneCore
import Bandits
import Foundation
import Testing

@Suite("Multi-slot decisions")
struct SlateTests {
    static let items = 8

    static func policy() throws -> ContextualBandit<LinUCB, EpsilonGreedy> {
        try ContextualBandit(catalog: .numbered(items),
                             scorer: LinUCB(actionCount: items, contextDimension: 2, configuration: .init(alpha: 0.2)),
                             explorer: EpsilonGreedy(epsilon: 0.1))
    }

    @Test(arguments: 1...10)
    func slotsHoldNoDuplicateAndLogConditionalProbabilities(seed: UInt64) throws {
        var policy = try Self.policy()
        var rng = SeededGenerator(seed: seed)
        let candidates = [7, 2, 5, 0, 3]
        for _ in 0..<20 {
            let context = Context(features: [rng.nextStandardNormal(), 1])
            let slate = try policy.decideSlate(for: context, among: candidates, slotCount: 3, using: &rng)
            #expect(Set(slate.actions).count == 3)
            #expect(Set(slate.actions).isSubset(of: Set(candidates)))
            var remaining = candidates
            var product = 1.0
            for slot in slate.slots {
                #expect(slot.candidates == remaining)
                #expect(abs(slot.probabilities.reduce(0, +) - 1) < 1e-12)
                // The logged propensity is the conditional probability the policy gives now.
                let expected = try policy.distribution(for: context, among: remaining).probabilities
                #expect(slot.probabilities == expected)
                #expect(slot.propensity == expected[slot.position])
                product *= slot.propensity
                remaining.remove(at: slot.position)
            }
            #expect(slate.propensity == product)
            try policy.learn(from: slate, context: context, rewards: [1, 0, 0], positionDiscounts: [1, 0.6, 0.5])
        }
    }

    /// Clicks follow the position-based model: P(click) = κ_slot · attractiveness(item).
    /// Learning with reward / κ ranks items by attractiveness, whatever slots they were shown in.
    @Test func positionAwareLearningRanksByAttractiveness() throws {
        let attractiveness = [0.05, 0.30, 0.10, 0.60, 0.15, 0.20, 0.45, 0.08]
        let kappa = [1.0, 0.5, 0.3]
        var policy = try Self.policy()
        var rng = SeededGenerator(seed: 3)
        let context = Context(features: [0, 1])
        for _ in 0..<1500 {
            let slate = try policy.decideSlate(for: context, among: Array(0..<Self.items), slotCount: 3, using: &rng)
            let clicks = slate.actions.enumerated().map { k, a in rng.nextUniform() < kappa[k] * attractiveness[a] ? 1.0 : 0.0 }
            try policy.learn(from: slate, context: context, rewards: clicks, positionDiscounts: kappa)
        }
        let estimates = (0..<Self.items).map { policy.scorer.coefficients(of: $0)[1] }
        let ranking = estimates.indices.sorted { estimates[$0] > estimates[$1] }
        #expect(Array(ranking.prefix(2)) == [3, 6], "estimates \(estimates)")
        for a in [3, 6, 1] { #expect(abs(estimates[a] - attractiveness[a]) < 0.12, "item \(a): \(estimates[a])") }
    }

    @Test func badSlateInputsAreTyped() throws {
        var policy = try Self.policy()
        var rng = SeededGenerator(seed: 1)
        let context = Context(features: [0, 1])
        #expect(throws: BanditsError.self) { try policy.decideSlate(for: context, among: [1, 2], slotCount: 3, using: &rng) }
        let slate = try policy.decideSlate(for: context, among: [1, 2, 3], slotCount: 2, using: &rng)
        #expect(throws: BanditsError.self) { try policy.learn(from: slate, context: context, rewards: [1], positionDiscounts: [1, 1]) }
        #expect(throws: BanditsError.self) { try policy.learn(from: slate, context: context, rewards: [1, 0], positionDiscounts: [1, 0]) }
        #expect(throws: BanditsError.self) { try policy.learn(from: slate, context: context, rewards: [.nan, 0], positionDiscounts: [1, 1]) }
        #expect(policy.modelVersion == 0)
    }

    @Test func slotsSpecificationResolvesItsDiscounts() {
        #expect(SlotsSpecification(count: 2, positionDiscounts: [1, 0.4]).resolvedPositionDiscounts == [1, 0.4])
        let dcg = SlotsSpecification(count: 3).resolvedPositionDiscounts
        #expect(dcg.count == 3 && dcg[0] == 1 && abs(dcg[1] - 1 / log2(3)) < 1e-15 && dcg[2] == 0.5)
    }
}
