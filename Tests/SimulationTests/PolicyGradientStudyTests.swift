import AttuneCore
import Bandits
import Foundation
import PolicyGradient
import Testing
@testable import Simulation

/// A policy-gradient file in a study: trained on populations disjoint from the evaluation
/// seeds, frozen, run beside the bandits, and compared with the best of them seed by seed.
@Suite("Policy gradient in a simulation study")
struct PolicyGradientStudyTests {
    /// The shipped retail-churn scenario reduced to the policy-gradient policy, two bandits and
    /// a baseline, with `populations` training populations of `rounds` rounds.
    static func scenario(populations: Int = 2, seed: UInt64 = 900_000, rounds: Int = 400) throws -> Scenario {
        var scenario = try Scenario(contentsOfFile: simulationsDirectory + "/retail-churn.json")
        let keep = ["linucb", "epsilon-greedy", "policy-gradient", "random"]
        scenario.policies = scenario.policies.filter { keep.contains($0.name) }
        for i in scenario.policies.indices where scenario.policies[i].name == "policy-gradient" {
            scenario.policies[i].training = .init(populations: populations, seed: seed, fromScratch: true, horizon: rounds)
        }
        return scenario
    }

    @Test func theShippedScenarioNamesATrainedPolicyGradientPolicyWithSeedsApartFromItsOwn() throws {
        let scenario = try Scenario(contentsOfFile: simulationsDirectory + "/retail-churn.json")
        let entry = try #require(scenario.policies.first { $0.name == "policy-gradient" })
        let plan = try #require(entry.training)
        #expect(Set(plan.seeds).isDisjoint(with: scenario.seeds.values))
        let (data, _) = try #require(try entry.specificationData())
        #expect(PolicyGradientSpecification.isPolicyGradientDocument(data))
    }

    @Test func aStudyTrainsThePolicyAndReportsThePairedDifferenceWithTheBestBandit() throws {
        let study = SimulationStudy(scenario: try Self.scenario())
        let result = try study.run(seeds: 3, horizon: 600, maximumConcurrency: 2)
        let pg = try #require(result.policies.first { $0.name == "policy-gradient" })
        #expect(pg.family == .policyGradient && pg.runs.count == 3)
        #expect(result.policies.filter { $0.family == .bandit }.map(\.name) == ["linucb", "epsilon-greedy"])
        let training = try #require(result.training.first)
        #expect(training.populations == 2 && training.horizon == 400 && training.seeds == [900_000, 900_001] && training.steps > 0)

        // The paired difference against the bandit with the best mean, recomputed seed by seed.
        let best = try #require(result.policies.filter { $0.family == .bandit }.max { $0.meanReward.mean < $1.meanReward.mean })
        let comparison = try #require(result.comparisons.first)
        #expect(result.comparisons.count == 1 && comparison.policy == "policy-gradient" && comparison.versus == best.name)
        let differences = zip(pg.runs, best.runs).map { $0.meanReward - $1.meanReward }
        let expected = ConfidenceInterval(samples: differences)
        #expect(abs(comparison.meanReward.mean - expected.mean) < 1e-12)
        #expect(comparison.meanReward.low == expected.low && comparison.meanReward.high == expected.high && comparison.meanReward.count == 3)
        // Paired: narrower than the difference of two independent intervals would suggest is not
        // guaranteed, but its centre must be the difference of the two means.
        #expect(abs(comparison.meanReward.mean - (pg.meanReward.mean - best.meanReward.mean)) < 1e-12)

        // JSON, HTML and text all carry it.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(StudySummary(result, scenario: "retail-churn"))) as? [String: Any])
        let comparisons = try #require(json["comparisons"] as? [[String: Any]])
        #expect(comparisons.count == 1)
        #expect(comparisons[0]["versus"] as? String == best.name)
        #expect(abs((comparisons[0]["mean_difference"] as? Double ?? .nan) - expected.mean) < 1e-12)
        #expect(abs((comparisons[0]["ci_low"] as? Double ?? .nan) - (expected.low ?? .nan)) < 1e-12)
        #expect(abs((comparisons[0]["ci_high"] as? Double ?? .nan) - (expected.high ?? .nan)) < 1e-12)
        #expect((json["training"] as? [[String: Any]])?.first?["populations"] as? Int == 2)
        let html = StudyReport(result: result, title: "retail-churn").html()
        #expect(html.contains("Paired difference (policy − best bandit)") && html.contains(StudyReport.interval(expected)))
        let lines = StudyReport.comparisonLines(result)
        #expect(lines.first?.contains("policy-gradient − \(best.name)") == true && lines.first?.contains(StudyReport.interval(expected)) == true)
    }

