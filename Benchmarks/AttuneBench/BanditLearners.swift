import Bandits

/// One Attune learner of the bandit suite: how to build it for an environment and what to
/// measure on it.
struct BanditLearner {
    /// A short stable key (`"linucb"`), which the peers' learners are matched against.
    var key: String
    /// Name as printed (`"linucb alpha=0.5 + greedy"`).
    var name: String
    /// A context-free baseline: listed, but never taken as Attune's best figure.
    var isBaseline: Bool
    /// Plays the environment: (environment, rounds, seed) → result; `nil` for learners measured
    /// in the large setting only.
    var run: ((BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditRunResult)?
    /// Decision latency on an environment: (environment, decisions, seed) → latencies.
    var latency: ((BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditLatency)?
    /// Decision latency in the large setting (K = 100, d = 64), when the learner has a form
    /// for it (`nil` for context-free baselines, whose cost does not depend on d).
    var largeLatency: ((BanditEnvironment, Int, UInt64) throws(BenchError) -> BanditLatency)?

    /// A learner built by `make` for each environment; every measurement gets a fresh policy.
    static func make<P: Policy>(
        key: String, _ name: String, baseline: Bool = false, large: Bool = true,
        _ make: @escaping (BanditEnvironment) throws -> P
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
            key: key, name: name, isBaseline: baseline,
            run: { environment, rounds, seed throws(BenchError) in
                var policy = try build(environment)
                return try BanditRunner.run(&policy, named: name, on: environment, rounds: rounds, seed: seed)
            },
            latency: latency,
            largeLatency: large ? latency : nil)
    }
}

extension BanditLearner {
    /// A learner with action features (ADF), measured for decision latency in the large
    /// setting only: it reads the first `contextWidth − 1` context values and a constant 1,
    /// and the catalog carries each action's features plus a constant 1.
    static func actionFeatureLatency<P: Policy>(
        key: String, _ name: String, contextWidth: Int,
        _ make: @escaping (BanditEnvironment, ActionCatalog) throws -> P
    ) -> BanditLearner {
        BanditLearner(
            key: key, name: name, isBaseline: false, run: nil, latency: nil,
            largeLatency: { environment, decisions, seed throws(BenchError) in
                let m = environment.actionFeatureDimension
                var policy: P
                do {
                    let actions = (0..<environment.actionCount).map { k in
                        Action(id: ActionID("a\(k)"),
                               features: Array(environment.actionFeatures[(k * m)..<((k + 1) * m)]) + [1])
                    }
                    policy = try make(environment, try ActionCatalog(actions))
                } catch {
                    throw .learnerFailed(learner: name, reason: "could not be built: \(error)")
                }
                return try BanditRunner.latency(&policy, named: name, on: environment, decisions: decisions,
                                                warmUp: min(decisions, 2_000), seed: seed, contextWidth: contextWidth - 1)
            })
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
            BanditLearner.make(key: "linucb", "linucb alpha=\(alpha) + optimistic argmax") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinUCB(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                       configuration: .init(alpha: alpha, ridge: 1)),
                    explorer: OptimisticArgmax(), seed: e.seed)
            },
            BanditLearner.make(key: "linear_thompson", "linear thompson scale=\(thompsonScale) samples=32 + greedy") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinearThompsonSampling(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                                       configuration: .init(scale: thompsonScale, ridge: 1, samples: 32)),
                    explorer: Greedy(), seed: e.seed)
            },
            BanditLearner.make(key: "linear_thompson_1", "linear thompson scale=\(thompsonScale) samples=1 + greedy") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinearThompsonSampling(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                                       configuration: .init(scale: thompsonScale, ridge: 1, samples: 1)),
                    explorer: Greedy(), seed: e.seed)
            },
            BanditLearner.make(key: "ridge_squarecb", "ridge + squarecb gamma=\(Int(squareCBGamma))") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinUCB(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                       configuration: .init(alpha: 0, ridge: 1)),
                    explorer: try SquareCB(gamma: squareCBGamma), seed: e.seed)
            },
            BanditLearner.make(key: "ridge_epsilon_greedy", "ridge + epsilon-greedy 0.05") { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try LinUCB(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                       configuration: .init(alpha: 0, ridge: 1)),
                    explorer: try EpsilonGreedy(epsilon: 0.05), seed: e.seed)
            },
            BanditLearner.actionFeatureLatency(
                key: "shared_linucb", "shared linucb (ADF, 8 context x 8 action features) alpha=\(alpha) + optimistic argmax",
                contextWidth: BanditBenchmarks.adfContextWidth
            ) { e, catalog in
                try ContextualBandit(
                    catalog: catalog,
                    scorer: try SharedLinUCB(catalog: catalog, contextDimension: BanditBenchmarks.adfContextWidth,
                                             configuration: .init(alpha: alpha, ridge: 1)),
                    explorer: OptimisticArgmax(), seed: e.seed)
            },
            BanditLearner.make(key: "ucb1", "ucb1 (context-free) + optimistic argmax", baseline: true, large: false) { e in
                try ContextualBandit(
                    catalog: try ActionCatalog.numbered(e.actionCount),
                    scorer: try UCB1(actionCount: e.actionCount, contextDimension: e.dimension + 1,
                                     configuration: .init(alpha: 1)),
                    explorer: OptimisticArgmax(), seed: e.seed)
            },
        ]
    }
}
