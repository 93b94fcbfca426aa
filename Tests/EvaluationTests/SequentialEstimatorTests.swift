import AttuneCore
import Foundation
import Testing
@testable import Evaluation

/// Per-decision IS and weighted DR on a two-state customer MDP whose value is known exactly.
///
/// States: 0 engaged, 1 lapsed. Action 1 (a promotion) pays more now but lapses customers more
/// often. Rewards are Bernoulli with mean `r(s, a)`; the horizon is 5 steps, γ = 0.9.
@Suite struct SequentialEstimatorTests {
    static let meanReward = [[0.5, 0.9], [0.1, 0.3]]      // [state][action]
    static let lapse = [[0.1, 0.5], [0.7, 0.9]]           // P(next = lapsed | state, action)
    static let horizon = 5
    static let gamma = 0.9
    static let behaviour = [[0.5, 0.5], [0.5, 0.5]]       // μ(a|s)
    static let target = [[0.8, 0.2], [0.3, 0.7]]         // π(a|s)

    /// Q^π_t(s, a) and V^π_t(s) by backward induction.
    static func exactValues() -> (q: [[[Double]]], v: [[Double]]) {
        var v = Array(repeating: [0.0, 0.0], count: horizon + 1)
        var q = Array(repeating: [[0.0, 0.0], [0.0, 0.0]], count: horizon)
        for t in stride(from: horizon - 1, through: 0, by: -1) {
            for s in 0..<2 {
                for a in 0..<2 {
                    q[t][s][a] = meanReward[s][a] + gamma * (lapse[s][a] * v[t + 1][1] + (1 - lapse[s][a]) * v[t + 1][0])
                }
                v[t][s] = target[s][0] * q[t][s][0] + target[s][1] * q[t][s][1]
            }
        }
        return (q, v)
    }

    static func logs(count: Int, seed: UInt64, model: Bool) -> [LoggedTrajectory] {
        let (q, v) = exactValues()
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var s = 0
            var steps: [LoggedStep] = []
            for t in 0..<horizon {
                let a = rng.nextUniform() < behaviour[s][1] ? 1 : 0
                let r = rng.nextUniform() < meanReward[s][a] ? 1.0 : 0.0
                steps.append(LoggedStep(propensity: behaviour[s][a], targetProbability: target[s][a], reward: r, time: Double(t),
                                        modelActionValue: model ? q[t][s][a] : 0, modelStateValue: model ? v[t][s] : 0))
                s = rng.nextUniform() < lapse[s][a] ? 1 : 0
            }
            return LoggedTrajectory(steps: steps)
        }
    }

    @Test func perDecisionISCoversTheTrueValue() throws {
        let truth = Self.exactValues().v[0][0]
        let estimate = try Estimate(contributions: PerDecisionImportanceSampling(discount: Self.gamma).contributions(on: Self.logs(count: 4000, seed: 1, model: false)))
        #expect(estimate.ciLow <= truth && truth <= estimate.ciHigh, "\(estimate.value) ± \(estimate.standardError) vs \(truth)")
        #expect(estimate.standardError < 0.1)
    }

    @Test func perDecisionISIsUnbiasedOverReplicates() throws {
        // The mean of 40 independent estimates is within 3 of their standard errors of the truth.
        let truth = Self.exactValues().v[0][0]
        let pdis = try PerDecisionImportanceSampling(discount: Self.gamma)
        var values: [Double] = []
        for seed in 0..<40 { values.append(try Estimate(contributions: pdis.contributions(on: Self.logs(count: 300, seed: UInt64(100 + seed), model: false))).value) }
        let mean = values.reduce(0, +) / 40
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 39).squareRoot()
        #expect(abs(mean - truth) < 3 * sd / 40.0.squareRoot(), "\(mean) vs \(truth)")
    }

    @Test func weightedDoublyRobustWithTheTrueModelIsTighter() throws {
        let truth = Self.exactValues().v[0][0]
        let withModel = try Estimate(contributions: WeightedDoublyRobust(discount: Self.gamma).contributions(on: Self.logs(count: 4000, seed: 2, model: true)))
        let withoutModel = try Estimate(contributions: WeightedDoublyRobust(discount: Self.gamma).contributions(on: Self.logs(count: 4000, seed: 2, model: false)))
        let pdis = try Estimate(contributions: PerDecisionImportanceSampling(discount: Self.gamma).contributions(on: Self.logs(count: 4000, seed: 2, model: false)))
        #expect(withModel.ciLow <= truth && truth <= withModel.ciHigh, "\(withModel.value) ± \(withModel.standardError) vs \(truth)")
        #expect(abs(withoutModel.value - truth) < 4 * withoutModel.standardError)
        #expect(withModel.standardError < 0.7 * pdis.standardError, "WDR \(withModel.standardError) vs PDIS \(pdis.standardError)")
    }

    @Test func onPolicyLogsGiveTheMonteCarloReturn() throws {
        // Target = behaviour: every ratio is 1 and PDIS is the mean discounted return.
        let trajectories = Self.logs(count: 50, seed: 3, model: false).map { t in
            LoggedTrajectory(steps: t.steps.map { var s = $0; s.targetProbability = s.propensity; return s })
        }
        let value = try PerDecisionImportanceSampling(discount: Self.gamma).contributions(on: trajectories).value()
        let direct = trajectories.map { $0.steps.reduce(0.0) { $0 + pow(Self.gamma, $1.time) * $1.reward } }.reduce(0, +) / 50
        #expect(abs(value - direct) < 1e-12)
        let wdr = try WeightedDoublyRobust(discount: Self.gamma).contributions(on: trajectories).value()
        #expect(abs(wdr - direct) < 1e-12)
    }

    static let bad: [LoggedStep] = [
        LoggedStep(propensity: 0, targetProbability: 0.5, reward: 1, time: 1),
        LoggedStep(propensity: 1.2, targetProbability: 0.5, reward: 1, time: 1),
        LoggedStep(propensity: 0.5, targetProbability: -0.1, reward: 1, time: 1),
        LoggedStep(propensity: 0.5, targetProbability: 0.5, reward: .nan, time: 1),
        LoggedStep(propensity: 0.5, targetProbability: 0.5, reward: 1, time: -.infinity),
    ]

    @Test(arguments: bad.indices)
    func badStepsAreRefused(index: Int) throws {
        let trajectories = [LoggedTrajectory(steps: [LoggedStep(propensity: 0.5, targetProbability: 0.5, reward: 1, time: 0), Self.bad[index]])]
        #expect(throws: EvaluationError.self) { _ = try PerDecisionImportanceSampling(discount: 0.9).contributions(on: trajectories) }
        #expect(throws: EvaluationError.self) { _ = try WeightedDoublyRobust(discount: 0.9).contributions(on: trajectories) }
    }

    @Test func emptyLogsAndBadDiscountsAreRefused() {
        #expect(throws: EvaluationError.self) { _ = try PerDecisionImportanceSampling(discount: 0.9).contributions(on: []) }
        #expect(throws: EvaluationError.self) { _ = try PerDecisionImportanceSampling(discount: 0) }
        #expect(throws: EvaluationError.self) { _ = try WeightedDoublyRobust(discount: 1.5) }
    }
}
