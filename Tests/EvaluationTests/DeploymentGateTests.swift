import Testing
@testable import Evaluation

@Suite struct DeploymentGateTests {
    static let setup = SyntheticSetup.standard
    /// The best action in every context type: clearly better than the logger.
    static let best: [[Double]] = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    /// The worst action in every context type.
    static let worst: [[Double]] = [[1, 0, 0], [0, 0, 1], [0, 0, 1]]

    static func targets(_ log: DecisionLog, _ policy: [[Double]]) -> [Double] {
        var t: [Double] = []
        for i in 0..<log.count {
            let x = setup.contexts.firstIndex(of: Array(log.contexts[(2 * i)..<(2 * i + 2)])) ?? 0
            t.append(contentsOf: policy[x])
        }
        return t
    }

    static func logged(_ log: DecisionLog) -> [Double] { log.loggingProbabilities }

    @Test(arguments: DeploymentGate.Bound.allCases)
    func promotesAClearlyBetterPolicy(bound: DeploymentGate.Bound) throws {
        let log = try Self.setup.log(rounds: 3000, seed: 21)
        let gate = DeploymentGate(configuration: try DeploymentGate.Configuration(bound: bound))
        let verdict = try gate.decide(log: log, candidate: Self.targets(log, Self.best), baseline: Self.logged(log))
        #expect(verdict.promote, "\(verdict.reasons)")
        #expect(verdict.improvementLowerBound > 0)
        #expect(verdict.candidateValue > verdict.baselineValue)
        #expect(verdict.reasons.allSatisfy { $0.hasPrefix("pass:") })
    }

    @Test(arguments: DeploymentGate.Bound.allCases)
    func refusesAWorsePolicy(bound: DeploymentGate.Bound) throws {
        let log = try Self.setup.log(rounds: 3000, seed: 22)
        let gate = DeploymentGate(configuration: try DeploymentGate.Configuration(bound: bound))
        let verdict = try gate.decide(log: log, candidate: Self.targets(log, Self.worst), baseline: Self.logged(log))
        #expect(!verdict.promote)
        #expect(verdict.improvementLowerBound < 0)
        #expect(verdict.reasons.contains { $0.hasPrefix("FAIL:") && $0.contains("margin") })
    }

    @Test func refusesAPolicyWithoutSupport() throws {
        // The logger never takes action 2; the candidate always does.
        let logging: [[Double]] = [[0.5, 0.5, 0], [0.5, 0.5, 0], [0.5, 0.5, 0]]
        var setup = Self.setup
        setup.logging = logging
        let log = try setup.log(rounds: 1000, seed: 23)
        var candidate = [Double](repeating: 0, count: log.candidates.count)
        for i in 0..<log.count { candidate[log.candidateRange(i).lowerBound + 2] = 1 }
        let gate = DeploymentGate(configuration: try DeploymentGate.Configuration())
        let verdict = try gate.decide(log: log, candidate: candidate, baseline: log.loggingProbabilities)
        #expect(!verdict.promote)
        #expect(verdict.unsupportedMass == 1)
        #expect(verdict.reasons.contains { $0.hasPrefix("FAIL:") && $0.contains("never taken") })
        #expect(verdict.reasons.contains { $0.hasPrefix("FAIL:") && $0.contains("effective sample size") })
    }

    @Test func marginAndWeightCapAreEnforced() throws {
        let log = try Self.setup.log(rounds: 3000, seed: 24)
        let candidate = Self.targets(log, Self.best)
        let strict = DeploymentGate(configuration: try DeploymentGate.Configuration(margin: 0.5, maxWeight: 2, bound: .normal))
        let verdict = try strict.decide(log: log, candidate: candidate, baseline: log.loggingProbabilities)
        #expect(!verdict.promote)
        #expect(verdict.reasons.filter { $0.hasPrefix("FAIL:") }.count == 2)
        #expect(throws: EvaluationError.self) { _ = try DeploymentGate.Configuration(confidence: 1.5) }
        #expect(throws: EvaluationError.self) { _ = try DeploymentGate.Configuration(clipWeight: 0) }
    }
}
