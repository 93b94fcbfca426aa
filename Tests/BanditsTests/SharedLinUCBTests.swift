import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport

@Suite("Shared model with action features")
struct SharedLinUCBTests {
    static let k = 12, d = 3, f = 3

    static func catalog() throws -> ActionCatalog {
        var rng = SeededGenerator(seed: 99)
        return try ActionCatalog((0..<k).map { i in
            Action(id: ActionID("item\(i)"), kind: .content, features: [1] + (1..<f).map { _ in rng.nextStandardNormal() })
        })
    }

    static func policy(alpha: Double = 0.5) throws -> ContextualBandit<SharedLinUCB, OptimisticArgmax> {
        let catalog = try catalog()
        return try ContextualBandit(catalog: catalog,
                                    scorer: SharedLinUCB(catalog: catalog, contextDimension: d, configuration: .init(alpha: alpha)),
                                    explorer: OptimisticArgmax())
    }

    @Test func conforms() {
        let failures = PolicyConformance.check(makePolicy: { try Self.policy() })
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func matchesTheNaiveJointRidgeModel() throws {
        let catalog = try Self.catalog()
        var policy = try Self.policy(alpha: 0.8)
        var rng = SeededGenerator(seed: 4)
        let p = Self.d * Self.f
        func joint(_ x: [Double], _ a: Int) -> [Double] {
            (0..<p).map { x[$0 / Self.f] * catalog.actions[a].features[$0 % Self.f] }
        }
        var a = (0..<p).map { i in (0..<p).map { $0 == i ? 1.0 : 0.0 } }
        var b = Array(repeating: 0.0, count: p)
        for _ in 0..<40 {
            let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
            let action = Int(rng.nextUniform() * Double(Self.k))
            let reward = rng.nextStandardNormal()
            try policy.learn(from: Interaction(context: Context(features: x), candidates: [action], action: action, reward: reward))
            let z = joint(x, action)
            for i in 0..<p {
                b[i] += reward * z[i]
                for j in 0..<p { a[i][j] += z[i] * z[j] }
            }
        }
        let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
        let theta = naiveSolve(a, b)
        let ucb = (0..<Self.k).map { action -> Double in
            let z = joint(x, action)
            let mean = zip(theta, z).reduce(0) { $0 + $1.0 * $1.1 }
            let width = zip(naiveSolve(a, z), z).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
            return mean + 0.8 * width
        }
        var estimates: [Double] = [], bonuses: [Double] = []
        estimates = Array(repeating: 0, count: Self.k)
        bonuses = estimates
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
        for i in 0..<Self.k { #expect(abs(estimates[i] + bonuses[i] - ucb[i]) < 1e-9, "action \(i)") }
    }

    @Test func learnsABilinearRewardAcrossActions() throws {
        let catalog = try Self.catalog()
        var rng = SeededGenerator(seed: 8)
        let w = (0..<Self.d).map { _ in (0..<Self.f).map { _ in rng.nextStandardNormal() } }
        func mean(_ x: [Double], _ a: Int) -> Double {
            (0..<Self.d).reduce(0) { s, i in s + (0..<Self.f).reduce(0) { $0 + x[i] * w[i][$1] * catalog.actions[a].features[$1] } }
        }
        var policy = try Self.policy(alpha: 0.3)
        var learner = 0.0, uniform = 0.0
        for _ in 0..<300 {
            let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
            let means = (0..<Self.k).map { mean(x, $0) }
            let best = means.max() ?? 0
            let decision = try policy.decide(for: Context(features: x), among: Array(0..<Self.k), using: &rng)
            learner += best - means[decision.action]
            uniform += best - means.reduce(0, +) / Double(Self.k)
            try policy.learn(from: Interaction(context: Context(features: x), decision: decision,
                                               reward: means[decision.action] + 0.1 * rng.nextStandardNormal()))
        }
        #expect(learner < uniform / 5, "regret \(learner), uniform \(uniform)")
    }
}
