import AttuneCore
import Foundation
import Bandits
import Testing
import _AttuneTestSupport

@Suite("Linear learners")
struct LinearLearnerTests {
    static let k = 4
    static let d = 5

    static func linUCB(alpha: Double = 1, forgetting: Double = 1) throws -> ContextualBandit<LinUCB, OptimisticArgmax> {
        try ContextualBandit(catalog: .numbered(k),
                             scorer: LinUCB(actionCount: k, contextDimension: d,
                                            configuration: .init(alpha: alpha, ridge: 1, forgetting: forgetting)),
                             explorer: OptimisticArgmax())
    }

    static func ridge<E: Explorer>(_ explorer: E) throws -> ContextualBandit<LinUCB, E> {
        try ContextualBandit(catalog: .numbered(k),
                             scorer: LinUCB(actionCount: k, contextDimension: d, configuration: .init(alpha: 0)),
                             explorer: explorer)
    }

    static func thompson(samples: Int = 16) throws -> ContextualBandit<LinearThompsonSampling, Greedy> {
        try ContextualBandit(catalog: .numbered(k),
                             scorer: LinearThompsonSampling(actionCount: k, contextDimension: d,
                                                            configuration: .init(scale: 0.2, samples: samples)),
                             explorer: Greedy(), seed: 3)
    }

    // MARK: - Conformance

    @Test func linUCBConforms() {
        #expect(PolicyConformance.check(makePolicy: { try Self.linUCB() }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.linUCB(forgetting: 0.9) }) == [])
    }

    @Test func explorersOverRidgeConform() {
        #expect(PolicyConformance.check(makePolicy: { try Self.ridge(EpsilonGreedy(epsilon: 0.1)) }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.ridge(Softmax(temperature: 0.5)) }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.ridge(SquareCB(gamma: 10)) }) == [])
    }

    static func bootstrap() throws -> ContextualBandit<BootstrapThompson, Greedy> {
        try ContextualBandit(catalog: .numbered(k),
                             scorer: BootstrapThompson(actionCount: k, contextDimension: d,
                                                       configuration: .init(bags: 8, samples: 16, seed: 5)),
                             explorer: Greedy(), seed: 3)
    }

    @Test func thompsonConforms() {
        #expect(PolicyConformance.check(makePolicy: { try Self.thompson() }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.bootstrap() }) == [])
    }

    // MARK: - Against closed forms

