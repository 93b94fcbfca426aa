import AttuneCore
import Bandits
import Foundation
import Testing
import _AttuneTestSupport
@testable import PolicyGradient

/// The Gaussian price policy over price points, as a `Policy`.
@Suite struct GaussianPricePointPolicyTests {
    static let prices: [Double] = [10, 12, 14, 16, 18, 20]

    static func policy(mean: [Double] = [1, 0.5, 15], logSigma: Double = 0.7, learningRate: Double = 0.05,
                       prices: [Double] = prices) throws -> GaussianPricePointPolicy {
        let catalog = try ActionCatalog(prices.enumerated().map { Action(id: ActionID("p\($0.offset)"), kind: .price, price: $0.element) })
        return try GaussianPricePointPolicy(catalog: catalog,
                                            gaussian: GaussianPricePolicy(low: 9, high: 21, meanWeights: mean, logStandardDeviation: logSigma,
                                                                          minimumLogStandardDeviation: -2, maximumLogStandardDeviation: 2),
                                            online: try .init(learningRate: learningRate))
    }

    @Test func conformsToThePolicyContract() {
        let failures = PolicyConformance.check(makePolicy: { try Self.policy() })
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func theShippedPricingFileConforms() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("policies/gaussian-pricing.json").path
        let specification = try PolicyGradientSpecification(contentsOfFile: file)
        let failures = PolicyConformance.check(makePolicy: { try specification.makeGaussianPricePointPolicy() })
        #expect(failures.isEmpty, "\(failures)")
        #expect(try specification.makePolicy().catalog.count == 6)
    }

    /// Each bin's mass by Simpson's rule on the Gaussian density between the bin's edges (the
    /// midpoints between neighbouring candidate prices within the guardrails; the end bins
    /// reach ±12σ, which holds all the mass clamped at the guardrails), shared among tied prices.
    static func integrated(prices: [Double], candidates: [Int], mu: Double, sigma: Double, low: Double, high: Double) -> [Double] {
        let points = Array(Set(candidates.map { prices[$0] }.filter { $0 >= low && $0 <= high })).sorted()
        func simpson(_ a: Double, _ b: Double) -> Double {
            guard b > a else { return 0 }
            let n = 4000, h = (b - a) / Double(n)
            func f(_ u: Double) -> Double { let z = (u - mu) / sigma; return exp(-0.5 * z * z) / ((2 * Double.pi).squareRoot() * sigma) }
            var s = f(a) + f(b)
            for i in 1..<n { s += f(a + Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
            return s * h / 3
        }
        var massAt: [Double: Double] = [:]
        for (k, price) in points.enumerated() {
            let lower = k == 0 ? mu - 12 * sigma : (points[k - 1] + price) / 2
            let upper = k == points.count - 1 ? mu + 12 * sigma : (price + points[k + 1]) / 2
            massAt[price] = simpson(max(lower, mu - 12 * sigma), min(upper, mu + 12 * sigma))
        }
        return candidates.map { c in
            let ties = candidates.filter { prices[$0] == prices[c] }.count
            return (massAt[prices[c]] ?? 0) / Double(ties)
        }
    }

    @Test(arguments: [
        (mean: 15.0, logSigma: 0.7, candidates: [0, 1, 2, 3, 4, 5]),
        (mean: 9.5, logSigma: 1.5, candidates: [5, 2, 0]),        // unordered, mass clamped at the lower guardrail
        (mean: 24.0, logSigma: -1.0, candidates: [3, 1, 4]),      // far above the top candidate
        (mean: 13.0, logSigma: 0.0, candidates: [2]),
    ])
    func binProbabilitiesAreTheGaussianMassOfEachBinAndSumToOne(_ c: (mean: Double, logSigma: Double, candidates: [Int])) throws {
        let policy = try Self.policy(mean: [0, 0, c.mean], logSigma: c.logSigma)
        let context = Context(features: [0.3, -1.2, 1])
        let p = try policy.distribution(for: context, among: c.candidates).probabilities
        let reference = Self.integrated(prices: Self.prices, candidates: c.candidates, mu: c.mean, sigma: exp(c.logSigma), low: 9, high: 21)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(abs(reference.reduce(0, +) - 1) < 1e-9)
        for (a, b) in zip(p, reference) { #expect(abs(a - b) < 1e-9, "\(p) vs \(reference)") }
    }

    @Test func tiedPricesShareTheirBinAndPricesOutsideTheGuardrailsAreNeverChosen() throws {
        let policy = try Self.policy(prices: [12, 12, 16, 30, 5])
        let p = try policy.distribution(for: Context(features: [0, 0, 1]), among: [0, 1, 2, 3, 4]).probabilities
        #expect(p[0] == p[1] && p[3] == 0 && p[4] == 0)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(throws: BanditsError.noEligibleAction) { _ = try policy.distribution(for: Context(features: [0, 0, 1]), among: [3, 4]) }
    }

    @Test func theGradientOfTheLogProbabilityMatchesFiniteDifferences() throws {
        let features = [0.4, -0.8, 1.0]
        let candidates = [4, 0, 2, 5]
        var policy = try Self.policy(mean: [0.5, 1, 14], logSigma: 0.3)
        for position in candidates.indices {
            let analytic = try #require(policy.gradientOfLogProbability(position: position, candidates: candidates, features: features))
            let base = policy.gaussian.parameters
            for j in base.indices {
                let h = 1e-6
                var plus = base, minus = base
                plus[j] += h
                minus[j] -= h
                policy.gaussian.parameters = plus
                let up = log(try policy.distribution(for: Context(features: features), among: candidates).probabilities[position])
                policy.gaussian.parameters = minus
                let down = log(try policy.distribution(for: Context(features: features), among: candidates).probabilities[position])
                policy.gaussian.parameters = base
                let numeric = (up - down) / (2 * h)
                #expect(abs(numeric - analytic[j]) < 1e-5 * max(1, abs(numeric)), "position \(position), parameter \(j): \(numeric) vs \(analytic[j])")
            }
        }
    }

    @Test func onlineLearningMovesTheMeanTowardsTheRewardedPrice() throws {
        var policy = try Self.policy(mean: [0, 0, 12], logSigma: 0.5, learningRate: 0.05)
        var rng = SeededGenerator(seed: 3)
        let context = Context(features: [0, 0, 1])
        for _ in 0..<3000 {
            let decision = try policy.decide(for: context, among: Array(0..<6), using: &rng)
            let reward = Self.prices[decision.action] == 18 ? 1.0 : 0.0
            try policy.learn(from: Interaction(context: context, decision: decision, reward: reward))
        }
        #expect(abs(policy.gaussian.meanWeights[2] - 18) < 1.5, "\(policy.gaussian.meanWeights)")
    }
}
