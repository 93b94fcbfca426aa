import AttuneCore

/// A decision policy: given a context and candidate actions, a distribution to sample from,
/// and learning from the rewards that follow.
///
/// Every decision carries the exact distribution it was sampled from, so logs can be
/// evaluated offline. Deterministic learners (greedy, UCB) report the probability they
/// actually used: 1 for the argmax (split evenly over exact ties), or their exploration mixture.
///
/// Conformers implement the in-place requirements, which reuse the caller's buffers so that
/// a steady-state decide/learn loop allocates nothing; the returning forms come for free.
public protocol Policy: Sendable {
    /// The actions this policy chooses from; candidates are indices into it.
    var catalog: ActionCatalog { get }
    /// The context dimension this policy expects.
    var contextDimension: Int { get }
    /// Increases by one with every interaction learned.
    var modelVersion: Int { get }

    /// Writes the distribution over `candidates` into `probabilities` (resized to
    /// `candidates.count`), without sampling.
    /// - Throws: `BanditsError` for a wrong dimension, a non-finite feature, an unknown or
    ///   empty candidate list.
    func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError)

    /// Chooses one of `candidates`, writing the choice and its distribution into `decision`.
    /// The same generator state gives the same decision.
    /// - Throws: as ``distribution(for:among:into:)``.
    mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision) throws(BanditsError)

    /// Updates the model with one observed interaction.
    /// - Throws: `BanditsError` for a wrong dimension, non-finite features or reward, or an
    ///   action outside the catalog.
    mutating func learn(from interaction: Interaction) throws(BanditsError)

    /// Updates the model with one interaction counted `weight` times (an importance weight
    /// when learning from another policy's log, `1 / propensity` for IPS-weighted updates).
    /// - Throws: as ``learn(from:)``, and `BanditsError.invalidParameter` for a weight the
    ///   policy cannot apply.
    mutating func learn(from interaction: Interaction, weight: Double) throws(BanditsError)

    /// The complete model state, restorable with ``restore(from:)``.
    func snapshot() throws(BanditsError) -> PolicySnapshot

    /// Replaces the model state with `snapshot`'s.
    /// - Throws: `BanditsError.snapshotMismatch` when the snapshot was taken from a policy of
    ///   another kind or configuration, `BanditsError.corruptSnapshot` when damaged.
    mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError)

    /// Takes over `previous`'s scratch buffers when `previous` is a policy of the same type, so
    /// that a model replacing another in service (a learner publishing its update) decides
    /// without allocating them again. Only scratch space moves: the model state, its
    /// decisions and its snapshot are unchanged. The default does nothing.
    mutating func adoptWorkBuffers(from previous: any Policy)
}

extension Policy {
    public mutating func adoptWorkBuffers(from previous: any Policy) {}

    /// The distribution over `candidates`, without sampling.
    public func distribution(for context: Context, among candidates: [Int]) throws(BanditsError) -> ActionDistribution {
        var p: [Double] = []
        try distribution(for: context, among: candidates, into: &p)
        return ActionDistribution(unchecked: p)
    }

    /// Chooses one of `candidates` and returns the decision with its distribution.
    public mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator) throws(BanditsError) -> Decision {
        var decision = Decision()
        try decide(for: context, among: candidates, using: &generator, into: &decision)
        return decision
    }

    /// Policies without weighted updates accept weight 1 only.
    /// - Throws: `BanditsError.invalidParameter` for any other weight; as ``learn(from:)``.
    public mutating func learn(from interaction: Interaction, weight: Double) throws(BanditsError) {
        guard weight == 1 else {
            throw .invalidParameter(field: "weight", value: "\(weight)", expected: "1: this policy does not take weighted updates")
        }
        try learn(from: interaction)
    }

    /// Checks that every candidate is a catalog index and the list is not empty.
    /// - Throws: `BanditsError.noEligibleAction` or `BanditsError.actionIndexOutOfRange`.
    @inlinable
    public func validateCandidates(_ candidates: [Int]) throws(BanditsError) {
        guard !candidates.isEmpty else { throw .noEligibleAction }
        let count = catalog.count
        for i in 0..<candidates.count where candidates[i] < 0 || candidates[i] >= count {
            throw .actionIndexOutOfRange(field: "candidates[\(i)]", index: candidates[i], count: count)
        }
    }
}
