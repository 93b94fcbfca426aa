import Bandits

/// A batch of decision steps for a policy-gradient update, stored column-wise in flat arrays.
///
/// Each step holds the context, the candidates (as a 0/1 mask over the catalog), the chosen
/// catalog action, the probability the *behaviour* policy gave it (the policy that acted, or
/// the logging policy), and the return that followed it. Returns come from
/// ``EpisodeRecorder`` (discounted sums over a customer's journey) or, for one-step
/// problems, are the immediate rewards (``append(_:)`` from a logged `Interaction`).
public struct TrajectoryBatch: Sendable, Equatable {
    /// The context dimension `d`.
    public let dimension: Int
    /// The catalog size `K`.
    public let actionCount: Int
    /// Contexts, row-major `count × d`.
    public private(set) var features: [Double] = []
    /// Candidate masks, row-major `count × K` (1 for a candidate, 0 otherwise).
    public private(set) var candidateMask: [Double] = []
    /// Chosen catalog actions.
    public private(set) var actions: [Int] = []
    /// The behaviour policy's probability of each chosen action, in (0, 1].
    public private(set) var behaviourProbabilities: [Double] = []
    /// The return following each step.
    public internal(set) var returns: [Double] = []

    /// The number of steps.
    public var count: Int { actions.count }

    /// An empty batch for contexts of dimension `dimension` and `actionCount` actions.
    /// - Throws: `PolicyGradientError.invalidParameter` for a dimension or count below 1.
    public init(dimension: Int, actionCount: Int) throws(PolicyGradientError) {
        guard dimension >= 1 else { throw .invalidParameter(field: "dimension", value: "\(dimension)", expected: "at least 1") }
        guard actionCount >= 1 else { throw .invalidParameter(field: "action_count", value: "\(actionCount)", expected: "at least 1") }
        self.dimension = dimension
        self.actionCount = actionCount
    }

    /// Appends one step.
    /// - Throws: `PolicyGradientError.dimensionMismatch` for a context of the wrong length,
    ///   `.nonFinite` for a non-finite feature or return, `.invalidParameter` for an empty or
    ///   out-of-range candidate list, an action that is not a candidate, or a behaviour
    ///   probability outside (0, 1].
    /// - Complexity: amortised O(d + K).
    public mutating func append(features x: [Double], candidates: [Int], action: Int, behaviourProbability: Double, return g: Double) throws(PolicyGradientError) {
        guard x.count == dimension else { throw .dimensionMismatch(field: "features", expected: dimension, actual: x.count) }
        if let j = x.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(field: "features[\(j)]") }
        guard !candidates.isEmpty, candidates.allSatisfy({ $0 >= 0 && $0 < actionCount }) else {
            throw .invalidParameter(field: "candidates", value: "\(candidates)", expected: "a non-empty list of indices in 0..<\(actionCount)")
        }
        guard candidates.contains(action) else {
            throw .invalidParameter(field: "action", value: "\(action)", expected: "one of the candidates \(candidates)")
        }
        guard behaviourProbability > 0, behaviourProbability <= 1 else {
            throw .invalidParameter(field: "behaviour_probability", value: "\(behaviourProbability)", expected: "a probability in (0, 1]")
        }
        guard g.isFinite else { throw .nonFinite(field: "return") }
        features.append(contentsOf: x)
        let base = candidateMask.count
        candidateMask.append(contentsOf: repeatElement(0, count: actionCount))
        for c in candidates { candidateMask[base + c] = 1 }
        actions.append(action)
        behaviourProbabilities.append(behaviourProbability)
        returns.append(g)
    }

    /// Appends a logged one-step interaction: its reward is the return, its propensity the
    /// behaviour probability (empty candidates mean the whole catalog).
    /// - Throws: as ``append(features:candidates:action:behaviourProbability:return:)``.
    public mutating func append(_ interaction: Interaction) throws(PolicyGradientError) {
        let candidates = interaction.candidates.isEmpty ? Array(0..<actionCount) : interaction.candidates
        try append(features: interaction.context.features, candidates: candidates, action: interaction.action,
                   behaviourProbability: interaction.propensity, return: interaction.reward)
    }

    /// Removes every step, keeping the storage.
    public mutating func removeAll() {
        features.removeAll(keepingCapacity: true)
        candidateMask.removeAll(keepingCapacity: true)
        actions.removeAll(keepingCapacity: true)
        behaviourProbabilities.removeAll(keepingCapacity: true)
        returns.removeAll(keepingCapacity: true)
    }
}
