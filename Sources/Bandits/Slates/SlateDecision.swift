import AttuneCore
import Foundation

/// A multi-slot decision (content): one action per slot, no action twice, each slot drawn
/// from the policy's distribution over the candidates the previous slots left.
///
/// Slot `k`'s ``Decision`` holds the conditional distribution over its own candidates (the
/// slate's candidates minus the actions of slots `0..<k`), so its `propensity` is the
/// conditional probability `P(a_k | a_0 … a_{k−1})`, as Vowpal Wabbit's conditional
/// contextual bandits (CCB) log it. The slate's probability is their product.
public struct SlateDecision: Sendable, Equatable, Codable {
    /// One decision per slot, in slot order.
    public var slots: [Decision]

    /// Creates a slate decision.
    public init(slots: [Decision]) { self.slots = slots }

    /// The chosen catalog index of each slot.
    public var actions: [Int] { slots.map(\.action) }

    /// The probability of the whole slate: `Π_k P(a_k | a_0 … a_{k−1})`.
    public var propensity: Double { slots.reduce(1) { $0 * $1.propensity } }
}

extension Policy {
    /// Fills `slotCount` slots from `candidates`, without duplicates: slot `k` is decided
    /// among the candidates not yet placed, with the policy's own distribution.
    /// - Throws: `BanditsError.invalidParameter` when `slotCount` is not in
    ///   `1...candidates.count`; otherwise as ``decide(for:among:using:into:)``.
    /// - Complexity: `slotCount` decisions over at most n candidates; allocates the slate.
    public mutating func decideSlate(
        for context: Context, among candidates: [Int], slotCount: Int, using generator: inout SeededGenerator
    ) throws(BanditsError) -> SlateDecision {
        guard slotCount >= 1, slotCount <= candidates.count else {
            throw .invalidParameter(field: "slots", value: "\(slotCount)", expected: "a slot count in 1...\(candidates.count) (the candidates)")
        }
        var remaining = candidates
        var slots: [Decision] = []
        slots.reserveCapacity(slotCount)
        for _ in 0..<slotCount {
            var decision = Decision()
            try decide(for: context, among: remaining, using: &generator, into: &decision)
            slots.append(decision)
            remaining.remove(at: decision.position)
        }
        return SlateDecision(slots: slots)
    }

    /// Learns from the clicks (or other rewards) of each slot under the position-based model:
    /// a reward observed in slot `k`, examined with probability `κ_k`, is learned as
    /// `reward / κ_k`, an unbiased estimate of the action's reward had it been examined, so
    /// an item's value does not depend on the slot it happened to be shown in.
    ///
    /// ```
    /// P(click at slot k | a) = κ_k · attractiveness(a)   ⇒   E[click / κ_k] = attractiveness(a)
    /// ```
    /// - Parameters:
    ///   - slate: The slate as decided.
    ///   - context: The context it was decided in.
    ///   - rewards: One reward per slot.
    ///   - positionDiscounts: The examination probability κ_k ∈ (0, 1] of each slot (at
    ///     least one per slot), e.g. a policy file's `slots.position_discounts`.
    /// - Throws: `BanditsError.dimensionMismatch` for a wrong number of rewards or discounts,
    ///   `BanditsError.invalidParameter` for a discount outside (0, 1]; otherwise as
    ///   ``learn(from:)`` (inputs are checked before the first update, except what only the
    ///   learner checks, such as a Bernoulli learner's [0, 1] range).
    /// - Complexity: one update per slot.
    public mutating func learn(
        from slate: SlateDecision, context: Context, rewards: [Double], positionDiscounts: [Double]
    ) throws(BanditsError) {
        guard rewards.count == slate.slots.count else {
            throw .dimensionMismatch(field: "rewards", expected: slate.slots.count, actual: rewards.count)
        }
        guard positionDiscounts.count >= slate.slots.count else {
            throw .dimensionMismatch(field: "position_discounts", expected: slate.slots.count, actual: positionDiscounts.count)
        }
        for (k, kappa) in positionDiscounts.prefix(slate.slots.count).enumerated() where !(kappa > 0 && kappa <= 1) {
            throw .invalidParameter(field: "position_discounts[\(k)]", value: "\(kappa)", expected: "an examination probability in (0, 1]")
        }
        for reward in rewards where !reward.isFinite { throw .nonFiniteReward(reward) }
        for (k, slot) in slate.slots.enumerated() {
            try learn(from: Interaction(context: context, decision: slot, reward: rewards[k] / positionDiscounts[k]))
        }
    }

    /// The default examination probabilities of `count` slots: `κ_k = 1 / log₂(k + 2)` (DCG).
    public static func defaultPositionDiscounts(count: Int) -> [Double] {
        (0..<max(count, 0)).map { 1 / log2(Double($0) + 2) }
    }
}
