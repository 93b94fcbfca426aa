/// A validated log of multi-slot decisions (slates: a ranked list, a page of offers), in
/// columnar form, for the slot-wise estimators (``IndependentItemIPS``,
/// ``StandardSlateIPS``, ``RewardInteractionIPS``).
///
/// Round `i` filled the slots `slotOffsets[i]..<slotOffsets[i+1]` (in position order, top
/// first). Slot `j` of the log holds the logging probability of the slot's item given the
/// context and the items above it, `μⱼ = μ(a_k | x, a_1…a_{k−1})` (what Attune's slate
/// decisions log; the marginal when positions are chosen independently), the target's
/// `πⱼ` for the same item in the same situation, optionally both policies' marginal
/// probabilities of the item at that position (for ``IndependentItemIPS``), and the reward
/// observed at that slot. Products of the conditional probabilities are exact slate and
/// prefix probabilities, so ``StandardSlateIPS`` and ``RewardInteractionIPS`` need no
/// independence between positions.
///
/// One JSON line per slate (fields of a line not listed are ignored):
/// ```
/// {"event_id": "e1", "segment": "2", "slots": [
///   {"action": 3, "propensity": 0.5, "reward": 1, "target_propensity": 0.8},
///   {"action": "sku-7", "propensity": 0.25, "reward": 0,
///    "probabilities": [0.25, 0.75], "target_probabilities": [0.6, 0.4]}]}
/// ```
/// Per slot: `action` (index or id, required), `propensity` in (0, 1], `reward` (finite; a
/// slate with a slot lacking it is not joined yet and is skipped), and the target through
/// either `target_propensity` in [0, 1] or `target_probabilities` (a PMF over the slot's
/// candidates, `action` then being an index into it). `probabilities`, when given, must be a
/// PMF whose entry at `action` equals `propensity`. Optional together:
/// `marginal_propensity` in (0, 1] and `target_marginal_propensity` in [0, 1], the two
/// policies' probabilities of putting this item at this position whatever is above it.
public struct SlateLog: Sendable, Equatable {
    /// Where the log came from, for messages.
    public internal(set) var source: String
    /// Start of each round's slots; `count + 1` entries.
    public internal(set) var slotOffsets: [Int]
    /// Logging probability of each slot's item given the context and the items above it, in (0, 1].
    public internal(set) var propensities: [Double]
    /// The target's probability of each slot's item given the context and the items above it.
    public internal(set) var targetPropensities: [Double]
    /// Marginal logging probability of each slot's item at its position, in (0, 1] (the
    /// conditional one when the log did not give it).
    public internal(set) var marginalPropensities: [Double]
    /// The target's marginal probability of each slot's item at its position (the conditional
    /// one when the log did not give it).
    public internal(set) var targetMarginalPropensities: [Double]
    /// The reward observed at each slot.
    public internal(set) var rewards: [Double]
    /// Segment label per round (`nil` when not logged).
    public internal(set) var segments: [String?]
    /// Source line of each round (1-based).
    public internal(set) var lineNumbers: [Int]
    /// Lines skipped because a slot's reward was missing.
    public internal(set) var unjoinedCount: Int

    /// The number of rounds (slates).
    public var count: Int { lineNumbers.count }

    /// The slots of round `i`, as indices into the per-slot arrays.
    @inlinable
    public func slots(_ i: Int) -> Range<Int> { slotOffsets[i]..<slotOffsets[i + 1] }

    /// An empty log named `source`.
    init(source: String) {
        self.source = source
        slotOffsets = [0]
        propensities = []; targetPropensities = []; marginalPropensities = []; targetMarginalPropensities = []; rewards = []
        segments = []; lineNumbers = []; unjoinedCount = 0
    }

    /// The slot-level conditional importance weights `wⱼ = πⱼ / μⱼ`.
    /// - Complexity: O(total slots).
    public var slotWeights: [Double] {
        var w = [Double](repeating: 0, count: propensities.count)
        for j in w.indices { w[j] = targetPropensities[j] / propensities[j] }
        return w
    }

    /// The mean total reward per slate actually observed (the logging policy's value).
    /// - Complexity: O(total slots).
    public var observedValue: Double {
        count > 0 ? rewards.reduce(0, +) / Double(count) : .nan
    }
}
