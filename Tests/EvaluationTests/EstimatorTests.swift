import Testing
@testable import Evaluation

@Suite struct EstimatorTests {
    /// Three rounds, two candidates each, worked by hand below.
    static func tinyLog() throws -> DecisionLog {
        let text = """
            {"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[0.8,0.2]}
            {"context":[2],"action":1,"propensity":0.25,"reward":0,"probabilities":[0.75,0.25],"target_probabilities":[0.5,0.5]}
            {"context":[3],"action":1,"propensity":0.5,"reward":2,"probabilities":[0.5,0.5],"target_probabilities":[0,1]}
            """
        return try DecisionLog.parse(text, format: .attune)
    }
    // Weights: w = [0.8/0.5, 0.5/0.25, 1/0.5] = [1.6, 2, 2]; rewards [1, 0, 2].
    static let q: [Double] = [0.5, 1, 0, 1, 1, 1.5]  // q̂ per candidate, round by round
    // q̂ᵢ(π) = [0.8·0.5 + 0.2·1, 0.5·0 + 0.5·1, 1.5] = [0.6, 0.5, 1.5]; q̂(xᵢ,aᵢ) = [0.5, 1, 1.5]

    @Test func closedFormsOnAHandMadeLog() throws {
        let log = try Self.tinyLog()
        let t = log.targetProbabilities
        func value(_ e: any OffPolicyEstimator) throws -> Double { try e.estimate(on: log, target: t, rewardModel: Self.q).value }
        #expect(abs(try value(DirectMethod()) - (0.6 + 0.5 + 1.5) / 3) < 1e-12)
        #expect(abs(try value(InversePropensityScoring()) - (1.6 * 1 + 0 + 2 * 2) / 3) < 1e-12)
        #expect(abs(try value(InversePropensityScoring(maxWeight: 1.8)) - (1.6 + 0 + 1.8 * 2) / 3) < 1e-12)
        #expect(abs(try value(SelfNormalizedIPS()) - (1.6 + 4) / (1.6 + 2 + 2)) < 1e-12)
        // DR residual terms: w(r − q̂) = [1.6·0.5, 2·(−1), 2·0.5] = [0.8, −2, 1].
        #expect(abs(try value(DoublyRobust()) - ((0.6 + 0.8) + (0.5 - 2) + (1.5 + 1)) / 3) < 1e-12)
        #expect(abs(try value(SelfNormalizedDoublyRobust()) - ((0.6 + 0.5 + 1.5) / 3 + (0.8 - 2 + 1) / 5.6)) < 1e-12)
        // Switch at τ = 1.8 keeps only round 1's correction.
        #expect(abs(try value(SwitchDoublyRobust(threshold: 1.8)) - ((0.6 + 0.8) + 0.5 + 1.5) / 3) < 1e-12)
        // DR-os with λ = 4: ŵ = 4w/(w² + 4) = [6.4/6.56, 1, 1].
        let shrunk = 6.4 / 6.56
        #expect(abs(try value(DoublyRobustOptimisticShrinkage(lambda: 4)) - ((0.6 + shrunk * 0.5) + (0.5 - 1) + (1.5 + 0.5)) / 3) < 1e-12)
    }

