import AttuneCore
import Foundation

/// A contextual bandit policy: a ``Scorer`` that learns reward estimates and an ``Explorer``
/// that turns them into the distribution the decision is drawn from.
///
/// For a deterministic scorer the distribution is the explorer's over the scorer's
/// estimates and bonuses. For a posterior sampler (Thompson sampling) with `M` posterior
/// draws per decision it is the average of the explorer's distribution over each draw:
///
/// ```
/// p = (1/M) Σₘ explorer(s⁽ᵐ⁾),   s⁽ᵐ⁾ ~ posterior(scores | context)
/// ```
///
/// With the ``Greedy`` explorer this is the Monte-Carlo estimate of Thompson sampling's
/// probability of choosing each action, and the action is drawn from it, so the logged
/// propensity is exactly the probability used. The posterior draws come from a generator
/// seeded by `(seed, modelVersion)`, so ``distribution(for:among:into:)`` (what the evaluator
/// calls) and ``decide(for:among:using:into:)`` give the same distribution for the same model
/// state; the caller's generator only picks the action. With a single draw (`M = 1`) the
/// distribution is one-hot on that draw's argmax: exact, but useless as a logging propensity
/// for off-policy evaluation; use a few dozen draws when logs will be evaluated.
///
/// Deciding and learning allocate nothing in the steady state: the bandit keeps its work
/// buffers, and `decision.candidates` shares the caller's array.
///
/// ```
/// var policy = try ContextualBandit(catalog: .numbered(10),
///                                   scorer: LinUCB(actionCount: 10, contextDimension: 20, configuration: .init(alpha: 1)),
///                                   explorer: OptimisticArgmax())
/// var decision = Decision()
/// try policy.decide(for: context, among: candidates, using: &rng, into: &decision)
/// try policy.learn(from: Interaction(context: context, decision: decision, reward: 1))
/// ```
///
/// ## References
/// Li, Chu, Langford & Schapire (2010); Vowpal Wabbit's `cb_explore_adf` reduction stack.
public struct ContextualBandit<S: Scorer, E: Explorer>: Policy {
    /// The actions this policy chooses from.
    public let catalog: ActionCatalog
    /// The learned model.
    public internal(set) var scorer: S
    /// The exploration strategy.
    public let explorer: E
    /// Seed of the posterior draws (mixed with the model version at every decision).
    public let seed: UInt64
    /// Identifies the configuration (kind, hyper-parameters, explorer, catalog, and the
    /// policy file when built from one) in snapshots: 16 hex digits.
    public let fingerprint: String
    /// Increases by one with every interaction learned.
    public internal(set) var modelVersion: Int

    /// The context dimension the scorer reads.
    public var contextDimension: Int { scorer.contextDimension }

    /// `"<scorer kind>+<explorer kind>"`, e.g. `"linucb+optimistic_argmax"`.
    public static var kind: String { "\(S.kind)+\(E.kind)" }

    private var work = Workspace()

    /// Creates a policy.
    /// - Parameters:
    ///   - catalog: The actions; the scorer must model exactly `catalog.count` actions.
    ///   - scorer: The learner, usually untrained.
    ///   - explorer: The exploration strategy.
    ///   - seed: Seed of the posterior draws for sampling scorers.
    ///   - salt: Extra identity mixed into the fingerprint (the policy file's fingerprint
    ///     when built from a specification), so a snapshot of another file is refused.
    /// - Throws: `BanditsError.dimensionMismatch` when the scorer and catalog sizes differ,
    ///   `BanditsError.invalidParameter` from the explorer's validation.
    public init(catalog: ActionCatalog, scorer: S, explorer: E, seed: UInt64 = 0, salt: String = "") throws(BanditsError) {
        guard scorer.actionCount == catalog.count else {
            throw .dimensionMismatch(field: "scorer.actionCount", expected: catalog.count, actual: scorer.actionCount)
        }
        try explorer.validate()
        self.catalog = catalog
        self.scorer = scorer
        self.explorer = explorer
        self.seed = seed
        self.modelVersion = 0
        self.fingerprint = try Self.makeFingerprint(catalog: catalog, scorer: scorer, explorer: explorer, seed: seed, salt: salt)
    }

    // MARK: - Policy

