#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import Foundation

/// A stochastic policy over discrete actions: a softmax of a differentiable scorer's scores,
/// restricted to the candidates.
///
/// ```
/// π(a | x, C) = exp(s_a(x)) / Σ_{b ∈ C} exp(s_b(x))        for a ∈ C, 0 otherwise
/// ∇θ log π(a | x, C) = Σ_b (1[b = a] − π(b | x, C)) ∇θ s_b(x)
/// ```
/// Every decision is sampled from, and logs, this exact distribution. The policy conforms to
/// `Bandits.Policy`, so it serves, logs and is evaluated like any bandit. Its own
/// ``learn(from:weight:)`` is a one-step (myopic) policy-gradient update against a running
/// reward baseline, importance-weighted by the logged propensity; long-horizon training goes
/// through ``PolicyGradientLearner`` on trajectories. With ``OnlineUpdate/learningRate`` 0 the
/// policy is frozen (learning only advances the model version), which is how a trained policy is served.
///
/// ## References
/// Williams, "Simple statistical gradient-following algorithms for connectionist reinforcement
/// learning", Machine Learning 8, 1992.
public struct SoftmaxPolicy<Scorer: DifferentiableScorer>: Policy {
    /// Hyper-parameters of the per-interaction update of ``learn(from:weight:)``.
    public struct OnlineUpdate: Sendable, Equatable, Codable {
        /// Adam step size; 0 freezes the policy.
        public var learningRate: Double
        /// Decay of the running reward baseline `b ← δ b + (1 − δ) r`, in [0, 1).
        public var baselineDecay: Double
        /// Upper clip of the importance weight `π(a|x) / propensity`.
        public var importanceWeightCap: Double
        /// Weight of the entropy bonus.
        public var entropyBonus: Double

        /// Validated hyper-parameters.
        /// - Throws: `PolicyGradientError.invalidParameter` naming the bad field.
        public init(learningRate: Double = 0, baselineDecay: Double = 0.99, importanceWeightCap: Double = 10, entropyBonus: Double = 0) throws(PolicyGradientError) {
            guard learningRate.isFinite, learningRate >= 0 else { throw .invalidParameter(field: "learning_rate", value: "\(learningRate)", expected: "a finite number ≥ 0") }
            guard baselineDecay >= 0, baselineDecay < 1 else { throw .invalidParameter(field: "baseline_decay", value: "\(baselineDecay)", expected: "a number in [0, 1)") }
            guard importanceWeightCap >= 1 else { throw .invalidParameter(field: "importance_weight_cap", value: "\(importanceWeightCap)", expected: "a number ≥ 1") }
            guard entropyBonus.isFinite, entropyBonus >= 0 else { throw .invalidParameter(field: "entropy_bonus", value: "\(entropyBonus)", expected: "a finite number ≥ 0") }
            self.learningRate = learningRate
            self.baselineDecay = baselineDecay
            self.importanceWeightCap = importanceWeightCap
            self.entropyBonus = entropyBonus
        }

        enum CodingKeys: String, CodingKey {
            case learningRate = "learning_rate", baselineDecay = "baseline_decay"
            case importanceWeightCap = "importance_weight_cap", entropyBonus = "entropy_bonus"
        }
    }

    /// The snapshot kind.
    public static var kind: String { "policy_gradient_softmax" }

    /// The actions; scorer output `k` is catalog action `k`.
    public let catalog: ActionCatalog
    /// The scorer; learners update its parameters.
    public var scorer: Scorer
    /// The per-interaction update.
    public let online: OnlineUpdate
    /// Identifies the configuration (catalog, scorer shape, online update, salt).
    public let fingerprint: String
    /// Increases by one with every interaction learned and every learner step.
    public internal(set) var modelVersion: Int
    /// The context dimension.
    public var contextDimension: Int { scorer.inputDimension }

    var optimizer: Adam
    var rewardBaseline: Double
    var scoreBuffer: [Double]
    var gradientBuffer: [Double]
    var scoreGradientBuffer: [Double]
    var probabilityBuffer: [Double] = []
    var workspace = ScorerWorkspace()

    /// A policy over `catalog` scored by `scorer`.
    /// - Parameter salt: Extra identity in the fingerprint (the policy file's id).
    /// - Throws: `PolicyGradientError.dimensionMismatch` when the scorer's output count is not
    ///   the catalog size.
    public init(catalog: ActionCatalog, scorer: Scorer, online: OnlineUpdate? = nil, salt: String = "") throws(PolicyGradientError) {
        guard scorer.outputCount == catalog.count else {
            throw .dimensionMismatch(field: "scorer outputs", expected: catalog.count, actual: scorer.outputCount)
        }
        let update: OnlineUpdate
        if let online { update = online } else { update = try OnlineUpdate() }
        self.catalog = catalog
        self.scorer = scorer
        self.online = update
        self.modelVersion = 0
        self.optimizer = try Adam(count: scorer.parameters.count, learningRate: update.learningRate)
        self.rewardBaseline = 0
        self.scoreBuffer = Array(repeating: 0, count: catalog.count)
        self.gradientBuffer = Array(repeating: 0, count: scorer.parameters.count)
        self.scoreGradientBuffer = Array(repeating: 0, count: catalog.count)
        let identity = "\(Self.kind)|\(String(describing: Scorer.self))|\(scorer.inputDimension)|\(scorer.parameters.count)|"
            + catalog.actions.map(\.id.rawValue).joined(separator: ",")
            + "|\(update.learningRate)|\(update.baselineDecay)|\(update.importanceWeightCap)|\(update.entropyBonus)|\(salt)"
        self.fingerprint = PolicySnapshot.fnv1a64(Data(identity.utf8))
    }

