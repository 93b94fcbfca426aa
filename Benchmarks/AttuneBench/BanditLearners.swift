import Bandits

/// One Attune learner of the bandit suite: how to build it for an environment and what to
/// measure on it.
struct BanditLearner {
    /// Name as printed (`"linucb alpha=0.5 + greedy"`).
    var name: String
    /// Plays the environment: (environment, rounds, seed) → result.
    var run: (BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditRunResult
    /// Decision latency on an environment: (environment, decisions, seed) → latencies.
    var latency: (BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditLatency
    /// Decision latency in the large setting (K = 100, d = 64), when the learner has a form
    /// for it (`nil` for context-free baselines, whose cost does not depend on d).
    var largeLatency: ((BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditLatency)?

    /// A learner built by `make` for each environment; every measurement gets a fresh policy.
    static func make<P: Policy>(
        _ name: String, large: Bool = true, _ make: @escaping (BanditEnvironment) throws -> P
    ) -> BanditLearner {
        func build(_ environment: BanditEnvironment) throws(BenchError) -> P {
            do {
                return try make(environment)
            } catch {
                throw .learnerFailed(learner: name, reason: "could not be built: \(error)")
            }
        }
        let latency: (BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditLatency = { environment, decisions, seed throws(BenchError) in
            var policy = try build(environment)
            return try BanditRunner.latency(&policy, named: name, on: environment, decisions: decisions,
                                            warmUp: min(decisions, 2_000), seed: seed)
        }
        return BanditLearner(
            name: name,
            run: { environment, rounds, seed throws(BenchError) in
                var policy = try build(environment)
                return try BanditRunner.run(&policy, named: name, on: environment, rounds: rounds, seed: seed)
            },
            latency: latency,
            largeLatency: large ? latency : nil)
    }
}

/// The Attune learners the bandit suite runs, each a scorer plus an explorer over the context
/// with a constant 1 appended (dimension d + 1).
enum BanditLearners {
    /// LinUCB's exploration weight, the numpy and MABWiser peers' too.
    static let alpha = 0.5
    /// Posterior scale of linear Thompson sampling (about the reward's standard deviation).
    static let thompsonScale = 0.5
    /// SquareCB's γ (fixed; VW grows its γ as 10 √t).
    static let squareCBGamma = 1_000.0

    static func all(for environment: BanditEnvironment, large: BanditEnvironment) -> [BanditLearner] {
        [
            BanditLearner.make("linucb alpha=\(alpha) + optimistic argmax") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinUCB(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                       configuration: .init(alpha: alpha, ridge: 1)),
                    explorer: OptimisticArgmax(), seed: e.seed)
            },
            BanditLearner.make("linear thompson scale=\(thompsonScale) samples=32 + greedy") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinearThompsonSampling(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                                       configuration: .init(scale: thompsonScale, ridge: 1, samples: 32)),
                    explorer: Greedy(), seed: e.seed)
            },
            BanditLearner.make("linear thompson scale=\(thompsonScale) samples=1 + greedy") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinearThompsonSampling(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                                       configuration: .init(scale: thompsonScale, ridge: 1, samples: 1)),
                    explorer: Greedy(), seed: e.seed)
            },
            BanditLearner.make("ridge + squarecb gamma=\(Int(squareCBGamma))") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinUCB(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                       configuration: .init(alpha: 0, ridge: 1)),
                    explorer: try SquareCB(gamma: squareCBGamma), seed: e.seed)
            },
            BanditLearner.make("ridge + epsilon-greedy 0.05") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinUCB(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                       configuration: .init(alpha: 0, ridge: 1)),
                    explorer: try EpsilonGreedy(epsilon: 0.05), seed: e.seed)
            },
            BanditLearner.make("ucb1 (context-free) + optimistic argmax", large: false) { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try UCB1(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                     configuration: .init(alpha: 1)),
                    explorer: OptimisticArgmax(), seed: e.seed)
            },
        ]
    }
}
