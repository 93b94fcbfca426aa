import AttuneCore
import Bandits
import Foundation
import Testing
@testable import PolicyGradient

/// The learner's batched minibatch gradient against a naive per-step sum of the policy's own
/// score and entropy gradients.
@Suite struct LearnerGradientReferenceTests {
    @Test(arguments: [PolicyGradientLearner.Objective.reinforce, .ppo])
    func batchedGradientEqualsTheNaiveSumWithMasksAndEntropy(_ objective: PolicyGradientLearner.Objective) throws {
        let k = 5, d = 3
        var rng = SeededGenerator(seed: 11)
        var policy = try SoftmaxPolicy(catalog: ActionCatalog.numbered(k), scorer: LinearScorer(inputDimension: d, outputCount: k))
        policy.scorer.parameters = (0..<(k * d)).map { _ in 0.5 * rng.nextStandardNormal() }
        var batch = try TrajectoryBatch(dimension: d, actionCount: k)
        var steps: [(Context, [Int], Int, Double, Double)] = []
        for _ in 0..<40 {
            let x = Context(features: (0..<d).map { _ in rng.nextStandardNormal() })
            let candidates = try rng.sampleIndices(2 + Int(rng.nextUniform() * 3), from: k)
            let action = candidates[Int(rng.nextUniform() * Double(candidates.count)) % candidates.count]
            let behaviour = 0.1 + 0.8 * rng.nextUniform(), g = rng.nextStandardNormal()
            try batch.append(features: x.features, candidates: candidates, action: action, behaviourProbability: behaviour, return: g)
            steps.append((x, candidates, action, behaviour, g))
        }
        let beta = 0.05, cap = 2.0, clip = 0.2
        var learner = PolicyGradientLearner(configuration: try .init(objective: objective, entropyBonus: beta, ppoClip: clip, importanceWeightCap: cap,
                                                                      normalizeAdvantages: false, baselineRidge: nil))
        let batched = try learner.gradient(of: policy, on: batch)
        let meanReturn = steps.reduce(0) { $0 + $1.4 } / Double(steps.count)
        var expected = Array(repeating: 0.0, count: k * d)
        for (x, candidates, action, behaviour, g) in steps {
            let p = try policy.distribution(for: x, among: candidates).probabilities
            let ratio = p[candidates.firstIndex(of: action) ?? 0] / behaviour
            let advantage = g - meanReturn
            let coefficient: Double
            switch objective {
            case .reinforce: coefficient = min(ratio, cap) * advantage
            case .ppo: coefficient = (advantage > 0 && ratio > 1 + clip) || (advantage < 0 && ratio < 1 - clip) ? 0 : ratio * advantage
            }
            let score = try policy.gradientOfLogProbability(of: action, for: x, among: candidates)
            let entropy = try policy.gradientOfEntropy(for: x, among: candidates)
            for j in expected.indices { expected[j] += (coefficient * score[j] + beta * entropy[j]) / Double(steps.count) }
        }
        for j in expected.indices { #expect(abs(batched[j] - expected[j]) < 1e-12, "component \(j): \(batched[j]) vs \(expected[j])") }
    }
}