    // MARK: - Policy

    /// Writes `π(· | x, candidates)` into `probabilities`.
    /// - Throws: `BanditsError` for a wrong dimension, a non-finite feature, an unknown or
    ///   empty candidate list.
    /// - Complexity: O(d K) for a linear scorer.
    public func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try context.validate(dimension: contextDimension)
        try validateCandidates(candidates)
        var scores = Array(repeating: 0.0, count: catalog.count)
        var work = ScorerWorkspace()
        Self.score(scorer, context.features, into: &scores, workspace: &work)
        Self.softmax(scores, among: candidates, into: &probabilities)
    }

    /// Samples an action from `π(· | x, candidates)`; the decision carries the whole distribution.
    /// - Throws: as ``distribution(for:among:into:)``.
    /// - Complexity: O(d K) for a linear scorer; no allocation once `decision` has grown.
    public mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision) throws(BanditsError) {
        try context.validate(dimension: contextDimension)
        try validateCandidates(candidates)
        Self.score(scorer, context.features, into: &scoreBuffer, workspace: &workspace)
        Self.softmax(scoreBuffer, among: candidates, into: &decision.probabilities)
        let position = ActionDistribution.sample(decision.probabilities, using: &generator)
        decision.position = position
        decision.action = candidates[position]
        if decision.candidates != candidates { decision.candidates = candidates }
        decision.modelVersion = modelVersion
    }

    /// A one-step policy-gradient update from one interaction (see the type's documentation).
    /// - Throws: as ``learn(from:weight:)``.
    public mutating func learn(from interaction: Interaction) throws(BanditsError) {
        try learn(from: interaction, weight: 1)
    }

    /// A one-step update counted `weight` times:
    ///
    /// ```
    /// w = min(π(a|x) / propensity, cap)
    /// θ ← Adam(θ, weight · w · (r − b) ∇θ log π(a|x) + β ∇θ H(π(·|x)))
    /// ```
    /// - Throws: `BanditsError` for a wrong dimension, non-finite features or reward, an action
    ///   outside the catalog or the candidates, a propensity outside (0, 1], or a negative weight.
    /// - Complexity: O(d K) for a linear scorer, no allocation.
    public mutating func learn(from interaction: Interaction, weight: Double) throws(BanditsError) {
        let context = interaction.context
        try context.validate(dimension: contextDimension)
        let candidates = interaction.candidates.isEmpty ? catalog.allIndices : interaction.candidates
        try validateCandidates(candidates)
        let position = try interaction.positionForLearning(among: candidates, catalogCount: catalog.count, weight: weight)
        modelVersion += 1
        guard online.learningRate > 0, weight > 0 else { return }
        Self.score(scorer, context.features, into: &scoreBuffer, workspace: &workspace)
        Self.softmax(scoreBuffer, among: candidates, into: &probabilityBuffer)
        let w = min(probabilityBuffer[position] / interaction.propensity, online.importanceWeightCap)
        let coefficient = weight * w * (interaction.reward - rewardBaseline)
        rewardBaseline = online.baselineDecay * rewardBaseline + (1 - online.baselineDecay) * interaction.reward
        for k in 0..<scoreGradientBuffer.count { scoreGradientBuffer[k] = 0 }
        Self.accumulateScoreGradient(probabilities: probabilityBuffer, among: candidates, chosen: position,
                                     coefficient: coefficient, entropyBonus: online.entropyBonus, into: &scoreGradientBuffer)
        for i in 0..<gradientBuffer.count { gradientBuffer[i] = 0 }
        context.features.withUnsafeBufferPointer { x in
            scoreGradientBuffer.withUnsafeBufferPointer { g in
                gradientBuffer.withUnsafeMutableBufferPointer { out in
                    scorer.accumulateGradient(x, rows: 1, scoreGradient: g, into: out, workspace: &workspace)
                }
            }
        }
        optimizer.ascend(&scorer.parameters, along: gradientBuffer)
    }

    // MARK: - Pieces

    /// Scores of one context; a static function so that writing into a buffer of `self` does
    /// not copy `self` (which would copy the buffer on write).
    static func score(_ scorer: Scorer, _ features: [Double], into scores: inout [Double], workspace: inout ScorerWorkspace) {
        features.withUnsafeBufferPointer { x in
            scores.withUnsafeMutableBufferPointer { s in
                scorer.scores(x, rows: 1, into: s, workspace: &workspace)
            }
        }
    }
}
