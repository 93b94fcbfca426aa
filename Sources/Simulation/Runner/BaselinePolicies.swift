import AttuneCore
import Bandits
import Foundation

/// The uniform random policy: every candidate with probability 1/n. It does not learn.
///
/// Its expected reward is the mean of the candidates' expected rewards, a closed form the
/// simulator's tests check against.
public struct UniformRandomPolicy: Policy {
    public let catalog: ActionCatalog
    public let contextDimension: Int
    public private(set) var modelVersion: Int = 0

    /// Creates the policy.
    public init(catalog: ActionCatalog, contextDimension: Int) {
        self.catalog = catalog
        self.contextDimension = contextDimension
    }

    public func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try context.validate(dimension: contextDimension)
        try validateCandidates(candidates)
        let p = 1 / Double(candidates.count)
        probabilities.removeAll(keepingCapacity: true)
        for _ in 0..<candidates.count { probabilities.append(p) }
    }

    public mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision) throws(BanditsError) {
        try distribution(for: context, among: candidates, into: &decision.probabilities)
        fill(&decision, candidates: candidates, position: ActionDistribution.sample(decision.probabilities, using: &generator), version: modelVersion)
    }

    public mutating func learn(from interaction: Interaction) throws(BanditsError) {
        guard interaction.reward.isFinite else { throw .nonFiniteReward(interaction.reward) }
        modelVersion += 1
    }

    public func snapshot() throws(BanditsError) -> PolicySnapshot {
        PolicySnapshot(kind: "uniform_random", fingerprint: "k\(catalog.count)-d\(contextDimension)", modelVersion: modelVersion, payload: Data())
    }

    public mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        try snapshot.validate(kind: "uniform_random", fingerprint: "k\(catalog.count)-d\(contextDimension)")
        modelVersion = snapshot.modelVersion
    }
}

/// Always the same action (when it is a candidate; otherwise uniform over the candidates).
/// It does not learn.
public struct FixedActionPolicy: Policy {
    public let catalog: ActionCatalog
    public let contextDimension: Int
    public private(set) var modelVersion: Int = 0
    /// Catalog index of the action always chosen.
    public let action: Int

    /// Creates the policy.
    /// - Throws: `BanditsError.actionIndexOutOfRange` when `action` is not a catalog index.
    public init(catalog: ActionCatalog, contextDimension: Int, action: Int) throws(BanditsError) {
        guard action >= 0, action < catalog.count else {
            throw .actionIndexOutOfRange(field: "action", index: action, count: catalog.count)
        }
        self.catalog = catalog
        self.contextDimension = contextDimension
        self.action = action
    }

    public func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try context.validate(dimension: contextDimension)
        try validateCandidates(candidates)
        probabilities.removeAll(keepingCapacity: true)
        let present = candidates.contains(action)
        let fallback = 1 / Double(candidates.count)
        for a in candidates { probabilities.append(present ? (a == action ? 1 : 0) : fallback) }
    }

    public mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision) throws(BanditsError) {
        try distribution(for: context, among: candidates, into: &decision.probabilities)
        fill(&decision, candidates: candidates, position: ActionDistribution.sample(decision.probabilities, using: &generator), version: modelVersion)
    }

    public mutating func learn(from interaction: Interaction) throws(BanditsError) {
        guard interaction.reward.isFinite else { throw .nonFiniteReward(interaction.reward) }
        modelVersion += 1
    }

    public func snapshot() throws(BanditsError) -> PolicySnapshot {
        PolicySnapshot(kind: "fixed_action", fingerprint: "a\(action)-k\(catalog.count)-d\(contextDimension)", modelVersion: modelVersion, payload: Data())
    }

    public mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        try snapshot.validate(kind: "fixed_action", fingerprint: "a\(action)-k\(catalog.count)-d\(contextDimension)")
        modelVersion = snapshot.modelVersion
    }
}

/// Writes the chosen position, its action and the candidates into `decision` without
/// reallocating its arrays once their capacity suffices.
@inline(__always)
func fill(_ decision: inout Decision, candidates: [Int], position: Int, version: Int) {
    decision.candidates.removeAll(keepingCapacity: true)
    decision.candidates.append(contentsOf: candidates)
    decision.position = position
    decision.action = candidates[position]
    decision.modelVersion = version
}
