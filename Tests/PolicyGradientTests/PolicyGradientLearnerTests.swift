import Foundation
import AttuneCore
import Bandits
import Testing
@testable import PolicyGradient

@Suite struct PolicyGradientLearnerTests {
    static func linearPolicy(k: Int, d: Int) throws -> SoftmaxPolicy<LinearScorer> {
        try SoftmaxPolicy(catalog: ActionCatalog.numbered(k), scorer: LinearScorer(inputDimension: d, outputCount: k))
    }

    /// On-policy batches from a two-armed Bernoulli bandit (arm 1 pays 0.7, arm 0 pays 0.4).
    static func trainTwoArmed(objective: PolicyGradientLearner.Objective, seed: UInt64) throws -> SoftmaxPolicy<LinearScorer> {
        var policy = try linearPolicy(k: 2, d: 1)
        var learner = PolicyGradientLearner(configuration: try .init(objective: objective, learningRate: 0.05, epochs: objective == .ppo ? 4 : 1,
                                                                      minibatchSize: 64, entropyBonus: 0.001, baselineRidge: 1))
        var rng = SeededGenerator(seed: seed)
        let context = Context(features: [1])
        for _ in 0..<60 {
            var batch = try TrajectoryBatch(dimension: 1, actionCount: 2)
            for _ in 0..<64 {
                let decision = try policy.decide(for: context, among: [0, 1], using: &rng)
                let reward = rng.nextUniform() < (decision.action == 1 ? 0.7 : 0.4) ? 1.0 : 0.0
                try batch.append(Interaction(context: context, decision: decision, reward: reward))
            }
            try learner.update(&policy, on: batch, using: &rng)
        }
        return policy
    }

    @Test(arguments: [PolicyGradientLearner.Objective.reinforce, .ppo])
    func convergesToTheBetterArm(objective: PolicyGradientLearner.Objective) throws {
        let policy = try Self.trainTwoArmed(objective: objective, seed: 11)
        let p = try policy.distribution(for: Context(features: [1]), among: [0, 1]).probabilities
        #expect(p[1] > 0.9, "π(better arm) = \(p[1])")
    }

    @Test func sameSeedSameParameters() throws {
        let a = try Self.trainTwoArmed(objective: .ppo, seed: 5)
        let b = try Self.trainTwoArmed(objective: .ppo, seed: 5)
        let c = try Self.trainTwoArmed(objective: .ppo, seed: 6)
        #expect(a.scorer.parameters == b.scorer.parameters)
        #expect(a.modelVersion == b.modelVersion)
        #expect(a.scorer.parameters != c.scorer.parameters)
    }

    /// A two-step journey where the myopic action loses: "blast" pays 1 now but the customer
    /// leaves; "nurture" pays 0.3 now and the customer returns to pay 2 (return 2.3 at γ = 1).
    /// The state feature says which step it is; learning from returns must prefer nurture at step 0.
    @Test func returnsBeatMyopicRewardOnATinyMDP() throws {
        var policy = try Self.linearPolicy(k: 2, d: 2)
        var learner = PolicyGradientLearner(configuration: try .init(objective: .ppo, learningRate: 0.05, epochs: 4, minibatchSize: 128))
        var rng = SeededGenerator(seed: 21)
        let start = Context(features: [1, 0]), later = Context(features: [0, 1])
        for _ in 0..<40 {
            var recorder = try EpisodeRecorder(dimension: 2, actionCount: 2, discount: 1)
            for customer in 0..<128 {
                let first = try policy.decide(for: start, among: [0, 1], using: &rng)
                let blast = first.action == 0
                try recorder.record(episode: customer, time: 0, features: start.features, candidates: [0, 1], action: first.action,
                                    behaviourProbability: first.propensity, reward: blast ? 1 : 0.3)
                if !blast {
                    let second = try policy.decide(for: later, among: [0, 1], using: &rng)
                    try recorder.record(episode: customer, time: 1, features: later.features, candidates: [0, 1], action: second.action,
                                        behaviourProbability: second.propensity, reward: 2)
                }
            }
            try learner.update(&policy, on: recorder.finish(), using: &rng)
        }
        let p = try policy.distribution(for: start, among: [0, 1]).probabilities
        #expect(p[1] > 0.9, "π(nurture | start) = \(p[1])")
    }

