import AttuneCore
import Bandits
import Testing

@Suite("Merging shards")
struct MergeTests {
    /// Feeds the same interactions to one learner and, round-robin, to four shards; merges the
    /// shards; returns the largest difference of their distributions on fresh contexts.
    static func gap<S: MergeableScorer, E: Explorer>(_ make: () throws -> ContextualBandit<S, E>, reward: (Int, [Double]) -> Double) throws -> Double {
        var whole = try make()
        var shards = try (0..<4).map { _ in try make() }
        var rng = SeededGenerator(seed: 17)
        let k = whole.catalog.count, d = whole.contextDimension
        for t in 0..<200 {
            let x = (0..<d).map { _ in rng.nextStandardNormal() }
            let action = Int(rng.nextUniform() * Double(k))
            let interaction = Interaction(context: Context(features: x), candidates: Array(0..<k), action: action, reward: reward(action, x))
            try whole.learn(from: interaction)
            try shards[t % 4].learn(from: interaction)
        }
        var merged = shards[0]
        for shard in shards.dropFirst() { try merged.merge(shard) }
        #expect(merged.modelVersion == whole.modelVersion)
        var largest = 0.0
        for _ in 0..<10 {
            let context = Context(features: (0..<d).map { _ in rng.nextStandardNormal() })
            let a = try whole.distribution(for: context, among: Array(0..<k)).probabilities
            let b = try merged.distribution(for: context, among: Array(0..<k)).probabilities
            largest = max(largest, zip(a, b).map { abs($0 - $1) }.max() ?? 0)
        }
        return largest
    }

    @Test func linUCBShardsMergeIntoTheWholeModel() throws {
        let reward: (Int, [Double]) -> Double = { a, x in x[0] * Double(a) - x[1] }
        // Softmax makes the distribution a smooth function of the estimates, so it shows any difference.
        let gap = try Self.gap({
            try ContextualBandit(catalog: .numbered(3), scorer: LinUCB(actionCount: 3, contextDimension: 4, configuration: .init(alpha: 0.5)),
                                 explorer: Softmax(temperature: 0.1))
        }, reward: reward)
        #expect(gap < 1e-9)
        let thompson = try Self.gap({
            try ContextualBandit(catalog: .numbered(3),
                                 scorer: LinearThompsonSampling(actionCount: 3, contextDimension: 4, configuration: .init(samples: 8)),
                                 explorer: Softmax(temperature: 0.1))
        }, reward: reward)
        #expect(thompson < 1e-9)
    }

    @Test func contextFreeShardsMergeIntoTheWholeModel() throws {
        let reward: (Int, [Double]) -> Double = { a, x in x[0] > Double(a) - 1 ? 1 : 0 }
        let ucb = try Self.gap({
            try ContextualBandit(catalog: .numbered(3), scorer: UCB1(actionCount: 3, contextDimension: 2, configuration: .init()),
                                 explorer: Softmax(temperature: 0.1))
        }, reward: reward)
        #expect(ucb < 1e-12)
        let beta = try Self.gap({
            try ContextualBandit(catalog: .numbered(3),
                                 scorer: BetaBernoulliThompson(actionCount: 3, contextDimension: 2, configuration: .init(samples: 8)),
                                 explorer: Greedy())
        }, reward: reward)
        #expect(beta < 1e-12)
    }

    @Test func shardsOfAnotherConfigurationOrWithForgettingAreRefused() throws {
        var a = try ContextualBandit(catalog: .numbered(2), scorer: LinUCB(actionCount: 2, contextDimension: 2, configuration: .init(alpha: 1)),
                                     explorer: OptimisticArgmax())
        let b = try ContextualBandit(catalog: .numbered(2), scorer: LinUCB(actionCount: 2, contextDimension: 2, configuration: .init(alpha: 2)),
                                     explorer: OptimisticArgmax())
        #expect(throws: BanditsError.self) { try a.merge(b) }
        var c = try ContextualBandit(catalog: .numbered(2),
                                     scorer: LinUCB(actionCount: 2, contextDimension: 2, configuration: .init(forgetting: 0.9)),
                                     explorer: OptimisticArgmax())
        #expect(throws: BanditsError.self) { try c.merge(c) }
    }
}