    /// Writes the distribution over `candidates` into `probabilities`, without sampling.
    /// - Throws: `BanditsError` for a wrong dimension, non-finite feature, bad segment,
    ///   or an empty or out-of-range candidate list.
    /// - Complexity: that of the scorer plus O(M n) for M posterior draws; allocates its
    ///   work buffers (use ``decide(for:among:using:into:)`` in hot loops).
    public func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try validate(context: context, candidates: candidates)
        var local = Workspace()
        Self.fillDistribution(scorer: scorer, explorer: explorer, sampleSeed: sampleSeed, context: context,
                              candidates: candidates, work: &local, into: &probabilities)
    }

    /// Chooses one of `candidates`: computes the distribution and draws from it with `generator`.
    /// - Throws: as ``distribution(for:among:into:)``; nothing is changed on error.
    /// - Complexity: that of the scorer plus O(M n); no allocation in the steady state.
    public mutating func decide(
        for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision
    ) throws(BanditsError) {
        try validate(context: context, candidates: candidates)
        Self.fillDistribution(scorer: scorer, explorer: explorer, sampleSeed: sampleSeed, context: context,
                              candidates: candidates, work: &work, into: &decision.probabilities)
        let position = ActionDistribution.sample(decision.probabilities, using: &generator)
        decision.position = position
        decision.action = candidates[position]
        decision.candidates = candidates
        decision.modelVersion = modelVersion
    }

    /// Updates the scorer with one interaction (weight 1).
    /// - Throws: `BanditsError` for a wrong dimension, non-finite features or reward, an
    ///   action outside the catalog, a bad segment, or a reward the model does not accept;
    ///   nothing is changed on error.
    /// - Complexity: that of the scorer's update; no allocation in the steady state.
    public mutating func learn(from interaction: Interaction) throws(BanditsError) {
        try learn(from: interaction, weight: 1)
    }

    /// Updates the scorer with one interaction counted `weight` times (e.g. an importance
    /// weight when learning from another policy's log).
    /// - Throws: as ``learn(from:)``, and `BanditsError.invalidParameter` for a negative or
    ///   non-finite weight.
    public mutating func learn(from interaction: Interaction, weight: Double) throws(BanditsError) {
        let action = interaction.action
        guard action >= 0, action < catalog.count else {
            throw .actionIndexOutOfRange(field: "action", index: action, count: catalog.count)
        }
        guard interaction.reward.isFinite else { throw .nonFiniteReward(interaction.reward) }
        guard weight.isFinite, weight >= 0 else {
            throw .invalidParameter(field: "weight", value: "\(weight)", expected: "a finite number >= 0")
        }
        try interaction.context.validate(dimension: scorer.contextDimension)
        try scorer.validate(segment: interaction.context.segment)
        let segment = interaction.context.segment
        var failure: BanditsError?
        interaction.context.features.withUnsafeBufferPointer { x in
            do throws(BanditsError) {
                try scorer.learn(features: x, segment: segment, action: action, reward: interaction.reward, weight: weight)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        modelVersion += 1
    }

    /// Takes `previous`'s work buffers when it is a `ContextualBandit` of the same type.
    public mutating func adoptWorkBuffers(from previous: any Policy) {
        guard let previous = previous as? Self else { return }
        work = previous.work
    }

    // MARK: - Internals

    @inline(__always)
    private func validate(context: Context, candidates: [Int]) throws(BanditsError) {
        try validateCandidates(candidates)
        try context.validate(dimension: scorer.contextDimension)
        try scorer.validate(segment: context.segment)
    }

    /// The seed of this model version's posterior draws.
    private var sampleSeed: UInt64 {
        seed ^ (UInt64(truncatingIfNeeded: modelVersion) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Work buffers reused across decisions.
    struct Workspace: Sendable {
        var estimates: [Double] = []
        var bonuses: [Double] = []
        var row: [Double] = []
        var samples: [Double] = []
        var scratch: [Double] = []
    }

    @inline(__always)
    private static func fillDistribution(
        scorer: S, explorer: E, sampleSeed: UInt64, context: Context, candidates: [Int],
        work: inout Workspace, into probabilities: inout [Double]
    ) {
        let n = candidates.count
        resize(&work.estimates, to: n)
        resize(&work.bonuses, to: n)
        let scratchCount = scorer.scratchCount(candidateCount: n)
        if work.scratch.count < scratchCount { resize(&work.scratch, to: scratchCount) }
        let sampleCount = scorer.posteriorSampleCount
        if sampleCount == 0 {
            context.features.withUnsafeBufferPointer { x in
                candidates.withUnsafeBufferPointer { c in
                    work.estimates.withUnsafeMutableBufferPointer { e in
                        work.bonuses.withUnsafeMutableBufferPointer { b in
                            work.scratch.withUnsafeMutableBufferPointer { s in
                                scorer.scores(features: x, segment: context.segment, candidates: c,
                                              estimates: e, bonuses: b, scratch: s)
                            }
                        }
                    }
                }
            }
            explorer.distribution(estimates: work.estimates, bonuses: work.bonuses, into: &probabilities)
            return
        }
        if work.samples.count < sampleCount * n { resize(&work.samples, to: sampleCount * n) }
        var generator = SeededGenerator(seed: sampleSeed)
        context.features.withUnsafeBufferPointer { x in
            candidates.withUnsafeBufferPointer { c in
                work.samples.withUnsafeMutableBufferPointer { draws in
                    work.scratch.withUnsafeMutableBufferPointer { s in
                        scorer.sampleScores(features: x, segment: context.segment, candidates: c, sampleCount: sampleCount,
                                            using: &generator, samples: draws, scratch: s)
                    }
                }
            }
        }
        resize(&probabilities, to: n)
        for i in 0..<n { probabilities[i] = 0; work.bonuses[i] = 0 }
        let share = 1 / Double(sampleCount)
        for m in 0..<sampleCount {
            for i in 0..<n { work.estimates[i] = work.samples[m * n + i] }
            explorer.distribution(estimates: work.estimates, bonuses: work.bonuses, into: &work.row)
            for i in 0..<n { probabilities[i] += share * work.row[i] }
        }
    }
}