    @Test func standardErrorAndDiagnosticsOfIPS() throws {
        let log = try Self.tinyLog()
        let e = try InversePropensityScoring().estimate(on: log, target: log.targetProbabilities, confidence: 0.95)
        let terms = [1.6, 0, 4]
        let mean = terms.reduce(0, +) / 3
        let sd = (terms.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
        #expect(abs(e.standardError - sd / 3.0.squareRoot()) < 1e-12)
        #expect(abs(e.ciHigh - e.value - 1.959963984540054 * e.standardError) < 1e-9)
        #expect(abs(e.effectiveSampleSize - 5.6 * 5.6 / (1.6 * 1.6 + 4 + 4)) < 1e-12)
        #expect(e.maxWeight == 2)
        #expect(e.warnings.count == 1)  // 3 rounds: a small effective sample size
    }

    @Test func uniformLoggerAndTargetGiveTheMeanReward() throws {
        var text = ""
        let rewards = [0.5, 2, -1, 3, 0, 1.25]
        for (i, r) in rewards.enumerated() {
            text += #"{"context":[\#(i)],"action":\#(i % 4),"propensity":0.25,"reward":\#(r),"target_probabilities":[0.25,0.25,0.25,0.25]}"# + "\n"
        }
        let log = try DecisionLog.parse(text, format: .attune)
        let mean = rewards.reduce(0, +) / Double(rewards.count)
        for e: any OffPolicyEstimator in [try InversePropensityScoring(), SelfNormalizedIPS()] {
            #expect(abs(try e.estimate(on: log, target: log.targetProbabilities).value - mean) < 1e-12)
        }
    }

    @Test func snipsFollowsARewardShiftAndIPSDoesNot() throws {
        let log = try SyntheticSetup.standard.log(rounds: 300, seed: 3)
        var shifted = log
        shifted.rewards = log.rewards.map { $0 + 5 }
        let t = log.targetProbabilities
        let snips = try SelfNormalizedIPS().estimate(on: log, target: t)
        let snipsShifted = try SelfNormalizedIPS().estimate(on: shifted, target: t)
        #expect(abs(snipsShifted.value - snips.value - 5) < 1e-9)
        #expect(abs(snipsShifted.standardError - snips.standardError) < 1e-9)
        let ips = try InversePropensityScoring().estimate(on: log, target: t).value
        let ipsShifted = try InversePropensityScoring().estimate(on: shifted, target: t).value
        let meanWeight = importanceWeights(log: log, target: t).reduce(0, +) / Double(log.count)
        #expect(abs(ipsShifted - ips - 5 * meanWeight) < 1e-9)
        #expect(abs(meanWeight - 1) > 1e-3)  // so the IPS shift differs from 5
    }

    @Test func limitsOfTheDoublyRobustFamily() throws {
        let setup = SyntheticSetup.standard
        let log = try setup.log(rounds: 200, seed: 5)
        let t = log.targetProbabilities
        let q = setup.perfectPredictions(for: log).map { $0 + 0.1 }  // a slightly biased model
        func value(_ e: any OffPolicyEstimator, target: [Double]? = nil) throws -> Double {
            try e.estimate(on: log, target: target ?? t, rewardModel: q).value
        }
        let dr = try value(DoublyRobust()), dm = try value(DirectMethod())
        #expect(abs(try value(DoublyRobustOptimisticShrinkage(lambda: .infinity)) - dr) < 1e-12)
        #expect(abs(try value(DoublyRobustOptimisticShrinkage(lambda: 0)) - dm) < 1e-12)
        #expect(abs(try value(SwitchDoublyRobust(threshold: .infinity)) - dr) < 1e-12)
        #expect(abs(try value(SwitchDoublyRobust(threshold: 0)) - dm) < 1e-12)
        // A target that never takes the logged action: every weight is 0, DR = DM.
        var avoid = [Double](repeating: 0, count: log.candidates.count)
        for i in 0..<log.count {
            let r = log.candidateRange(i)
            let other = (log.chosenPositions[i] + 1) % r.count
            avoid[r.lowerBound + other] = 1
        }
        #expect(abs(try value(DoublyRobust(), target: avoid) - value(DirectMethod(), target: avoid)) < 1e-12)
        #expect(try InversePropensityScoring().estimate(on: log, target: avoid).value == 0)
    }

    @Test func estimatorsAreUnbiasedAndCoverTheTruth() throws {
        // 60 seeded logs of 400 rounds: the mean estimate is within 3 standard errors of the
        // exact value, and 95% intervals cover it in at least 85% of the logs.
        let setup = SyntheticSetup.standard
        let truth = setup.trueTargetValue
        let estimators: [any OffPolicyEstimator] = [try InversePropensityScoring(), SelfNormalizedIPS(), DoublyRobust()]
        var sums = [Double](repeating: 0, count: 3), squares = [Double](repeating: 0, count: 3)
        var covered = [Int](repeating: 0, count: 3)
        let logs = 60
        let model = try RewardModel.Configuration(kind: .ridge, ridge: 1, folds: 2, seed: 1)
        for seed in 0..<logs {
            let log = try setup.log(rounds: 400, seed: UInt64(100 + seed))
            let q = try RewardModel.crossFit(log: log, configuration: model).predictions
            for (k, e) in estimators.enumerated() {
                let est = try e.estimate(on: log, target: log.targetProbabilities, rewardModel: q)
                sums[k] += est.value
                squares[k] += est.value * est.value
                if est.ciLow <= truth, truth <= est.ciHigh { covered[k] += 1 }
            }
        }
        for k in 0..<3 {
            let mean = sums[k] / Double(logs)
            let sd = ((squares[k] / Double(logs) - mean * mean) * Double(logs) / Double(logs - 1)).squareRoot()
            #expect(abs(mean - truth) < 3 * sd / Double(logs).squareRoot(), "estimator \(k): mean \(mean), truth \(truth)")
            #expect(covered[k] >= 51, "estimator \(k) covered the truth in \(covered[k]) of \(logs) logs")
        }
    }

    @Test func missingOrMismatchedInputsAreErrors() throws {
        let log = try Self.tinyLog()
        #expect(throws: EvaluationError.missingInput(estimator: "dr", what: "reward-model predictions")) {
            _ = try DoublyRobust().estimate(on: log, target: log.targetProbabilities)
        }
        #expect(throws: EvaluationError.shapeMismatch(what: "target probabilities", expected: 6, actual: 2)) {
            _ = try InversePropensityScoring().estimate(on: log, target: [0.5, 0.5])
        }
        #expect(throws: EvaluationError.self) { _ = try InversePropensityScoring(maxWeight: 0) }
        #expect(throws: EvaluationError.self) { _ = try SwitchDoublyRobust(threshold: -1) }
        #expect(throws: EvaluationError.self) { _ = try Estimate.normalQuantile(forConfidence: 1) }
    }

    @Test(arguments: [(0.95, 1.959963984540054), (0.9, 1.6448536269514722), (0.99, 2.5758293035489004), (0.5, 0.6744897501960817)])
    func normalQuantiles(confidence: Double, z: Double) throws {
        #expect(abs(try Estimate.normalQuantile(forConfidence: confidence) - z) < 1e-12)
    }
}
