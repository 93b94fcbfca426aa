import AttuneCore
import Bandits
import Foundation
import Testing
import _AttuneTestSupport

/// Thompson sampling over the shared (ADF) and hybrid models, and the UCB variant of the
/// logistic learner, checked against the posterior moments they must reproduce.
@Suite("Posterior sampling for shared/hybrid models; logistic UCB")
struct PosteriorSamplingTests {
    static let k = 5, d = 3, f = 2

    static func catalog() throws -> ActionCatalog {
        var rng = SeededGenerator(seed: 21)
        return try ActionCatalog((0..<k).map { i in
            Action(id: ActionID("a\(i)"), kind: .content, features: [1] + (1..<f).map { _ in rng.nextStandardNormal() })
        })
    }

    static func shared(samples: Int = 8, alpha: Double = 0, forgetting: Double = 1) throws -> ContextualBandit<SharedLinUCB, Greedy> {
        let catalog = try catalog()
        return try ContextualBandit(catalog: catalog, scorer: SharedLinUCB(catalog: catalog, contextDimension: d,
                                                                           configuration: .init(alpha: alpha, samples: samples, scale: 0.5,
                                                                                                forgetting: forgetting)),
                                    explorer: Greedy(), seed: 8)
    }

    static func hybrid(samples: Int = 8, alpha: Double = 0) throws -> ContextualBandit<HybridLinUCB, Greedy> {
        let catalog = try catalog()
        return try ContextualBandit(catalog: catalog, scorer: HybridLinUCB(catalog: catalog, contextDimension: d,
                                                                           configuration: .init(alpha: alpha, samples: samples, scale: 0.5)),
                                    explorer: Greedy(), seed: 8)
    }

    @Test func sharedAndHybridThompsonConform() {
        #expect(PolicyConformance.check(makePolicy: { try Self.shared() }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.hybrid() }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.shared(forgetting: 0.9) }) == [])
    }

    /// Draws `m` score samples of every action from a trained scorer, and its mean and width.
    static func moments<S: Scorer>(_ scorer: S, x: [Double], draws m: Int) -> (mean: [Double], variance: [Double], estimate: [Double], width: [Double]) {
        let n = scorer.actionCount
        let candidates = Array(0..<n)
        var samples = [Double](repeating: 0, count: m * n)
        var estimates = [Double](repeating: 0, count: n), bonuses = estimates
        var scratch = [Double](repeating: 0, count: scorer.scratchCount(candidateCount: n))
        var rng = SeededGenerator(seed: 5)
        x.withUnsafeBufferPointer { xs in
            candidates.withUnsafeBufferPointer { c in
                scratch.withUnsafeMutableBufferPointer { s in
                    samples.withUnsafeMutableBufferPointer { out in
                        scorer.sampleScores(features: xs, segment: nil, candidates: c, sampleCount: m, using: &rng, samples: out, scratch: s)
                    }
                    estimates.withUnsafeMutableBufferPointer { e in
                        bonuses.withUnsafeMutableBufferPointer { b in
                            scorer.scores(features: xs, segment: nil, candidates: c, estimates: e, bonuses: b, scratch: s)
                        }
                    }
                }
            }
        }
        var mean = [Double](repeating: 0, count: n), variance = mean
        for i in 0..<n {
            let column = (0..<m).map { samples[$0 * n + i] }
            mean[i] = column.reduce(0, +) / Double(m)
            variance[i] = column.reduce(0) { $0 + ($1 - mean[i]) * ($1 - mean[i]) } / Double(m - 1)
        }
        return (mean, variance, estimates, bonuses)
    }

    /// Trains `policy` on a short seeded stream.
    static func train<P: Policy>(_ policy: inout P) throws {
        var rng = SeededGenerator(seed: 17)
        for _ in 0..<30 {
            let x = (0..<d).map { _ in rng.nextStandardNormal() }
            let action = Int(rng.next() % UInt64(k))
            try policy.learn(from: Interaction(context: Context(features: x), candidates: [action], action: action,
                                               reward: x[0] * Double(action) + rng.nextStandardNormal()))
        }
    }

    /// With α = 1 the optimistic scorer's bonus is the exact posterior width √(zᵀA⁻¹z); the
    /// draws must have the posterior mean and variance v²·width² (a factor used the wrong
    /// way round, L⁻¹ instead of L⁻ᵀ, gives another variance).
    @Test(arguments: ["shared", "hybrid", "shared-forgetting"])
    func drawsHaveThePosteriorMoments(model: String) throws {
        let m = 20_000, v = 0.5
        let x = [0.7, -1.2, 0.4]
        let result: (mean: [Double], variance: [Double], estimate: [Double], width: [Double])
        if model.hasPrefix("shared") {
            // γ = 0.9 over 30 updates restores the prior floor several times.
            var policy = try Self.shared(samples: 1, alpha: 1, forgetting: model == "shared" ? 1 : 0.9)
            try Self.train(&policy)
            result = Self.moments(policy.scorer, x: x, draws: m)
        } else {
            var policy = try Self.hybrid(samples: 1, alpha: 1)
            try Self.train(&policy)
            result = Self.moments(policy.scorer, x: x, draws: m)
        }
        for a in 0..<Self.k {
            let sd = v * result.width[a]
            #expect(abs(result.mean[a] - result.estimate[a]) < 5 * sd / Double(m).squareRoot(), "\(model) action \(a)")
            // The sample variance's relative standard error is √(2/(m−1)) ≈ 1%.
            #expect(abs(result.variance[a] / (sd * sd) - 1) < 0.05, "\(model) action \(a): \(result.variance[a]) vs \(sd * sd)")
        }
    }