    @Test func trainingIsSeededSoTheStudyIsReproducible() throws {
        let study = SimulationStudy(scenario: try Self.scenario(populations: 1, rounds: 300))
        let a = try study.run(seeds: 2, horizon: 300, maximumConcurrency: 1)
        let b = try study.run(seeds: 2, horizon: 300, maximumConcurrency: 2)
        let runsA = try #require(a.policies.first { $0.name == "policy-gradient" }).runs
        let runsB = try #require(b.policies.first { $0.name == "policy-gradient" }).runs
        #expect(runsA == runsB)
    }

    @Test func trainingOnAnEvaluationSeedIsRefused() throws {
        let scenario = try Self.scenario(seed: 52)  // the scenario evaluates seeds 51…60
        #expect {
            _ = try SimulationStudy(scenario: scenario).run(seeds: 10, horizon: 100)
        } throws: { error in
            guard case SimulationError.invalidScenario(let path, _, _, _) = error else { return false }
            return path.hasSuffix("training.seed")
        }
    }

    @Test func aTrainingPlanOnABaselineIsAScenarioError() throws {
        let json = linearScenarioJSON().replacingOccurrences(of: "{\"name\": \"random\", \"baseline\": \"random\"}",
                                                             with: "{\"name\": \"random\", \"baseline\": \"random\", \"training\": {\"populations\": 1, \"seed\": 9}}")
        #expect(throws: SimulationError.self) { _ = try Scenario(decoding: Data(json.utf8)) }
    }

    @Test func trainingImprovesTheReturnOnAWorldWhereOneActionIsBetter() throws {
        // One-step episodes on a linear contextual world: training must move the policy's mean
        // reward from the uniform policy's towards the best action's.
        let json = """
        {"format": "attune.simulation/1", "id": "t", "kind": "linear_contextual", "horizon": 2000, "seeds": {"count": 2, "base": 1},
         "linear_contextual": {"dimension": 3, "actions": 3, "reward": {"model": "bernoulli_logistic", "seed": 3}},
         "policies": [{"name": "random", "baseline": "random"}]}
        """
        let scenario = try Scenario(decoding: Data(json.utf8))
        let document = """
        {"format": "attune.policy-gradient/1", "id": "pg", "policy": {"kind": "softmax", "scorer": {"kind": "linear"}},
         "catalog": [{"id": "0", "kind": "offer"}, {"id": "1", "kind": "offer"}, {"id": "2", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "x0"}, {"name": "x1"}, {"name": "x2"}]},
         "reward": {"events": ["click"], "window_seconds": 60}, "objective": {"discount_per_week": 1, "horizon_weeks": 1},
         "learner": {"algorithm": "reinforce", "learning_rate": 0.05, "epochs": 4, "minibatch_size": 256, "seed": 1}}
        """
        let specification = try PolicyGradientSpecification(decoding: Data(document.utf8))
        let study = SimulationStudy(scenario: scenario)
        let (trained, summary) = try study.trainPolicyGradient(specification, plan: .init(populations: 12, seed: 1000, horizon: 2000))
        #expect(summary.steps == 12 * 2000)
        #expect(summary.lastMeanReward > summary.firstMeanReward + 0.02, "\(summary)")
        #expect(trained.policy.scorer?.parameters?.count == 9)
        #expect(throws: SimulationError.self) { _ = try study.trainPolicyGradient(specification, plan: .init(populations: 1, seed: 2)) }
    }
}
