import Bandits
import Evaluation
import Foundation
import Testing
@testable import Simulation

@Suite("Simulated decision logs through the evaluator")
struct EvaluationReaderTests {
    /// An ε-greedy linear learner: its logged distributions change as it learns and are far
    /// from uniform, so importance weights matter.
    static func makeLogger(_ catalog: ActionCatalog) throws -> ContextualBandit<LinUCB, EpsilonGreedy> {
        try ContextualBandit(catalog: catalog,
                             scorer: try LinUCB(actionCount: 4, contextDimension: 3, configuration: .init(alpha: 0, ridge: 1)),
                             explorer: try EpsilonGreedy(epsilon: 0.3), seed: 5)
    }

    @Test("the Evaluation reader parses a simulated log, and IPS brackets the simulator's true values")
    func ipsAgainstTruth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-ope-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try LinearContextualEnvironment(LinearContextualSpecification(dimension: 3, actions: 4, model: .bernoulliLogistic, seed: 31))
        let catalog = env.catalog
        var runner = SimulationRunner(environment: env, horizon: 4000, seeds: [4])
        runner.logDirectory = dir
        let result = try runner.run([StudyPolicy(name: "logger", kind: .learner { try Self.makeLogger(catalog) })])

        let log = try DecisionLog.read(path: "\(dir)/logger/seed-4.jsonl")
        #expect(log.count == 4000 && log.contextDimension == 3 && log.hasLoggingProbabilities)
        #expect(abs(log.rewards.reduce(0, +) - result.policies[0].runs[0].totalReward) < 1e-9)

        // The logging policy evaluated on its own log: weights are 1, the estimate is the
        // realized mean, and the truth is the mean expected reward of its distributions.
        let own = try InversePropensityScoring().estimate(on: log, target: log.loggingProbabilities)
        let ownTruth = try runner.trueValue(of: try Self.makeLogger(catalog), seed: 4, learns: true)
        #expect(own.maxWeight == 1)
        #expect(own.ciLow <= ownTruth && ownTruth <= own.ciHigh, "IPS \(own.value) [\(own.ciLow), \(own.ciHigh)] vs truth \(ownTruth)")

        // Another policy (always action "2") from the same log, with real importance weights.
        var target = [Double](repeating: 0, count: log.candidates.count)
        for j in target.indices where log.actionIDs[log.candidates[j]] == "2" { target[j] = 1 }
        let fixed = try InversePropensityScoring().estimate(on: log, target: target)
        let fixedTruth = try runner.trueValue(of: try FixedActionPolicy(catalog: catalog, contextDimension: 3, action: 2), seed: 4)
        #expect(fixed.maxWeight > 1)
        #expect(fixed.ciLow <= fixedTruth && fixedTruth <= fixed.ciHigh, "IPS \(fixed.value) [\(fixed.ciLow), \(fixed.ciHigh)] vs truth \(fixedTruth)")
    }
}
