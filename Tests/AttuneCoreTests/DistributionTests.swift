import Foundation
import Testing
import AttuneCore

/// Sample mean and (unbiased) variance.
private func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
    let n = Double(x.count)
    let mean = x.reduce(0, +) / n
    let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, variance)
}

/// Pearson's χ² statistic of observed counts against expected probabilities.
func chiSquare(_ counts: [Int], _ probabilities: [Double]) -> Double {
    let n = Double(counts.reduce(0, +))
    var statistic = 0.0
    for (count, p) in zip(counts, probabilities) where p > 0 {
        let expected = n * p
        statistic += (Double(count) - expected) * (Double(count) - expected) / expected
    }
    return statistic
}

/// Draws in these tests are checked against closed-form moments with a tolerance of 5
/// standard errors of the estimate (a false alarm has probability below 1e-6 per check, and
/// the seeds are fixed, so a failure means the sampler is wrong).
@Suite struct DistributionTests {
    static let n = 40_000

    @Test func standardNormalHasMomentsZeroOneAndKurtosisThree() {
        var g = SeededGenerator(seed: 1)
        let x = (0..<Self.n).map { _ in g.nextStandardNormal() }
        let (mean, variance) = moments(x)
        let n = Double(Self.n)
        #expect(abs(mean) < 5 / n.squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / n).squareRoot())
        let kurtosis = x.reduce(0) { $0 + $1 * $1 * $1 * $1 } / n
        #expect(abs(kurtosis - 3) < 5 * (96 / n).squareRoot())
        // P(|Z| > 1.96) = 0.05.
        let tail = Double(x.filter { abs($0) > 1.96 }.count) / n
        #expect(abs(tail - 0.05) < 5 * (0.05 * 0.95 / n).squareRoot())
    }

    @Test func fillStandardNormalUsesBothVariatesAndMatchesTheMoments() {
        var g = SeededGenerator(seed: 2)
        var buffer = [Double](repeating: .nan, count: 2 * 5_001 + 1)
        buffer.withUnsafeMutableBufferPointer { g.fillStandardNormal($0) }
        #expect(buffer.allSatisfy { $0.isFinite })
        let (mean, variance) = moments(buffer)
        let n = Double(buffer.count)
        #expect(abs(mean) < 5 / n.squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / n).squareRoot())
    }

    @Test func normalScalesAndShifts() throws {
        var g = SeededGenerator(seed: 3)
        let x = try (0..<Self.n).map { _ in try g.nextNormal(mean: -4, standardDeviation: 3) }
        let (mean, variance) = moments(x)
        #expect(abs(mean + 4) < 5 * 3 / Double(Self.n).squareRoot())
        #expect(abs(variance - 9) < 5 * 9 * (2 / Double(Self.n)).squareRoot())
    }

    @Test(arguments: [0.3, 1.0, 2.5, 9.0])
    func gammaHasMeanAndVarianceOfShapeAndScale(shape: Double) throws {
        let scale = 2.0
        var g = SeededGenerator(seed: 4)
        let x = try (0..<Self.n).map { _ in try g.nextGamma(shape: shape, scale: scale) }
        #expect(x.allSatisfy { $0 > 0 && $0.isFinite })
        let (mean, variance) = moments(x)
        let n = Double(Self.n)
        // mean kθ, variance kθ², Var(s²) ≈ (μ₄ − σ⁴)/n = (2k² + 6k)θ⁴/n.
        #expect(abs(mean - shape * scale) < 5 * (shape * scale * scale / n).squareRoot())
        let varianceError = ((2 * shape * shape + 6 * shape) * pow4(scale) / n).squareRoot()
        #expect(abs(variance - shape * scale * scale) < 5 * varianceError)
    }

    @Test(arguments: [(0.5, 0.5), (2.0, 5.0), (0.3, 3.0), (40.0, 0.8)])
    func betaHasTheClosedFormMeanAndVariance(alpha: Double, beta: Double) throws {
        var g = SeededGenerator(seed: 5)
        let x = try (0..<Self.n).map { _ in try g.nextBeta(alpha: alpha, beta: beta) }
        #expect(x.allSatisfy { $0 >= 0 && $0 <= 1 })
        let (mean, variance) = moments(x)
        let s = alpha + beta
        let trueMean = alpha / s
        let trueVariance = alpha * beta / (s * s * (s + 1))
        #expect(abs(mean - trueMean) < 5 * (trueVariance / Double(Self.n)).squareRoot())
        // The variance of a [0, 1] variable's s² is at most σ²/n; a loose but valid bound.
        #expect(abs(variance - trueVariance) < 5 * (trueVariance / Double(Self.n)).squareRoot())
    }

    @Test func exponentialHasMeanOneOverRate() throws {
        var g = SeededGenerator(seed: 6)
        let x = try (0..<Self.n).map { _ in try g.nextExponential(rate: 2) }
        let (mean, variance) = moments(x)
        #expect(abs(mean - 0.5) < 5 * 0.5 / Double(Self.n).squareRoot())
        #expect(abs(variance - 0.25) < 5 * (8 * pow4(0.5) / Double(Self.n)).squareRoot())
    }

    @Test(arguments: [0.7, 3.0, 25.0, 1_000.0])
    func poissonHasMeanAndVarianceLambda(lambda: Double) throws {
        var g = SeededGenerator(seed: 7)
        let x = try (0..<Self.n).map { _ in Double(try g.nextPoisson(mean: lambda)) }
        #expect(x.allSatisfy { $0 >= 0 })
        let (mean, variance) = moments(x)
        let n = Double(Self.n)
        #expect(abs(mean - lambda) < 5 * (lambda / n).squareRoot())
        // Var(s²) ≈ (μ₄ − σ⁴)/n with μ₄ = λ(1 + 3λ).
        #expect(abs(variance - lambda) < 5 * ((lambda + 2 * lambda * lambda) / n).squareRoot())
    }

    @Test func poissonFrequenciesMatchTheMassFunction() throws {
        // λ = 12 goes through PTRS; compare P(k) for k = 0…30 by χ² (31 cells, 30 degrees of
        // freedom; the 1e-4 critical value is 63.0).
        let lambda = 12.0
        var g = SeededGenerator(seed: 8)
        var counts = [Int](repeating: 0, count: 31)
        for _ in 0..<Self.n { counts[min(30, try g.nextPoisson(mean: lambda))] += 1 }
        var probabilities: [Double] = []
        for k in 0..<30 {
            let logMass: Double = -lambda + Double(k) * log(lambda) - lgamma(Double(k) + 1)
            probabilities.append(exp(logMass))
        }
        probabilities.append(1 - probabilities.reduce(0, +))
        #expect(chiSquare(counts, probabilities) < 63)
    }

    @Test func bernoulliFrequencyIsP() throws {
        var g = SeededGenerator(seed: 9)
        let hits = try (0..<Self.n).filter { _ in try g.nextBernoulli(probability: 0.3) }.count
        #expect(abs(Double(hits) / Double(Self.n) - 0.3) < 5 * (0.21 / Double(Self.n)).squareRoot())
        let never = try g.nextBernoulli(probability: 0)
        let always = try g.nextBernoulli(probability: 1)
        #expect(!never && always)
    }

    @Test func zeroMeanPoissonIsZero() throws {
        var g = SeededGenerator(seed: 10)
        #expect(try g.nextPoisson(mean: 0) == 0)
    }
}

func pow4(_ x: Double) -> Double { x * x * x * x }