    @Test func episodeRecorderDiscountsByElapsedTime() throws {
        var recorder = try EpisodeRecorder(dimension: 1, actionCount: 2, discount: 0.5)
        // Interleaved: episode 7 at t = 0, 2, 3; episode 9 at t = 1.
        try recorder.record(episode: 7, time: 0, features: [1], candidates: [0, 1], action: 0, behaviourProbability: 0.5, reward: 1)
        try recorder.record(episode: 9, time: 1, features: [1], candidates: [0, 1], action: 1, behaviourProbability: 0.5, reward: 5)
        try recorder.record(episode: 7, time: 2, features: [1], candidates: [0, 1], action: 1, behaviourProbability: 0.5, reward: 2)
        try recorder.record(episode: 7, time: 3, features: [1], candidates: [0, 1], action: 0, behaviourProbability: 0.5, reward: 4)
        let batch = recorder.finish()
        let g3 = 4.0, g2 = 2 + 0.5 * g3, g0 = 1 + 0.25 * g2
        #expect(batch.returns == [g0, 5, g2, g3])
        #expect(recorder.count == 0)
    }

    /// With uniform logging and no truncation, the importance-weighted gradient estimated from
    /// logged data matches the exact on-policy gradient ∇ Σ_a π(a|x) r(a) (mean baseline off).
    @Test func offPolicyGradientRecoversOnPolicyGradient() throws {
        var policy = try Self.linearPolicy(k: 3, d: 2)
        policy.scorer.parameters = [1, 0, -0.5, 0, 0, 0.5]
        let x = Context(features: [1, 0.5])
        let rewardMean = [0.2, 0.8, 0.5]
        // Exact gradient: Σ_a r(a) ∇π(a) = Σ_a r(a) π(a) ∇log π(a).
        let p = try policy.distribution(for: x, among: [0, 1, 2]).probabilities
        var exact = Array(repeating: 0.0, count: 6)
        for a in 0..<3 {
            let g = try policy.gradientOfLogProbability(of: a, for: x, among: [0, 1, 2])
            for j in 0..<6 { exact[j] += rewardMean[a] * p[a] * g[j] }
        }
        var rng = SeededGenerator(seed: 8)
        var batch = try TrajectoryBatch(dimension: 2, actionCount: 3)
        for _ in 0..<60_000 {
            let a = Int(rng.nextUniform() * 3)
            let r = rng.nextUniform() < rewardMean[a] ? 1.0 : 0.0
            try batch.append(Interaction(context: x, candidates: [0, 1, 2], action: a, propensity: 1.0 / 3, reward: r))
        }
        // The batch-mean baseline keeps the estimate unbiased (up to O(1/n)) because Σ_a ∇π(a) = 0.
        var learner = PolicyGradientLearner(configuration: try .init(importanceWeightCap: .infinity, normalizeAdvantages: false, baselineRidge: nil))
        let estimate = try learner.gradient(of: policy, on: batch)
        for j in 0..<6 { #expect(abs(estimate[j] - exact[j]) < 0.01, "component \(j): \(estimate[j]) vs \(exact[j])") }
        // Truncating the weights at 1 biases it toward the logging policy's gradient: a check
        // that the cap is applied at all.
        var capped = PolicyGradientLearner(configuration: try .init(importanceWeightCap: 1, normalizeAdvantages: false, baselineRidge: nil))
        let biased = try capped.gradient(of: policy, on: batch)
        #expect(zip(biased, exact).contains { abs($0 - $1) > 0.02 })
    }

    /// Pre-training from a log: uniformly logged decisions on a contextual problem (the best
    /// arm depends on the sign of x₁), many epochs of truncated-IS REINFORCE on the fixed log,
    /// and the policy picks the best arm on both sides.
    @Test func learnsFromAUniformLogWithClippedWeights() throws {
        var rng = SeededGenerator(seed: 31)
        var batch = try TrajectoryBatch(dimension: 2, actionCount: 3)
        for _ in 0..<6000 {
            let x1 = rng.nextUniform() < 0.5 ? -1.0 : 1.0
            let a = Int(rng.nextUniform() * 3)
            let mean = a == 2 ? 0.5 : (a == 0 ? (x1 > 0 ? 0.8 : 0.2) : (x1 > 0 ? 0.2 : 0.8))
            let r = rng.nextUniform() < mean ? 1.0 : 0.0
            try batch.append(Interaction(context: Context(features: [x1, 1]), candidates: [0, 1, 2], action: a, propensity: 1.0 / 3, reward: r))
        }
        var policy = try Self.linearPolicy(k: 3, d: 2)
        var learner = PolicyGradientLearner(configuration: try .init(objective: .reinforce, learningRate: 0.05, epochs: 30, minibatchSize: 500,
                                                                      entropyBonus: 0, importanceWeightCap: 2))
        let report = try learner.update(&policy, on: batch, using: &rng)
        let right = try policy.distribution(for: Context(features: [1, 1]), among: [0, 1, 2]).probabilities
        let left = try policy.distribution(for: Context(features: [-1, 1]), among: [0, 1, 2]).probabilities
        #expect(right[0] > 0.8 && left[1] > 0.8, "x₁ = 1: \(right), x₁ = −1: \(left)")
        // Once π(best) > 2/3 the ratio π/μ = 3π exceeds the cap of 2: those weights were truncated.
        #expect(report.truncatedFraction > 0.1)
    }

    /// The top-K correction multiplies each term by K (1 − π(a|x))^(K−1): checked on a
    /// two-step batch (rewards 3 and 1, so the mean baseline leaves advantages +1 and −1)
    /// against the log-probability gradients computed separately.
    @Test func topKCorrectionScalesEachTerm() throws {
        var policy = try Self.linearPolicy(k: 4, d: 2)
        policy.scorer.parameters = [0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0.0, 0.1]
        let x = Context(features: [1, -0.5])
        let all = [0, 1, 2, 3]
        var batch = try TrajectoryBatch(dimension: 2, actionCount: 4)
        try batch.append(Interaction(context: x, candidates: all, action: 2, propensity: 0.25, reward: 3))
        try batch.append(Interaction(context: x, candidates: all, action: 0, propensity: 0.25, reward: 1))
        let p = try policy.distribution(for: x, among: all).probabilities
        let score2 = try policy.gradientOfLogProbability(of: 2, for: x, among: all)
        let score0 = try policy.gradientOfLogProbability(of: 0, for: x, among: all)
        for slate in [1, 3] {
            var learner = PolicyGradientLearner(configuration: try .init(entropyBonus: 0, importanceWeightCap: .infinity, normalizeAdvantages: false,
                                                                          baselineRidge: nil, slateSize: slate))
            let g = try learner.gradient(of: policy, on: batch)
            let lambda2 = Double(slate) * pow(1 - p[2], Double(slate - 1))
            let lambda0 = Double(slate) * pow(1 - p[0], Double(slate - 1))
            for j in 0..<8 {
                let expected = 0.5 * ((p[2] / 0.25) * lambda2 * score2[j] - (p[0] / 0.25) * lambda0 * score0[j])
                #expect(abs(g[j] - expected) < 1e-12, "slate \(slate), component \(j): \(g[j]) vs \(expected)")
            }
        }
    }

    /// Revenue p·(10 − p) + noise, optimum at p* = 5; guardrails [1, 9]; start at 2.
    @Test func gaussianPriceConvergesNearTheRevenueOptimum() throws {
        var policy = try GaussianPricePolicy(low: 1, high: 9, meanWeights: [2], logStandardDeviation: 0, minimumLogStandardDeviation: -3)
        var adam = try Adam(count: 2, learningRate: 0.05)
        var rng = SeededGenerator(seed: 13)
        for _ in 0..<300 {
            var observations: [GaussianPricePolicy.Observation] = []
            for _ in 0..<100 {
                let d = try policy.decide(for: [1], using: &rng)
                let reward = d.price * (10 - d.price) + rng.nextStandardNormal()
                observations.append(.init(features: [1], price: d.price, behaviourLogLikelihood: d.logLikelihood, reward: reward))
            }
            var g = try policy.policyGradient(on: observations)
            Adam.clipNorm(&g, to: 5)
            var theta = policy.parameters
            adam.ascend(&theta, along: g)
            policy.parameters = theta
        }
        #expect(abs(policy.meanWeights[0] - 5) < 0.3, "μ = \(policy.meanWeights[0])")
        #expect(policy.logStandardDeviation < 0, "σ shrinks near the optimum: log σ = \(policy.logStandardDeviation)")
    }
}
