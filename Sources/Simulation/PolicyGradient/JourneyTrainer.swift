import AttuneCore
import Bandits
import PolicyGradient

/// Trains a softmax policy-gradient policy on simulated customer journeys: one training
/// population per seed, each run for ``horizon`` rounds with the current policy, its steps
/// grouped by customer into episodes, then one learner update on that batch (on-policy PPO or
/// REINFORCE, as configured).
///
/// A step's return is its customer's reward from that visit to the end of the run,
/// discounted per week of simulated time:
///
/// ```
/// G_t = r_t + γ^(τ_{t+1} − τ_t) G_{t+1}        (τ in weeks, same customer)
/// ```
/// Worlds without customers (``SimulationEnvironment/currentCustomer`` is `nil`) give one-step
/// episodes, `G_t = r_t`. Populations are drawn exactly as the runner draws them (the same
/// child streams of the seed), so training seeds must differ from the evaluation seeds for
/// the evaluation to be out of sample; ``SimulationStudy`` checks that.
///
/// ## References
/// Schulman et al., "Proximal Policy Optimization Algorithms", arXiv:1707.06347 (2017).
public struct JourneyTrainer<Environment: SimulationEnvironment>: SoftmaxPolicyTrainer {
    /// What one training population did.
    public struct Iteration: Sendable {
        /// The population's seed.
        public var seed: UInt64
        /// Decisions recorded (steps of the batch).
        public var steps: Int
        /// Mean reward per round of the population under the policy before the update.
        public var meanReward: Double
        /// The learner's report of the update.
        public var report: PolicyGradientLearner.Report
    }

    /// The world, copied fresh for every population.
    public var environment: Environment
    /// Rounds per training population.
    public var horizon: Int
    /// One population (and one update) per seed, in order.
    public var seeds: [UInt64]
    /// The learner's hyper-parameters.
    public var configuration: PolicyGradientLearner.Configuration
    /// The discount per week of simulated time, in (0, 1].
    public var discountPerWeek: Double
    /// Seeds the learner's minibatch shuffling.
    public var updateSeed: UInt64
    /// Called with the number of rounds just simulated (every 8,192 rounds and at the end of a population).
    public var progress: (@Sendable (Int) -> Void)?
    /// Called after each update with its index (0-based) and what it did.
    public var onIteration: (@Sendable (Int, Iteration) -> Void)?

    /// A trainer.
    /// - Throws: `SimulationError.invalidStudy` for no seed, a horizon below 1 or a discount outside (0, 1].
    public init(environment: Environment, horizon: Int, seeds: [UInt64], configuration: PolicyGradientLearner.Configuration,
                discountPerWeek: Double, updateSeed: UInt64) throws(SimulationError) {
        guard !seeds.isEmpty else { throw .invalidStudy(field: "training.populations", problem: "no training population; give at least 1") }
        guard horizon >= 1 else { throw .invalidStudy(field: "training horizon", problem: "\(horizon) rounds; train on at least 1") }
        guard discountPerWeek > 0, discountPerWeek <= 1 else {
            throw .invalidStudy(field: "objective.discount_per_week", problem: "\(discountPerWeek) is outside (0, 1]")
        }
        self.environment = environment
        self.horizon = horizon
        self.seeds = seeds
        self.configuration = configuration
        self.discountPerWeek = discountPerWeek
        self.updateSeed = updateSeed
    }

    /// Trains `policy` on one population per seed.
    /// - Returns: One entry per population that produced steps.
    /// - Throws: `PolicyGradientError` from the learner, `BanditsError` from the policy.
    /// - Complexity: O(seeds × horizon × decision cost) plus the updates' cost.
    public mutating func train<S: DifferentiableScorer>(_ policy: inout SoftmaxPolicy<S>) throws -> [Iteration] {
        var learner = PolicyGradientLearner(configuration: configuration)
        var updateStream = SeededGenerator(seed: updateSeed)
        var recorder: EpisodeRecorder? = try EpisodeRecorder(dimension: environment.contextDimension, actionCount: environment.catalog.count,
                                                             discount: discountPerWeek)
        var iterations: [Iteration] = []
        for seed in seeds {
            let reward = try Self.journeys(&policy, environment: environment, seed: seed, horizon: horizon, recorder: &recorder,
                                           learnOnline: false, progress: progress)
            guard let batch = recorder?.finish(), batch.count > 0 else { continue }
            let report = try learner.update(&policy, on: batch, using: &updateStream)
            let iteration = Iteration(seed: seed, steps: batch.count, meanReward: reward / Double(horizon), report: report)
            onIteration?(iterations.count, iteration)
            iterations.append(iteration)
        }
        return iterations
    }

    /// Runs `policy` for `horizon` rounds on the population of `seed`, with the runner's
    /// stream layout (`child(0)` population, `child(1)` contexts, `child(2)` responses,
    /// `child(3)` the policy), recording every decision as a step of its customer's episode
    /// (times in weeks) when `recorder` is given and, with `learnOnline`, feeding each
    /// immediate reward back to the policy.
    /// - Returns: The total reward.
    /// - Throws: `BanditsError` from the policy, `PolicyGradientError` from the recorder.
    /// - Complexity: O(horizon × decision cost); no allocation per round without a recorder.
    public static func journeys<P: Policy>(_ policy: inout P, environment: Environment, seed: UInt64, horizon: Int,
                                           recorder: inout EpisodeRecorder?, learnOnline: Bool,
                                           progress: (@Sendable (Int) -> Void)? = nil) throws -> Double {
        var env = environment
        let master = SeededGenerator(seed: seed)
        var populationStream = master.child(0), contextStream = master.child(1)
        var responseStream = master.child(2), policyStream = master.child(3)
        env.reset(using: &populationStream)
        var context = Context(features: Array(repeating: 0, count: env.contextDimension))
        var candidates: [Int] = []
        var decision = Decision()
        var total = 0.0
        let start = env.timestamp(ofRound: 0)
        for round in 0..<horizon {
            if round & 8191 == 8191 { progress?(8192) }
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &contextStream), !candidates.isEmpty else { continue }
            let customer = env.currentCustomer ?? round
            let weeks = (env.timestamp(ofRound: round) - start) / 604_800
            for slot in 0..<env.slotCount where !candidates.isEmpty {
                try policy.decide(for: context, among: candidates, using: &policyStream, into: &decision)
                let outcome = env.respond(to: decision.action, slot: slot, using: &responseStream)
                total += outcome.reward
                if recorder != nil {
                    try recorder?.record(episode: customer, time: weeks, features: context.features, candidates: candidates,
                                         action: decision.action, behaviourProbability: decision.propensity, reward: outcome.reward)
                }
                if learnOnline { try policy.learn(from: Interaction(context: context, decision: decision, reward: outcome.reward)) }
                if env.slotCount > 1 { candidates.remove(at: decision.position) }
            }
            _ = env.endRound(using: &responseStream)
        }
        progress?(horizon & 8191)
        return total
    }
}
