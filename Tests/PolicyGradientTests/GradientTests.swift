import Foundation
import AttuneCore
import Bandits
import Testing
@testable import PolicyGradient

/// Analytic gradients against central finite differences.
@Suite struct GradientTests {
    static func catalog(_ k: Int) throws -> ActionCatalog { try ActionCatalog.numbered(k) }

    static func randomContext(_ d: Int, _ rng: inout SeededGenerator) -> Context {
        Context(features: (0..<d).map { _ in rng.nextStandardNormal() })
    }

    /// Central differences of `f` at `parameters`, step h.
    static func numericGradient(_ parameters: [Double], h: Double = 1e-6, _ f: ([Double]) throws -> Double) rethrows -> [Double] {
        var g = Array(repeating: 0.0, count: parameters.count)
        for i in parameters.indices {
            var plus = parameters, minus = parameters
            plus[i] += h
            minus[i] -= h
            g[i] = (try f(plus) - f(minus)) / (2 * h)
        }
        return g
    }

    static func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(1e-3, b.map(abs).max() ?? 0)
        return zip(a, b).map { abs($0 - $1) / scale }.max() ?? 0
    }

    func check<S: DifferentiableScorer>(_ policy: SoftmaxPolicy<S>, rng: inout SeededGenerator) throws {
        let k = policy.catalog.count
        for _ in 0..<5 {
            let x = Self.randomContext(policy.contextDimension, &rng)
            let candidates = try rng.sampleIndices(2 + Int(rng.nextUniform() * Double(k - 1)), from: k)
            let action = candidates[Int(rng.nextUniform() * Double(candidates.count))]
            let analytic = try policy.gradientOfLogProbability(of: action, for: x, among: candidates)
            let numeric = try Self.numericGradient(policy.scorer.parameters) { theta in
                var p = policy
                p.scorer.parameters = theta
                let probabilities = try p.distribution(for: x, among: candidates).probabilities
                return log(probabilities[candidates.firstIndex(of: action)!])
            }
            #expect(Self.maxRelativeError(analytic, numeric) < 1e-6)
            let entropyAnalytic = try policy.gradientOfEntropy(for: x, among: candidates)
            let entropyNumeric = try Self.numericGradient(policy.scorer.parameters) { theta in
                var p = policy
                p.scorer.parameters = theta
                return try p.entropy(for: x, among: candidates)
            }
            #expect(Self.maxRelativeError(entropyAnalytic, entropyNumeric) < 1e-6)
        }
    }

    @Test func linearSoftmaxLogProbabilityAndEntropy() throws {
        var rng = SeededGenerator(seed: 3)
        let weights = (0..<(6 * 4)).map { _ in rng.nextStandardNormal() }
        let policy = try SoftmaxPolicy(catalog: Self.catalog(6), scorer: LinearScorer(inputDimension: 4, outputCount: 6, weights: weights))
        try check(policy, rng: &rng)
    }

    @Test func mlpSoftmaxLogProbabilityAndEntropy() throws {
        var rng = SeededGenerator(seed: 4)
        var scorer = try MLPScorer(inputDimension: 5, hiddenWidth: 7, outputCount: 4, using: &rng)
        scorer.parameters = scorer.parameters.map { $0 * 10 + 0.1 * rng.nextStandardNormal() }  // away from the near-uniform start
        let policy = try SoftmaxPolicy(catalog: Self.catalog(4), scorer: scorer)
        try check(policy, rng: &rng)
    }

    @Test func mlpBatchedScoresEqualRowByRow() throws {
        var rng = SeededGenerator(seed: 5)
        let scorer = try MLPScorer(inputDimension: 3, hiddenWidth: 4, outputCount: 5, using: &rng)
        let n = 7
        let x = (0..<(n * 3)).map { _ in rng.nextStandardNormal() }
        var batched = Array(repeating: 0.0, count: n * 5)
        var work = ScorerWorkspace()
        x.withUnsafeBufferPointer { xp in batched.withUnsafeMutableBufferPointer { scorer.scores(xp, rows: n, into: $0, workspace: &work) } }
        // Naive reference: the formula, written out.
        let p = scorer.parameters
        for i in 0..<n {
            var h = Array(repeating: 0.0, count: 4)
            for j in 0..<4 {
                var a = p[12 + j]
                for t in 0..<3 { a += p[j * 3 + t] * x[i * 3 + t] }
                h[j] = tanh(a)
            }
            for c in 0..<5 {
                var s = p[16 + 20 + c]
                for j in 0..<4 { s += p[16 + c * 4 + j] * h[j] }
                #expect(abs(s - batched[i * 5 + c]) < 1e-12)
            }
        }
    }

    @Test(arguments: [(4.0, 1.0), (-2.0, 0.5), (12.0, 0.7)])
    func gaussianLogLikelihoodInsideAndAtGuardrails(price: Double, logSigmaShift: Double) throws {
        // price 4 is inside [1, 9]; -2 and 12 are clamped to the guardrails (point masses).
        let policy = try GaussianPricePolicy(low: 1, high: 9, meanWeights: [2.0, 0.5], logStandardDeviation: logSigmaShift)
        let x = [1.5, -1.0]
        let logged = min(max(price, 1), 9)
        let analytic = try policy.gradientOfLogLikelihood(of: logged, for: x)
        let numeric = try Self.numericGradient(policy.parameters) { theta in
            var p = policy
            p.parameters = theta
            return try p.logLikelihood(of: logged, for: x)
        }
        #expect(Self.maxRelativeError(analytic, numeric) < 1e-6)
    }

    @Test func gaussianClippedMassesAndDensityIntegrateToOne() throws {
        // Mass at low + ∫ density over (low, high) + mass at high = 1 (trapezoid rule).
        let policy = try GaussianPricePolicy(low: 2, high: 6, meanWeights: [5], logStandardDeviation: log(2))
        let lowMass = exp(try policy.logLikelihood(of: 2, for: [1]))
        let highMass = exp(try policy.logLikelihood(of: 6, for: [1]))
        var integral = 0.0
        let steps = 20_000
        let h = 4.0 / Double(steps)
        for i in 1..<steps { integral += exp(try policy.logLikelihood(of: 2 + Double(i) * h, for: [1])) * h }
        #expect(abs(lowMass + integral + highMass - 1) < 1e-3)
        var rng = SeededGenerator(seed: 1)
        var clippedHigh = 0
        for _ in 0..<4000 {
            let d = try policy.decide(for: [1], using: &rng)
            #expect(d.price >= 2 && d.price <= 6)
            if d.clipping == .upper { clippedHigh += 1; #expect(d.price == 6) }
        }
        // The observed clipping frequency matches the logged mass (binomial sd ≈ 0.0077).
        #expect(abs(Double(clippedHigh) / 4000 - highMass) < 0.03)
    }
}