    @Test func linUCBMatchesTheNaiveRidgeSolution() throws {
        var policy = try Self.linUCB(alpha: 0.7)
        var rng = SeededGenerator(seed: 5)
        var a = (0..<Self.k).map { _ in (0..<Self.d).map { i in (0..<Self.d).map { $0 == i ? 1.0 : 0.0 } } }
        var b = Array(repeating: Array(repeating: 0.0, count: Self.d), count: Self.k)
        for _ in 0..<60 {
            let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
            let action = Int(rng.nextUniform() * Double(Self.k))
            let reward = rng.nextStandardNormal()
            try policy.learn(from: Interaction(context: Context(features: x), candidates: [action], action: action, reward: reward))
            for i in 0..<Self.d {
                b[action][i] += reward * x[i]
                for j in 0..<Self.d { a[action][i][j] += x[i] * x[j] }
            }
        }
        let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
        var estimates: [Double] = []
        var bonuses: [Double] = []
        for action in 0..<Self.k {
            let theta = naiveSolve(a[action], b[action])
            let coefficients = policy.scorer.coefficients(of: action)
            for i in 0..<Self.d { #expect(abs(coefficients[i] - theta[i]) < 1e-9) }
            let ainvx = naiveSolve(a[action], x)
            estimates.append(zip(theta, x).reduce(0) { $0 + $1.0 * $1.1 })
            bonuses.append(0.7 * zip(ainvx, x).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot())
        }
        let scores = zip(estimates, bonuses).map { $0 + $1 }
        let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
        let p = try policy.distribution(for: Context(features: x), among: Array(0..<Self.k)).probabilities
        let expected: [Double] = (0..<Self.k).map { $0 == best ? 1 : 0 }
        #expect(p == expected)
    }

    /// Large dimensions take another code path: widths from a packed single-precision copy of
    /// each inverse, accurate to about 1e-6 relative.
    @Test func largeDimensionBonusMatchesTheNaiveWidth() throws {
        let d = 44
        var policy = try ContextualBandit(catalog: .numbered(3), scorer: LinUCB(actionCount: 3, contextDimension: d, configuration: .init(alpha: 1)),
                                          explorer: Softmax(temperature: 1))
        var rng = SeededGenerator(seed: 12)
        var a = (0..<d).map { i in (0..<d).map { $0 == i ? 1.0 : 0.0 } }
        var b = Array(repeating: 0.0, count: d)
        for _ in 0..<30 {
            let x = (0..<d).map { _ in rng.nextStandardNormal() }
            let reward = rng.nextStandardNormal()
            try policy.learn(from: Interaction(context: Context(features: x), candidates: [1], action: 1, reward: reward))
            for i in 0..<d {
                b[i] += reward * x[i]
                for j in 0..<d { a[i][j] += x[i] * x[j] }
            }
        }
        let x = (0..<d).map { _ in rng.nextStandardNormal() }
        let theta = naiveSolve(a, b)
        let ucb1 = zip(theta, x).reduce(0) { $0 + $1.0 * $1.1 } + zip(naiveSolve(a, x), x).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
        let ucb0 = zip(x, x).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()  // untrained: θ = 0, A = I
        // Softmax at temperature 1 over two candidates: p₁ / p₀ = e^(ucb₁ − ucb₀).
        let p = try policy.distribution(for: Context(features: x), among: [0, 1]).probabilities
        #expect(abs(log(p[1] / p[0]) - (ucb1 - ucb0)) < 1e-5 * ucb0)
        #expect(abs(log(p[1] / p[0]) - (ucb1 - ucb0)) > 0)  // the single-precision path was taken
    }

    @Test func weightTwoEqualsLearningTwice() throws {
        var weighted = try Self.linUCB()
        var twice = try Self.linUCB()
        var rng = SeededGenerator(seed: 41)
        for _ in 0..<20 {
            let x = (0..<Self.d).map { _ in rng.nextStandardNormal() }
            let action = Int(rng.nextUniform() * Double(Self.k))
            let interaction = Interaction(context: Context(features: x), candidates: [action], action: action, reward: rng.nextStandardNormal())
            try weighted.learn(from: interaction, weight: 2)
            try twice.learn(from: interaction)
            try twice.learn(from: interaction)
        }
        for a in 0..<Self.k {
            for (u, v) in zip(weighted.scorer.coefficients(of: a), twice.scorer.coefficients(of: a)) { #expect(abs(u - v) < 1e-10) }
        }
        var any: any Policy = weighted
        #expect(throws: BanditsError.self) {
            try any.learn(from: Interaction(context: Context(features: [0, 0, 0, 0, 1]), candidates: [0], action: 0, reward: 1), weight: -1)
        }
    }

    @Test func exactTiesSplitEvenly() throws {
        var policy = try Self.linUCB()
        var rng = SeededGenerator(seed: 1)
        // Untrained: every action has the same estimate and bonus.
        let decision = try policy.decide(for: Context(features: [1, 0, 0, 0, 0]), among: [3, 1, 0], using: &rng)
        let third = 1.0 / 3
        #expect(decision.probabilities == [third, third, third])
    }

    @Test func thompsonDrawsAreReproducibleAndVary() throws {
        let x = Context(features: [1, 0.5, -0.2, 0.1, 1])
        let a = try Self.thompson(samples: 64).distribution(for: x, among: [0, 1, 2, 3]).probabilities
        let b = try Self.thompson(samples: 64).distribution(for: x, among: [0, 1, 2, 3]).probabilities
        #expect(a == b)
        // At the prior every action is exchangeable: no action gets everything.
        #expect(a.allSatisfy { $0 > 0.05 && $0 < 0.6 })
    }

    // MARK: - Learning

    @Test(arguments: ["linucb", "epsilon_greedy", "softmax", "squarecb", "linear_thompson", "bootstrap_thompson"])
    func regretBeatsTheUniformBound(learner: String) throws {
        let environment = LinearEnvironment(dimension: Self.d, actionCount: Self.k, seed: 21)
        let rounds = 400
        let uniform = environment.uniformRegret(rounds: rounds, seed: 8)
        // A learner must keep its regret under a fifth of uniform play's.
        let bound = uniform / 5
        let regret: Double
        switch learner {
        case "linucb": var p = try Self.linUCB(alpha: 0.5); regret = try environment.regret(of: &p, rounds: rounds, seed: 8)
        case "epsilon_greedy": var p = try Self.ridge(EpsilonGreedy(epsilon: 0.05)); regret = try environment.regret(of: &p, rounds: rounds, seed: 8)
        case "softmax": var p = try Self.ridge(Softmax(temperature: 0.05)); regret = try environment.regret(of: &p, rounds: rounds, seed: 8)
        case "squarecb": var p = try Self.ridge(SquareCB(gamma: 50)); regret = try environment.regret(of: &p, rounds: rounds, seed: 8)
        case "bootstrap_thompson": var p = try Self.bootstrap(); regret = try environment.regret(of: &p, rounds: rounds, seed: 8)
        default: var p = try Self.thompson(); regret = try environment.regret(of: &p, rounds: rounds, seed: 8)
        }
        #expect(regret < bound, "\(learner): regret \(regret), bound \(bound), uniform \(uniform)")
        // The bound is not trivial: uniform random play fails it.
        var random = try Self.ridge(SquareCB(gamma: 0))
        let randomRegret = try environment.regret(of: &random, rounds: rounds, seed: 8)
        #expect(randomRegret > bound)
    }

    @Test func forgettingTracksASwitchedEnvironment() throws {
        var environment = LinearEnvironment(dimension: Self.d, actionCount: Self.k, seed: 33)
        var forgetful = try Self.linUCB(alpha: 0.3, forgetting: 0.97)
        var steady = try Self.linUCB(alpha: 0.3)
        _ = try environment.regret(of: &forgetful, rounds: 600, seed: 1)
        _ = try environment.regret(of: &steady, rounds: 600, seed: 1)
        // The customers change: every action's coefficients are negated.
        environment.coefficients = environment.coefficients.map { $0.map { -$0 } }
        let forgetfulRegret = try environment.regret(of: &forgetful, rounds: 300, seed: 2)
        let steadyRegret = try environment.regret(of: &steady, rounds: 300, seed: 2)
        #expect(forgetfulRegret < 0.5 * steadyRegret, "forgetting \(forgetfulRegret) vs none \(steadyRegret)")
    }

    // MARK: - Bad parameters

    @Test(arguments: [(-1.0, 1.0, 1.0, "alpha"), (.nan, 1.0, 1.0, "alpha"), (1.0, 0.0, 1.0, "ridge"),
                      (1.0, .infinity, 1.0, "ridge"), (1.0, 1.0, 0.0, "forgetting"), (1.0, 1.0, 1.5, "forgetting")])
    func badHyperParametersAreNamed(alpha: Double, ridge: Double, forgetting: Double, field: String) {
        do {
            _ = try LinUCB.Configuration(alpha: alpha, ridge: ridge, forgetting: forgetting)
            Issue.record("accepted \(field)")
        } catch {
            guard case .invalidParameter(let named, _, _) = error else { Issue.record("\(error)"); return }
            #expect(named == field)
        }
    }
}
