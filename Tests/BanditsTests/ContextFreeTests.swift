import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport

@Suite("Context-free learners")
struct ContextFreeTests {
    static func ucb1(segments: Int = 1, dimension: Int = 3) throws -> ContextualBandit<UCB1, OptimisticArgmax> {
        try ContextualBandit(catalog: .numbered(5),
                             scorer: UCB1(actionCount: 5, contextDimension: dimension, configuration: .init(alpha: 1, segmentCount: segments)),
                             explorer: OptimisticArgmax())
    }

    static func beta(segments: Int = 1, dimension: Int = 3) throws -> ContextualBandit<BetaBernoulliThompson, Greedy> {
        try ContextualBandit(catalog: .numbered(5),
                             scorer: BetaBernoulliThompson(actionCount: 5, contextDimension: dimension,
                                                           configuration: .init(samples: 16, segmentCount: segments)),
                             explorer: Greedy(), seed: 11)
    }

    static func segmented(_ rng: inout SeededGenerator, _ d: Int) -> Context {
        Context(features: (0..<d).map { _ in rng.nextStandardNormal() }, segment: Int(rng.nextUniform() * 3))
    }

    @Test func ucb1Conforms() {
        #expect(PolicyConformance.check(makePolicy: { try Self.ucb1() }).isEmpty)
        let failures = PolicyConformance.check(makePolicy: { try Self.ucb1(segments: 3) }, makeContext: Self.segmented)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func betaBernoulliConforms() {
        #expect(PolicyConformance.check(makePolicy: { try Self.beta() }).isEmpty)
        let failures = PolicyConformance.check(makePolicy: { try Self.beta(segments: 3) }, makeContext: Self.segmented)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func ucb1TriesEveryActionFirstThenFollowsTheFormula() throws {
        var policy = try Self.ucb1(dimension: 0)
        var rng = SeededGenerator(seed: 1)
        let context = Context(features: [])
        var tried = Set<Int>()
        for _ in 0..<5 {
            let decision = try policy.decide(for: context, among: Array(0..<5), using: &rng)
            #expect(!tried.contains(decision.action))
            // Untried actions share the mass evenly.
            #expect(decision.propensity == 1 / Double(5 - tried.count))
            tried.insert(decision.action)
            try policy.learn(from: Interaction(context: context, decision: decision, reward: decision.action == 2 ? 1 : 0))
        }
        // Closed form after one pull each: arm 2 has mean 1, others 0, equal bonuses.
        let p = try policy.distribution(for: context, among: Array(0..<5)).probabilities
        #expect(p == [0, 0, 1, 0, 0])
    }

    @Test func unknownSegmentIsTyped() throws {
        var policy = try Self.ucb1(segments: 3)
        var rng = SeededGenerator(seed: 1)
        #expect(throws: BanditsError.unknownSegment(3, count: 3)) {
            try policy.decide(for: Context(features: [0, 0, 0], segment: 3), among: [0], using: &rng)
        }
        #expect(throws: BanditsError.unknownSegment(nil, count: 3)) {
            try policy.decide(for: Context(features: [0, 0, 0]), among: [0], using: &rng)
        }
    }

    @Test func betaBernoulliRejectsNonBernoulliRewards() throws {
        var policy = try Self.beta()
        #expect(throws: BanditsError.self) {
            try policy.learn(from: Interaction(context: Context(features: [0, 0, 0]), candidates: [0], action: 0, reward: 2))
        }
        #expect(policy.modelVersion == 0)
    }

    /// Bernoulli arms: both learners keep their regret under a quarter of uniform play's.
    @Test(arguments: ["ucb1", "beta_bernoulli"])
    func regretBeatsTheUniformBound(learner: String) throws {
        let means = [0.2, 0.5, 0.7, 0.4, 0.1]
        let rounds = 3000
        let uniform = Double(rounds) * (0.7 - means.reduce(0, +) / Double(means.count))
        var rng = SeededGenerator(seed: 23)
        let context = Context(features: [0, 0, 0])
        func play<S: Scorer, E: Explorer>(_ policy: inout ContextualBandit<S, E>) throws -> Double {
            var regret = 0.0
            for _ in 0..<rounds {
                let decision = try policy.decide(for: context, among: Array(0..<5), using: &rng)
                regret += 0.7 - means[decision.action]
                let reward: Double = rng.nextUniform() < means[decision.action] ? 1 : 0
                try policy.learn(from: Interaction(context: context, decision: decision, reward: reward))
            }
            return regret
        }
        var regret = 0.0
        if learner == "ucb1" {
            var policy = try Self.ucb1()
            regret = try play(&policy)
        } else {
            var policy = try Self.beta()
            regret = try play(&policy)
        }
        #expect(regret < uniform / 4, "\(learner): regret \(regret), uniform \(uniform)")
    }

    @Test func discountedBetaBernoulliConformsAndTracksASwitch() throws {
        func make(_ forgetting: Double) throws -> ContextualBandit<BetaBernoulliThompson, Greedy> {
            try ContextualBandit(catalog: .numbered(3),
                                 scorer: BetaBernoulliThompson(actionCount: 3, contextDimension: 0,
                                                               configuration: .init(samples: 16, forgetting: forgetting)),
                                 explorer: Greedy(), seed: 4)
        }
        #expect(PolicyConformance.check(makePolicy: { try make(0.95) }) == [])
        func regretAfterSwitch(_ forgetting: Double) throws -> Double {
            var policy = try make(forgetting)
            var rng = SeededGenerator(seed: 8)
            let context = Context(features: [])
            var means = [0.8, 0.3, 0.2]
            var regret = 0.0
            for t in 0..<1400 {
                if t == 800 { means = [0.2, 0.3, 0.8] }
                let decision = try policy.decide(for: context, among: [0, 1, 2], using: &rng)
                if t >= 800 { regret += 0.8 - means[decision.action] }
                let reward: Double = rng.nextUniform() < means[decision.action] ? 1 : 0
                try policy.learn(from: Interaction(context: context, decision: decision, reward: reward))
            }
            return regret
        }
        let forgetful = try regretAfterSwitch(0.97)
        let steady = try regretAfterSwitch(1)
        #expect(forgetful < 0.5 * steady, "forgetting \(forgetful) vs none \(steady)")
    }
}
