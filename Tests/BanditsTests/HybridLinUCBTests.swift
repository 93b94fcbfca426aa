import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport

@Suite("Hybrid LinUCB")
struct HybridLinUCBTests {
    static let k = 3, d = 2, f = 2

    static func catalog() throws -> ActionCatalog {
        try ActionCatalog([Action(id: "a", features: [1, 0.5]), Action(id: "b", features: [1, -1]), Action(id: "c", features: [0.2, 2])])
    }

    static func policy(alpha: Double = 0.6, ridge: Double = 1.5) throws -> ContextualBandit<HybridLinUCB, OptimisticArgmax> {
        let catalog = try catalog()
        return try ContextualBandit(catalog: catalog,
                                    scorer: HybridLinUCB(catalog: catalog, contextDimension: d, configuration: .init(alpha: alpha, ridge: ridge)),
                                    explorer: OptimisticArgmax())
    }

    @Test func conforms() {
        #expect(PolicyConformance.check(makePolicy: { try Self.policy() }) == [])
    }

    /// Hybrid LinUCB is ridge regression over φ_a = [x ⊗ f_a; e_a ⊗ x] with one prior λI:
    /// its estimate and bonus equal the joint model's, solved naively.
    @Test func equalsTheJointRidgeRegression() throws {
        let catalog = try Self.catalog()
        var policy = try Self.policy()
        let shared = Self.d * Self.f, p = shared + Self.k * Self.d
        func phi(_ x: [Double], _ a: Int) -> [Double] {
            var v = Array(repeating: 0.0, count: p)
            for i in 0..<Self.d { for j in 0..<Self.f { v[i * Self.f + j] = x[i] * catalog.actions[a].features[j] } }
            for i in 0..<Self.d { v[shared + a * Self.d + i] = x[i] }
            return v
        }
        var a = (0..<p).map { i in (0..<p).map { $0 == i ? 1.5 : 0.0 } }
        var b = Array(repeating: 0.0, count: p)
        var rng = SeededGenerator(seed: 6)
        for _ in 0..<30 {
            let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
            let action = Int(rng.nextUniform() * Double(Self.k))
            let reward = rng.nextStandardNormal()
            try policy.learn(from: Interaction(context: Context(features: x), candidates: [action], action: action, reward: reward))
            let v = phi(x, action)
            for i in 0..<p {
                b[i] += reward * v[i]
                for j in 0..<p { a[i][j] += v[i] * v[j] }
            }
        }
        let theta = naiveSolve(a, b)
        let x = [0.4, -1.1]
        var estimates = Array(repeating: 0.0, count: Self.k)
        var bonuses = estimates
        var scratch = Array(repeating: 0.0, count: policy.scorer.scratchCount(candidateCount: Self.k))
        let candidates = Array(0..<Self.k)
        x.withUnsafeBufferPointer { xp in
            candidates.withUnsafeBufferPointer { c in
                estimates.withUnsafeMutableBufferPointer { e in
                    bonuses.withUnsafeMutableBufferPointer { bo in
                        scratch.withUnsafeMutableBufferPointer { s in
                            policy.scorer.scores(features: xp, segment: nil, candidates: c, estimates: e, bonuses: bo, scratch: s)
                        }
                    }
                }
            }
        }
        for action in 0..<Self.k {
            let v = phi(x, action)
            let mean = zip(theta, v).reduce(0) { $0 + $1.0 * $1.1 }
            let width = zip(naiveSolve(a, v), v).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
            #expect(abs(estimates[action] - mean) < 1e-9, "estimate \(action)")
            #expect(abs(bonuses[action] - 0.6 * width) < 1e-9, "bonus \(action)")
        }
    }

    @Test func learnsABilinearRewardWithPerActionCorrections() throws {
        let catalog = try Self.catalog()
        var rng = SeededGenerator(seed: 2)
        let w = (0..<Self.d).map { _ in (0..<Self.f).map { _ in rng.nextStandardNormal() } }
        let own = (0..<Self.k).map { _ in (0..<Self.d).map { _ in 0.5 * rng.nextStandardNormal() } }
        func mean(_ x: [Double], _ a: Int) -> Double {
            (0..<Self.d).reduce(0) { s, i in
                s + x[i] * own[a][i] + (0..<Self.f).reduce(0) { $0 + x[i] * w[i][$1] * catalog.actions[a].features[$1] }
            }
        }
        var policy = try Self.policy(alpha: 0.3, ridge: 1)
        var learner = 0.0, uniform = 0.0
        for _ in 0..<300 {
            let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
            let means = (0..<Self.k).map { mean(x, $0) }
            let decision = try policy.decide(for: Context(features: x), among: Array(0..<Self.k), using: &rng)
            learner += (means.max() ?? 0) - means[decision.action]
            uniform += (means.max() ?? 0) - means.reduce(0, +) / Double(Self.k)
            try policy.learn(from: Interaction(context: Context(features: x), decision: decision,
                                               reward: means[decision.action] + 0.1 * rng.nextStandardNormal()))
        }
        #expect(learner < uniform / 5, "regret \(learner), uniform \(uniform)")
    }
}
