import Foundation
import Testing
@testable import Evaluation

@Suite struct LearningTests {
    static let setup = SyntheticSetup.standard

    /// The true value of a learned policy on the synthetic setup.
    static func trueValue(of policy: LinearPolicy) -> Double {
        var table: [[Double]] = []
        var p: [Double] = []
        for x in setup.contexts {
            policy.distribution(for: x[...], among: [0, 1, 2], into: &p)
            table.append(p)
        }
        return setup.value(of: table)
    }

    @Test(arguments: OffPolicyLearner.Method.allCases)
    func learnsANearOptimalPolicyFromALoggedOne(method: OffPolicyLearner.Method) throws {
        let log = try Self.setup.log(rounds: 4000, seed: 41)
        let learner = OffPolicyLearner(configuration: try OffPolicyLearner.Configuration(method: method, ridge: 0.1, holdoutShare: 0.25, seed: 3))
        let result = try learner.learn(from: log)
        let best = Self.setup.value(of: [[0, 0, 1], [1, 0, 0], [0, 1, 0]])  // 0.69
        let logging = Self.setup.value(of: Self.setup.logging)               // 0.373
        #expect(Self.trueValue(of: result.policy) > best - 0.02, "\(method): \(Self.trueValue(of: result.policy))")
        #expect(result.trainingRounds == 3000 && result.heldOutRounds == 1000)
        // The held-out estimates see the improvement too, and agree with the truth.
        let snips = try #require(result.heldOutEstimates.first { $0.estimator == "snips" })
        #expect(snips.ciLow <= best + 0.02 && best - 0.02 <= snips.ciHigh)
        #expect(try #require(result.loggingValue).value < logging + 0.05)
    }

    @Test func greedyTiesSoftmaxAndEpsilonAreValidDistributions() throws {
        let policy = try LinearPolicy(kind: .softmax, temperature: 0.5, epsilon: 0.3, actions: ["a", "b", "c"], featureNames: ["x"],
                                      coefficients: [[0, 1], [0, 2], [1, 0]])
        var p: [Double] = []
        policy.distribution(for: [2.0][...], among: [0, 1, 2], into: &p)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p[1] > p[0] && p[0] > p[2])
        #expect(p.allSatisfy { $0 >= 0.1 - 1e-12 })  // ε / K floor
        let greedy = try LinearPolicy(kind: .greedy, actions: ["a", "b"], featureNames: ["x"], coefficients: [[1, 0], [1, 0]])
        greedy.distribution(for: [5.0][...], among: [0, 1], into: &p)
        #expect(p == [0.5, 0.5])
        #expect(throws: EvaluationError.self) {
            _ = try LinearPolicy(kind: .softmax, temperature: 0, actions: ["a"], featureNames: [], coefficients: [[0]])
        }
        #expect(throws: EvaluationError.self) {
            _ = try LinearPolicy(kind: .greedy, actions: ["a", "b"], featureNames: ["x"], coefficients: [[0, 1]])
        }
    }

    @Test func learnedPolicyFilesRoundTripAndOtherFilesAreNotMistakenForThem() throws {
        let policy = try LinearPolicy(kind: .greedy, epsilon: 0.1, actions: ["0", "1", "2"], featureNames: ["x0", "x1"],
                                      coefficients: [[0, 1, 0], [0, 0, 1], [0.5, 0, 0]], training: ["method": "dr"])
        let data = try JSONEncoder().encode(policy)
        #expect(try LinearPolicy.decodeIfLearned(data, source: "p.json") == policy)
        #expect(try LinearPolicy.decodeIfLearned(Data(#"{"format":"attune.policy/1"}"#.utf8), source: "q.json") == nil)
        let broken = String(decoding: data, as: UTF8.self).replacingOccurrences(of: #""epsilon":0.1"#, with: #""epsilon":2"#)
        #expect(throws: EvaluationError.self) { _ = try LinearPolicy.decodeIfLearned(Data(broken.utf8), source: "p.json") }
        // Applied to a log through TargetSource.
        let log = try Self.setup.log(rounds: 50, seed: 42)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-learned-\(UInt32.random(in: 0...UInt32.max)).json").path
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = try TargetSource(path).distributions(on: log)
        #expect(target == (try policy.distributions(on: log)))
        #expect(throws: EvaluationError.self) { _ = try TargetSource(path + ".missing").distributions(on: log) }
    }

    @Test func policySpecificationFilesAreEvaluatedThroughTheirDistribution() throws {
        // An untrained LinUCB scores every action alike: uniform over the offered candidates.
        let policyPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies/offers-linucb.json").path
        let text = """
            {"features":{"recency_days":10,"orders_90d":1,"spend_90d":80,"tenure_days":300,"email_engaged":1,"app_user":0,"unused":5},"actions":["no_offer","free_shipping"],"action":"free_shipping","propensity":0.5,"reward":1}
            {"features":{"recency_days":40,"orders_90d":0,"spend_90d":0,"tenure_days":30,"email_engaged":0,"app_user":1},"actions":["no_offer","ten_percent","bundle_deal","loyalty_points"],"action":1,"propensity":0.25,"reward":0}
            """
        let log = try DecisionLog.parse(text, format: .attune)
        let target = try TargetSource(policyPath).distributions(on: log)
        #expect(target.count == 6)
        for (k, p) in target.enumerated() { #expect(abs(p - (k < 2 ? 0.5 : 0.25)) < 1e-12) }

        let unknown = try DecisionLog.parse(
            #"{"features":{"recency_days":1,"tenure_days":1},"actions":["no_offer","teleport"],"action":0,"propensity":0.5,"reward":1}"#,
            format: .attune)
        #expect {
            _ = try TargetSource(policyPath).distributions(on: unknown)
        } throws: { error in
            guard case EvaluationError.targetFailed(1, let reason) = error else { return false }
            return reason.contains("teleport")
        }
    }
}