    @Test func sharedThompsonLearnsTheBestAction() throws {
        // Reward = 1 for the action whose second feature is largest, 0 otherwise, plus noise:
        // after training, the greedy draw picks it far more often than 1/K.
        let catalog = try Self.catalog()
        let best = (0..<Self.k).max { catalog.actions[$0].features[1] < catalog.actions[$1].features[1] }!
        var policy = try Self.shared(samples: 1)
        var rng = SeededGenerator(seed: 3)
        var hits = 0
        for t in 0..<400 {
            let x = [1.0] + (1..<Self.d).map { _ in rng.nextStandardNormal() }
            let decision = try policy.decide(for: Context(features: x), among: Array(0..<Self.k), using: &rng)
            let reward = catalog.actions[decision.action].features[1] + 0.3 * rng.nextStandardNormal()
            try policy.learn(from: Interaction(context: Context(features: x), candidates: Array(0..<Self.k),
                                               action: decision.action, reward: reward))
            if t >= 300, decision.action == best { hits += 1 }
        }
        #expect(hits >= 80, "\(hits) of 100")
    }

    // MARK: - Logistic UCB

    @Test func logisticUCBIsTheOptimisticLaplaceScore() throws {
        var ucb = try LogisticUCB(actionCount: 3, contextDimension: 2, configuration: .init(alpha: 1.5))
        var thompson = try LogisticThompsonSampling(actionCount: 3, contextDimension: 2, configuration: .init(scale: 1, samples: 1))
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<60 {
            let x = [1, rng.nextStandardNormal()]
            let a = Int(rng.next() % 3)
            let r: Double = rng.nextUniform() < 0.3 + 0.2 * Double(a) ? 1 : 0
            try x.withUnsafeBufferPointer { xs in
                try ucb.learn(features: xs, segment: nil, action: a, reward: r, weight: 1)
                try thompson.learn(features: xs, segment: nil, action: a, reward: r, weight: 1)
            }
        }
        let x = [1, 0.8]
        let optimistic = Self.moments(ucb, x: x, draws: 2)
        // logit of the Laplace draws: m + s z, so their variance is s² = xᵀH⁻¹x.
        let m = 20_000
        let draws = Self.moments(thompson, x: x, draws: 2)
        var logitVariance = [Double](repeating: 0, count: 3), logitMean = logitVariance
        do {
            let candidates = [0, 1, 2]
            var samples = [Double](repeating: 0, count: m * 3)
            var scratch = [Double](repeating: 0, count: thompson.scratchCount(candidateCount: 3))
            var g = SeededGenerator(seed: 1)
            x.withUnsafeBufferPointer { xs in
                candidates.withUnsafeBufferPointer { c in
                    samples.withUnsafeMutableBufferPointer { out in
                        scratch.withUnsafeMutableBufferPointer { s in
                            thompson.sampleScores(features: xs, segment: nil, candidates: c, sampleCount: m, using: &g, samples: out, scratch: s)
                        }
                    }
                }
            }
            for i in 0..<3 {
                let logits = (0..<m).map { j in log(samples[j * 3 + i] / (1 - samples[j * 3 + i])) }
                logitMean[i] = logits.reduce(0, +) / Double(m)
                logitVariance[i] = logits.reduce(0) { $0 + ($1 - logitMean[i]) * ($1 - logitMean[i]) } / Double(m - 1)
            }
        }
        for i in 0..<3 {
            // Same Laplace posterior: the same plug-in probability...
            #expect(abs(optimistic.estimate[i] - draws.estimate[i]) < 1e-12)
            // ...and the optimistic score is σ(m + α s).
            let linear = log(draws.estimate[i] / (1 - draws.estimate[i]))
            let expected = 1 / (1 + exp(-(linear + 1.5 * logitVariance[i].squareRoot())))
            #expect(abs(optimistic.estimate[i] + optimistic.width[i] - expected) < 0.01, "action \(i)")
            #expect(optimistic.width[i] > 0)
        }
    }

    @Test func logisticUCBConformsAndLearns() throws {
        let make = { () throws -> ContextualBandit<LogisticUCB, OptimisticArgmax> in
            try ContextualBandit(catalog: .numbered(3), scorer: LogisticUCB(actionCount: 3, contextDimension: 2, configuration: .init(alpha: 1)),
                                 explorer: OptimisticArgmax())
        }
        #expect(PolicyConformance.check(makePolicy: make) == [])
        // Click rates 0.2, 0.5, 0.8 (context-free through an intercept): most late picks are action 2.
        var policy = try make()
        var rng = SeededGenerator(seed: 6)
        var hits = 0
        for t in 0..<600 {
            let context = Context(features: [1, 0])
            let decision = try policy.decide(for: context, among: [0, 1, 2], using: &rng)
            let reward: Double = rng.nextUniform() < 0.2 + 0.3 * Double(decision.action) ? 1 : 0
            try policy.learn(from: Interaction(context: context, candidates: [0, 1, 2], action: decision.action, reward: reward))
            if t >= 400, decision.action == 2 { hits += 1 }
        }
        #expect(hits >= 150, "\(hits) of 200")
        #expect(throws: BanditsError.self) {
            var p = try make()
            try p.learn(from: Interaction(context: Context(features: [1, 0]), candidates: [0], action: 0, reward: 2))
        }
    }
}
