import AttuneCore
import Bandits

/// A learner of any type behind a concrete wrapper, so that the round loop is specialized for
/// the environment once and only the policy's own calls are dynamic.
///
/// Handing `any Policy` to the generic loop left the whole loop unspecialized (environment
/// calls through witness tables, generic metadata looked up every round); measured on the
/// linear d = 20, K = 10 scenario, the wrapper removes that cost outside the learner.
struct ExistentialPolicy: Policy {
    var base: any Policy

    var catalog: ActionCatalog { base.catalog }
    var contextDimension: Int { base.contextDimension }
    var modelVersion: Int { base.modelVersion }

    func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try base.distribution(for: context, among: candidates, into: &probabilities)
    }

    mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator,
                         into decision: inout Decision) throws(BanditsError) {
        try base.decide(for: context, among: candidates, using: &generator, into: &decision)
    }

    mutating func learn(from interaction: Interaction) throws(BanditsError) {
        try base.learn(from: interaction)
    }

    mutating func learn(from interaction: Interaction, weight: Double) throws(BanditsError) {
        try base.learn(from: interaction, weight: weight)
    }

    func snapshot() throws(BanditsError) -> PolicySnapshot {
        try base.snapshot()
    }

    mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        try base.restore(from: snapshot)
    }
}
