import AttuneCore
import Bandits
import Foundation
import Testing
import _AttuneTestSupport

@Suite("Logistic Thompson sampling")
struct LogisticThompsonTests {
    static let k = 4, d = 4

    static func policy() throws -> ContextualBandit<LogisticThompsonSampling, Greedy> {
        try ContextualBandit(catalog: .numbered(k),
                             scorer: LogisticThompsonSampling(actionCount: k, contextDimension: d, configuration: .init(samples: 16)),
                             explorer: Greedy(), seed: 2)
    }

    @Test func conforms() {
        #expect(PolicyConformance.check(makePolicy: { try Self.policy() }) == [])
    }

    /// Bernoulli rewards with P(r = 1) = σ(θ_aᵀx): the learner's regret is under a fifth of
    /// uniform play's.
    @Test func regretOnABernoulliEnvironment() throws {
        var rng = SeededGenerator(seed: 31)
        let theta = (0..<Self.k).map { _ in (0..<Self.d).map { _ in rng.nextStandardNormal() } }
        func probability(_ x: [Double], _ a: Int) -> Double { 1 / (1 + exp(-zip(x, theta[a]).reduce(0) { $0 + $1.0 * $1.1 })) }
        var policy = try Self.policy()
        var learner = 0.0, uniform = 0.0
        for _ in 0..<800 {
            let x = (0..<Self.d - 1).map { _ in rng.nextStandardNormal() } + [1]
            let p = (0..<Self.k).map { probability(x, $0) }
            let decision = try policy.decide(for: Context(features: x), among: Array(0..<Self.k), using: &rng)
            learner += (p.max() ?? 0) - p[decision.action]
            uniform += (p.max() ?? 0) - p.reduce(0, +) / Double(Self.k)
            let reward: Double = rng.nextUniform() < p[decision.action] ? 1 : 0
            try policy.learn(from: Interaction(context: Context(features: x), decision: decision, reward: reward))
        }
        #expect(learner < uniform / 5, "regret \(learner), uniform \(uniform)")
    }

    @Test func nonBernoulliRewardIsRefused() throws {
        var policy = try Self.policy()
        #expect(throws: BanditsError.self) {
            try policy.learn(from: Interaction(context: Context(features: [0, 0, 0, 1]), candidates: [0], action: 0, reward: 3))
        }
        #expect(policy.modelVersion == 0)
    }
}
