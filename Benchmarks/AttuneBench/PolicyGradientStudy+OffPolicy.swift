import AttuneCore
import Bandits
import Evaluation
import Foundation
import PolicyGradient
import Simulation

/// The off-policy check of the study: can the trained policy be evaluated from another
/// policy's log, as the deployment gate would do it?
///
/// The behaviour policy is the trained policy mixed with ε = 0.1 of uniform exploration (the
/// propensities it logs are that mixture); the log's customer journeys are evaluated for the
/// frozen trained policy by per-decision importance sampling and weighted doubly robust
/// (without a model: weighted PDIS), and compared with the policy's own on-policy journeys on
/// other seeds (the Monte Carlo truth, with its interval).
extension PolicyGradientStudy {
    static let behaviourExploration = 0.1

    static func offPolicyCheck(policy: SoftmaxPolicy<LinearScorer>, environment: RetailEnvironment, horizon: Int,
                               logSeed: UInt64, truthSeeds: [UInt64], writer: ResultWriter) throws {
        let logged = try loggedJourneys(policy, epsilon: behaviourExploration, environment: environment, seed: logSeed, horizon: horizon)
        var onPolicy: [LoggedTrajectory] = []
        for seed in truthSeeds {
            onPolicy += try loggedJourneys(policy, epsilon: 0, environment: environment, seed: seed, horizon: horizon)
        }
        let pdis = try PerDecisionImportanceSampling(discount: weeklyDiscount)
        let truth = try Estimate(contributions: pdis.contributions(on: onPolicy))
        let estimates = [try Estimate(contributions: pdis.contributions(on: logged)),
                         try Estimate(contributions: WeightedDoublyRobust(discount: weeklyDiscount).contributions(on: logged))]
        for e in estimates {
            var r = BenchmarkRecord()
            r["task"] = .string("retail-churn off-policy value of the trained policy (discounted 26-week margin per visiting customer)")
            r["estimator"] = .string(e.estimator)
            r["value"] = .double(e.value)
            r["ci_low"] = .double(e.ciLow)
            r["ci_high"] = .double(e.ciHigh)
            r["effective_sample_size"] = .double(e.effectiveSampleSize)
            r["max_weight"] = .double(e.maxWeight)
            r["trajectories"] = .int(e.rounds)
            r["on_policy_value"] = .double(truth.value)
            r["on_policy_ci_low"] = .double(truth.ciLow)
            r["on_policy_ci_high"] = .double(truth.ciHigh)
            r["covers_on_policy_value"] = .bool(e.ciLow <= truth.value && truth.value <= e.ciHigh)
            writer.emit(r)
        }
    }

    /// Customer journeys under `(1 − ε) π + ε · uniform`, each step carrying the behaviour
    /// propensity and `π`'s probability of the logged action; times in weeks.
    static func loggedJourneys(_ policy: SoftmaxPolicy<LinearScorer>, epsilon: Double, environment: RetailEnvironment,
                               seed: UInt64, horizon: Int) throws -> [LoggedTrajectory] {
        var env = environment
        let master = SeededGenerator(seed: seed)
        var populationStream = master.child(0), contextStream = master.child(1)
        var responseStream = master.child(2), policyStream = master.child(3)
        env.reset(using: &populationStream)
        var context = Context(features: Array(repeating: 0, count: env.contextDimension))
        var candidates: [Int] = []
        var target: [Double] = []
        var behaviour: [Double] = []
        var journeys: [Int: [LoggedStep]] = [:]
        let roundsPerWeek = Double(env.specification.roundsPerDay * 7)
        for round in 0..<horizon {
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &contextStream), !candidates.isEmpty else { continue }
            let customer = env.currentCustomer ?? round
            try policy.distribution(for: context, among: candidates, into: &target)
            behaviour = target.map { (1 - epsilon) * $0 + epsilon / Double(candidates.count) }
            let position = ActionDistribution.sample(behaviour, using: &policyStream)
            let outcome = env.respond(to: candidates[position], slot: 0, using: &responseStream)
            _ = env.endRound(using: &responseStream)
            journeys[customer, default: []].append(LoggedStep(propensity: behaviour[position], targetProbability: target[position],
                                                              reward: outcome.reward, time: Double(round) / roundsPerWeek))
        }
        return journeys.keys.sorted().map { LoggedTrajectory(steps: journeys[$0] ?? []) }
    }
}
