import Foundation
import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport
@testable import PolicyGradient

@Suite struct SoftmaxPolicyTests {
    @Test func linearPolicyConforms() throws {
        let failures = PolicyConformance.check(makePolicy: {
            try SoftmaxPolicy(catalog: ActionCatalog.numbered(5), scorer: LinearScorer(inputDimension: 4, outputCount: 5),
                              online: .init(learningRate: 0.05, entropyBonus: 0.01))
        })
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func mlpPolicyConforms() throws {
        let failures = PolicyConformance.check(makePolicy: {
            var rng = SeededGenerator(seed: 2)
            return try SoftmaxPolicy(catalog: ActionCatalog.numbered(3), scorer: MLPScorer(inputDimension: 3, hiddenWidth: 5, outputCount: 3, using: &rng),
                                     online: .init(learningRate: 0.02))
        })
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func frozenPolicyOnlyAdvancesItsVersion() throws {
        var policy = try SoftmaxPolicy(catalog: ActionCatalog.numbered(3), scorer: LinearScorer(inputDimension: 2, outputCount: 3, weights: [1, 0, 0, 1, -1, 1]))
        let before = policy.scorer.parameters
        try policy.learn(from: Interaction(context: Context(features: [1, 2]), candidates: [0, 1, 2], action: 1, propensity: 0.5, reward: 3))
        #expect(policy.scorer.parameters == before)
        #expect(policy.modelVersion == 1)
    }

    @Test func softmaxMatchesTheFormulaAndExcludesNonCandidates() throws {
        let policy = try SoftmaxPolicy(catalog: ActionCatalog.numbered(4), scorer: LinearScorer(inputDimension: 1, outputCount: 4, weights: [0, 1, 2, 800]))
        let p = try policy.distribution(for: Context(features: [1]), among: [2, 0, 1]).probabilities
        let z = exp(2.0) + 1 + exp(1.0)
        #expect(abs(p[0] - exp(2.0) / z) < 1e-14 && abs(p[1] - 1 / z) < 1e-14 && abs(p[2] - exp(1.0) / z) < 1e-14)
        // A score of 800 would overflow exp without the max shift.
        let q = try policy.distribution(for: Context(features: [1]), among: [3, 0]).probabilities
        #expect(q == [1, 0])
    }

    @Test func onlineLearningMovesTowardTheRewardedAction() throws {
        var policy = try SoftmaxPolicy(catalog: ActionCatalog.numbered(2), scorer: LinearScorer(inputDimension: 1, outputCount: 2),
                                       online: .init(learningRate: 0.05))
        var rng = SeededGenerator(seed: 1)
        let x = Context(features: [1])
        for _ in 0..<2000 {
            let d = try policy.decide(for: x, among: [0, 1], using: &rng)
            try policy.learn(from: Interaction(context: x, decision: d, reward: d.action == 0 ? 1 : 0))
        }
        #expect(try policy.distribution(for: x, among: [0, 1]).probabilities[0] > 0.9)
    }

    static let badConfigurations: [(String, @Sendable () throws -> PolicyGradientLearner.Configuration)] = [
        ("learning_rate", { try .init(learningRate: 0) }),
        ("learning_rate", { try .init(learningRate: .nan) }),
        ("epochs", { try .init(epochs: 0) }),
        ("minibatch_size", { try .init(minibatchSize: 0) }),
        ("entropy_bonus", { try .init(entropyBonus: -1) }),
        ("gradient_clip", { try .init(gradientClip: 0) }),
        ("ppo_clip", { try .init(ppoClip: 1) }),
        ("importance_weight_cap", { try .init(importanceWeightCap: 0.5) }),
        ("baseline_ridge", { try .init(baselineRidge: 0) }),
    ]

    @Test(arguments: badConfigurations.indices)
    func badLearnerConfigurationNamesTheField(index: Int) {
        let (field, make) = Self.badConfigurations[index]
        #expect {
            _ = try make()
        } throws: { error in
            guard case .invalidParameter(let f, _, _) = error as? PolicyGradientError else { return false }
            return f == field
        }
    }

    static let badSteps: [(features: [Double], candidates: [Int], action: Int, probability: Double, reward: Double)] = [
        ([1], [0, 1], 0, 0.5, 1),            // wrong dimension
        ([1, .nan], [0, 1], 0, 0.5, 1),      // non-finite feature
        ([1, 2], [], 0, 0.5, 1),             // no candidate
        ([1, 2], [0, 3], 0, 0.5, 1),         // candidate out of range
        ([1, 2], [1, 2], 0, 0.5, 1),         // action not a candidate
        ([1, 2], [0, 1], 0, 0, 1),           // zero behaviour probability
        ([1, 2], [0, 1], 0, 1.5, 1),         // probability above 1
        ([1, 2], [0, 1], 0, 0.5, .infinity), // non-finite return
    ]

    @Test(arguments: badSteps.indices)
    func badStepsAreRefused(index: Int) throws {
        var batch = try TrajectoryBatch(dimension: 2, actionCount: 3)
        let s = Self.badSteps[index]
        #expect(throws: PolicyGradientError.self) {
            try batch.append(features: s.features, candidates: s.candidates, action: s.action, behaviourProbability: s.probability, return: s.reward)
        }
        #expect(batch.count == 0)
    }
}
