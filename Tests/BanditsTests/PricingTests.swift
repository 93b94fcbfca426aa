import AttuneCore
import Bandits
import Foundation
import Testing
import _AttuneTestSupport

@Suite("Pricing")
struct PricingTests {
    static let prices = [16.0, 20, 24, 28, 32]
    static let cost = 12.0
    /// A known logistic demand curve: P(buy | p) = 1 / (1 + e^(0.3 (p − 22))).
    static func purchaseProbability(_ price: Double) -> Double { 1 / (1 + exp(0.3 * (price - 22))) }

    static func policy(segments: Int = 1) throws -> ContextualBandit<PriceLadderThompson, Greedy> {
        let catalog = try ActionCatalog(prices.map { Action(id: ActionID("p\(Int($0))"), kind: .price, cost: cost, price: $0) })
        let scorer = try PriceLadderThompson(configuration: .init(margins: prices.map { $0 - cost }, samples: 16, segmentCount: segments))
        return try ContextualBandit(catalog: catalog, scorer: scorer, explorer: Greedy(), seed: 4)
    }

    @Test func conforms() {
        // Rewards are realized margins: 0 or price − cost.
        let failures = PolicyConformance.check(makePolicy: { try Self.policy() }, makeContext: { _, _ in Context(features: []) },
                                               reward: { _, action in action % 2 == 0 ? Self.prices[action] - Self.cost : 0 })
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func convergesToTheMarginOptimalPrice() throws {
        let expectedMargin = Self.prices.map { ($0 - Self.cost) * Self.purchaseProbability($0) }
        let optimal = expectedMargin.indices.max { expectedMargin[$0] < expectedMargin[$1] } ?? 0
        #expect(Self.prices[optimal] == 20)  // 5.17 per visitor, against 4.25 at 24 and 3.43 at 16
        var policy = try Self.policy()
        var rng = SeededGenerator(seed: 12)
        let context = Context(features: [])
        let all = Array(0..<Self.prices.count)
        var lateChoices = Array(repeating: 0, count: Self.prices.count)
        for t in 0..<1500 {
            let decision = try policy.decide(for: context, among: all, using: &rng)
            let bought = rng.nextUniform() < Self.purchaseProbability(Self.prices[decision.action])
            if t >= 1000 { lateChoices[decision.action] += 1 }
            try policy.learn(from: Interaction(context: context, decision: decision, reward: bought ? Self.prices[decision.action] - Self.cost : 0))
        }
        let final = try policy.distribution(for: context, among: all).probabilities
        #expect(final[optimal] > 0.7, "final distribution \(final)")
        #expect(lateChoices.indices.max { lateChoices[$0] < lateChoices[$1] } == optimal, "\(lateChoices)")
    }

    @Test func rewardThatIsNotARealizedMarginIsRefused() throws {
        var policy = try Self.policy()
        #expect(throws: BanditsError.self) {
            try policy.learn(from: Interaction(context: Context(features: []), candidates: [0], action: 0, reward: 50))
        }
    }
}
