import AttuneCore
import Foundation
import Testing
@testable import Evaluation

@Suite struct RewardModelTests {
    /// A log with two actions whose rewards are exact linear functions of a 2-d context.
    static func linearLog(rounds n: Int, seed: UInt64, noise: Double = 0) throws -> DecisionLog {
        var g = SeededGenerator(seed: seed)
        var builder = DecisionLog.Builder(source: "linear")
        for line in 1...n {
            let x = [g.nextUniform() * 2 - 1, g.nextUniform() * 2 - 1]
            let a = g.nextUniform() < 0.5 ? 0 : 1
            let mean = a == 0 ? 1 + 2 * x[0] - x[1] : -0.5 + 0.5 * x[1]
            let r = mean + noise * (g.nextUniform() - 0.5)
            try builder.append(LoggedRound(context: x, action: .index(a), propensity: 0.5, reward: r, probabilities: [0.5, 0.5]), line: line)
        }
        return try builder.finish()
    }

    @Test func ridgeMatchesTheNormalEquationsSolvedByHand() throws {
        // One feature plus intercept: solve the 2×2 system (XᵀX + λI)θ = Xᵀr directly.
        let log = try Self.linearLog(rounds: 50, seed: 1, noise: 0.3)
        let lambda = 2.0
        let model = try RewardModel.fit(log: log, rows: Array(0..<log.count),
                                        configuration: RewardModel.Configuration(kind: .ridge, ridge: lambda, folds: 1))
        for a in 0..<2 {
            var s = [[Double]](repeating: [0, 0, 0], count: 3), t = [0.0, 0, 0]
            for i in 0..<log.count where log.chosenAction(i) == a {
                let x = [1, log.contexts[2 * i], log.contexts[2 * i + 1]]
                for p in 0..<3 { t[p] += x[p] * log.rewards[i]; for q in 0..<3 { s[p][q] += x[p] * x[q] } }
            }
            for p in 0..<3 { s[p][p] += lambda }
            let theta = solve3(s, t)
            for p in 0..<3 { #expect(abs(model.coefficients[a][p] - theta[p]) < 1e-9) }
        }
    }

    @Test func crossFittingPredictsEachFoldWithTheOtherFoldsModel() throws {
        let log = try Self.linearLog(rounds: 120, seed: 2, noise: 0.5)
        for kind in RewardModel.Kind.allCases {
            var data = log
            if kind == .logistic { data.rewards = log.rewards.map { $0 > 0 ? 1 : 0 } }
            let configuration = try RewardModel.Configuration(kind: kind, ridge: 0.5, folds: 3, seed: 9)
            let fitted = try RewardModel.crossFit(log: data, configuration: configuration)
            for f in 0..<3 {
                let training = (0..<data.count).filter { fitted.folds[$0] != f }
                let reference = try RewardModel.fit(log: data, rows: training, configuration: configuration)
                for i in 0..<data.count where fitted.folds[i] == f {
                    for c in data.candidateRange(i) {
                        let x = Array(data.contexts[(2 * i)..<(2 * i + 2)])
                        let expected = x.withUnsafeBufferPointer { reference.predict($0, action: data.candidates[c]) }
                        #expect(abs(fitted.predictions[c] - expected) < 1e-9)
                    }
                }
            }
            #expect(Set(fitted.folds).count == 3)
        }
    }

    @Test func noiselessLinearRewardsAreLearnedAndHeldOutErrorIsSmall() throws {
        let log = try Self.linearLog(rounds: 400, seed: 3)
        let fitted = try RewardModel.crossFit(log: log, configuration: RewardModel.Configuration(kind: .ridge, ridge: 1e-6, folds: 4))
        #expect(fitted.heldOutMeanSquaredError < 1e-10)
        #expect(fitted.baselineMeanSquaredError > 0.1)
    }

    @Test func logisticFitSatisfiesThePenalizedOptimalityCondition() throws {
        // At the optimum of Σ logloss + (λ/2)‖θ‖²: Σᵢ (rᵢ − pᵢ) xᵢ = λ θ.
        var g = SeededGenerator(seed: 4)
        var builder = DecisionLog.Builder(source: "clicks")
        for line in 1...300 {
            let x = [g.nextUniform() * 4 - 2]
            let p = 1 / (1 + exp(-(0.5 + 1.5 * x[0])))
            try builder.append(LoggedRound(context: x, action: .index(0), propensity: 1, reward: g.nextUniform() < p ? 1 : 0,
                                           probabilities: [1]), line: line)
        }
        let log = try builder.finish()
        let lambda = 0.7
        let model = try RewardModel.fit(log: log, rows: Array(0..<log.count),
                                        configuration: RewardModel.Configuration(kind: .logistic, ridge: lambda, folds: 1))
        let theta = model.coefficients[0]
        var gradient = [0.0, 0.0]
        for i in 0..<log.count {
            let x = [1, log.contexts[i]]
            let p = [log.contexts[i]].withUnsafeBufferPointer { model.predict($0, action: 0) }
            for j in 0..<2 { gradient[j] += (log.rewards[i] - p) * x[j] }
        }
        for j in 0..<2 { #expect(abs(gradient[j] - lambda * theta[j]) < 1e-6) }
        #expect(abs(theta[1] - 1.5) < 0.6)
    }

    @Test func logisticRejectsRewardsOutsideTheUnitInterval() throws {
        let log = try Self.linearLog(rounds: 20, seed: 5)
        #expect(throws: EvaluationError.self) {
            _ = try RewardModel.crossFit(log: log, configuration: RewardModel.Configuration(kind: .logistic))
        }
        #expect(throws: EvaluationError.self) { _ = try RewardModel.Configuration(ridge: 0) }
        #expect(throws: EvaluationError.self) { _ = try RewardModel.Configuration(folds: 0) }
    }
}

/// Solves a 3×3 system by Cramer's rule (a naive reference).
func solve3(_ a: [[Double]], _ b: [Double]) -> [Double] {
    func det(_ m: [[Double]]) -> Double {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }
    let d = det(a)
    return (0..<3).map { k in
        var m = a
        for r in 0..<3 { m[r][k] = b[r] }
        return det(m) / d
    }
}
