import AttuneCore
import Testing
@testable import Evaluation

@Suite struct UncertaintyTests {
    @Test func bootstrapIsIdenticalWhateverTheThreadCount() throws {
        let log = try SyntheticSetup.standard.log(rounds: 300, seed: 11)
        let t = log.targetProbabilities
        let terms = [try InversePropensityScoring().contributions(on: log, target: t, rewardModel: nil),
                     try SelfNormalizedIPS().contributions(on: log, target: t, rewardModel: nil)]
        let one = try Bootstrap(replicates: 64, seed: 42, threads: 1).replicateValues(terms)
        let two = try Bootstrap(replicates: 64, seed: 42, threads: 2).replicateValues(terms)
        let five = try Bootstrap(replicates: 64, seed: 42, threads: 5).replicateValues(terms)
        #expect(one == two)
        #expect(one == five)
        let other = try Bootstrap(replicates: 64, seed: 43, threads: 2).replicateValues(terms)
        #expect(one != other)
    }

    @Test func bootstrapRenormalizesSelfNormalizedEstimatorsAndBracketsTheEstimate() throws {
        let log = try SyntheticSetup.standard.log(rounds: 500, seed: 12)
        let t = log.targetProbabilities
        let snips = try SelfNormalizedIPS().contributions(on: log, target: t, rewardModel: nil)
        let values = try Bootstrap(replicates: 200, seed: 1, threads: 2).replicateValues([snips])[0]
        // Every replicate is a weighted mean of rewards in {0, 1}: renormalized, never outside.
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        let estimate = try Estimate(contributions: snips)
        let interval = try Bootstrap(replicates: 400, seed: 1, threads: 2).intervals([snips])[0]
        #expect(interval.low < estimate.value && estimate.value < interval.high)
        // Percentile and normal intervals agree roughly for n = 500.
        #expect(abs((interval.high - interval.low) - (estimate.ciHigh - estimate.ciLow)) < 0.35 * (estimate.ciHigh - estimate.ciLow))
    }

    @Test func poissonBootstrapOfLargeLogsIsDeterministicAndCalibrated() throws {
        // 70,000 rounds: above the multinomial limit. Terms with known mean and spread.
        let n = 70_000
        var g = AttuneCore.SeededGenerator(seed: 8)
        let direct = (0..<n).map { _ in g.nextUniform() < 0.3 ? 1.0 : 0.0 }
        let w = (0..<n).map { _ in 0.5 + g.nextUniform() }
        let plain = Contributions(estimator: "plain", direct: direct, weights: [])
        let ratio = Contributions(estimator: "ratio", direct: [Double](repeating: 0, count: n),
                                  weighted: zip(direct, w).map { $0 * $1 }, normalizers: w, weights: w)
        let one = try Bootstrap(replicates: 16, seed: 5, threads: 1).replicateValues([plain, ratio])
        let three = try Bootstrap(replicates: 16, seed: 5, threads: 3).replicateValues([plain, ratio])
        #expect(one == three)
        // The replicates' spread matches the standard error of a proportion.
        let values = one[0]
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        let se = (0.3 * 0.7 / Double(n)).squareRoot()
        #expect(abs(mean - 0.3) < 5 * se)
        #expect(sd > 0.5 * se && sd < 1.5 * se)
        #expect(one[1].allSatisfy { $0 > 0.25 && $0 < 0.35 })
    }

    @Test func poissonLookUpTableAgreesWithInversion() {
        var g = AttuneCore.SeededGenerator(seed: 12)
        var resolved = 0
        for bin in 0..<256 {
            let entry = Bootstrap.poissonPrefix[bin]
            if entry >= 0 { resolved += 1 }
            for u in [UInt64(bin) << 24, (UInt64(bin + 1) << 24) - 1, (UInt64(bin) << 24) | (g.next() & 0xFF_FFFF)] {
                #expect(entry < 0 || Int(entry) == Bootstrap.poissonCount(u))
            }
        }
        #expect(resolved >= 240)
        // The inversion reproduces Poisson(1) probabilities: P(0) = P(1) = e⁻¹.
        #expect(abs(Double(Bootstrap.poissonThresholds[0]) / 4_294_967_296 - 0.36787944117144233) < 1e-9)
        #expect(abs(Double(Bootstrap.poissonThresholds[1] - Bootstrap.poissonThresholds[0]) / 4_294_967_296 - 0.36787944117144233) < 1e-9)
    }

    @Test func bootstrapOfConstantTermsHasZeroWidth() throws {
        let c = Contributions(estimator: "constant", direct: [Double](repeating: 0.25, count: 50), weights: [])
        let interval = try Bootstrap(replicates: 20, seed: 3).intervals([c])[0]
        #expect(abs(interval.low - 0.25) < 1e-15 && abs(interval.high - 0.25) < 1e-15)
        #expect(throws: EvaluationError.self) { _ = try Bootstrap(replicates: 1) }
    }

    @Test(arguments: [1, 3, 7, 1000])
    func indexDrawsAreUniformAndInRange(count: Int) {
        var g = AttuneCore.SeededGenerator(seed: UInt64(count))
        var drawer = IndexDrawer(count: count)
        let draws = 20_000
        var histogram = [Int](repeating: 0, count: count)
        for _ in 0..<draws { histogram[drawer.next(&g)] += 1 }
        // Chi-square against uniform, far below the 1e-6 tail for these degrees of freedom.
        let expected = Double(draws) / Double(count)
        let chi2 = histogram.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < Double(count - 1) + 10 * (2 * Double(max(count - 1, 1))).squareRoot() + 30)
        #expect(histogram.reduce(0, +) == draws)
    }

    @Test func quantileInterpolatesBetweenOrderStatistics() {
        #expect(quantile([1, 2, 3, 4, 5], 0.5) == 3)
        #expect(quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(quantile([0, 10], 0.25) == 2.5)
    }

    @Test func empiricalBernsteinClosedFormAndValidity() throws {
        // Z = [0, 1, 0, 1]: mean 0.5, Vₙ = 1/3, n = 4.
        let delta = 0.1
        let l = Foundation_log(2 / delta)
        let expected = 0.5 - (2 * (1.0 / 3) * l / 4).squareRoot() - 7 * l / 9
        #expect(abs(try EmpiricalBernstein.lowerBound([0, 1, 0, 1], range: 0...1, delta: delta) - expected) < 1e-12)
        #expect(throws: EvaluationError.self) { _ = try EmpiricalBernstein.lowerBound([0, 2], range: 0...1, delta: 0.1) }

        // Over seeded logs the bound on the true value fails at most rarely (δ = 0.1).
        let setup = SyntheticSetup.standard
        var failures = 0
        for seed in 0..<30 {
            let log = try setup.log(rounds: 300, seed: UInt64(500 + seed))
            let lower = try EmpiricalBernstein.valueLowerBound(log: log, target: log.targetProbabilities, maxWeight: 10, rewardRange: 0...1, delta: 0.1)
            let upper = try EmpiricalBernstein.valueUpperBound(log: log, target: log.targetProbabilities, maxWeight: 10, rewardRange: 0...1, delta: 0.1)
            #expect(lower < upper)
            if lower > setup.trueTargetValue || upper < setup.trueTargetValue { failures += 1 }
        }
        #expect(failures <= 3)
    }
}

import Foundation
func Foundation_log(_ x: Double) -> Double { Foundation.log(x) }
