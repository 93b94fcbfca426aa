import AttuneCore
import Bandits

/// What a customer did in response to one decision.
public struct Outcome: Sendable, Equatable {
    /// The reward the policy is scored on (the scenario's objective).
    public var reward: Double
    /// Revenue, in the catalog's currency unit (0 when not applicable).
    public var revenue: Double
    /// Margin after the action's cost, in the catalog's currency unit.
    public var margin: Double
    /// Whether the customer converted (clicked, purchased).
    public var converted: Bool

    /// Creates an outcome.
    public init(reward: Double, revenue: Double = 0, margin: Double = 0, converted: Bool = false) {
        self.reward = reward
        self.revenue = revenue
        self.margin = margin
        self.converted = converted
    }
}

/// A simulated world that policies act in, round by round.
///
/// A round is one decision opportunity: ``beginRound(_:context:candidates:using:)`` draws the
/// context (from the *context* stream), then for each of ``slotCount`` slots the runner asks
/// the policy and calls ``respond(to:slot:using:)`` (the *reward* stream), then
/// ``endRound(using:)`` applies the round's after-effects (churn, fatigue). Each call consumes
/// a fixed number of draws whatever the action, so policies run on the same seed face the same
/// contexts and the same noise (common random numbers) as far as their own effects on the
/// world allow.
///
/// Implementations are value types that allocate nothing per round.
public protocol SimulationEnvironment: Sendable {
    /// The actions, in catalog order.
    var catalog: ActionCatalog { get }
    /// The length of every context vector.
    var contextDimension: Int { get }
    /// Decisions per round (1, or the number of content slots).
    var slotCount: Int { get }
    /// Names of the latent customer segments (empty when the world has none).
    var segmentNames: [String] { get }
    /// The latent segment of the current round's customer.
    var currentSegment: Int? { get }

    /// Prepares a fresh run; draws the population from `generator`.
    mutating func reset(using generator: inout SeededGenerator)

    /// Starts round `round` (0-based): writes the context and the eligible candidates.
    /// - Returns: `false` when no decision is possible this round (the arriving customer has
    ///   churned); such rounds earn nothing.
    mutating func beginRound(_ round: Int, context: inout Context, candidates: inout [Int], using generator: inout SeededGenerator) -> Bool

    /// The expected reward of `action` in `slot` of the current round (the ground truth).
    func expectedReward(of action: Int, slot: Int) -> Double

    /// The customer's response to `action` shown in `slot`.
    mutating func respond(to action: Int, slot: Int, using generator: inout SeededGenerator) -> Outcome

    /// Applies the round's after-effects.
    /// - Returns: whether the customer churned in this round.
    mutating func endRound(using generator: inout SeededGenerator) -> Bool

    /// Seconds since the Unix epoch at which round `round` happens.
    func timestamp(ofRound round: Int) -> Double

    /// Whether the environment produces raw touchpoint events (environments with customers
    /// do; the default is `false`).
    var emitsEvents: Bool { get }

    /// Turns recording of raw touchpoint events on or off (environments without customers
    /// record nothing).
    mutating func recordEvents(_ on: Bool)

    /// The candidate with the highest expected reward in `slot` (the first of exact ties) and
    /// that reward; `candidates` is not empty (the runner never asks about an empty list).
    /// A default implementation scans ``expectedReward(of:slot:)``.
    func bestCandidate(among candidates: [Int], slot: Int) -> (action: Int, expectedReward: Double)

    /// Hands the events recorded since the last call to `body`, oldest first, and forgets them.
    /// - Throws: what `body` throws.
    mutating func drainEvents(_ body: (TouchpointEvent) throws(SimulationError) -> Void) throws(SimulationError)

    /// The customer of the current round (an index in the population), or `nil` in a world
    /// without customers, where every round is a customer of its own. Policy-gradient
    /// training groups a customer's rounds into one journey (episode).
    var currentCustomer: Int? { get }
}

extension SimulationEnvironment {
    public var emitsEvents: Bool { false }
    public mutating func recordEvents(_ on: Bool) {}
    public mutating func drainEvents(_ body: (TouchpointEvent) throws(SimulationError) -> Void) throws(SimulationError) {}
    public var currentCustomer: Int? { nil }
}

extension SimulationEnvironment {
    /// The expected reward of a policy's distribution in the current round and slot:
    ///
    /// ```
    /// V = Σ_i p_i · E[r | x, candidates[i]]
    /// ```
    /// - Complexity: O(candidates), no allocation.
    public func expectedReward(of probabilities: [Double], among candidates: [Int], slot: Int = 0) -> Double {
        var v = 0.0
        for i in 0..<min(probabilities.count, candidates.count) where probabilities[i] > 0 {
            v += probabilities[i] * expectedReward(of: candidates[i], slot: slot)
        }
        return v
    }

    /// The candidate with the highest expected reward (the first of exact ties) and that reward.
    /// - Complexity: O(candidates), no allocation.
    public func bestCandidate(among candidates: [Int], slot: Int) -> (action: Int, expectedReward: Double) {
        guard var best = candidates.first else { return (-1, 0) }
        var bestValue = -Double.infinity
        for a in candidates {
            let v = expectedReward(of: a, slot: slot)
            if v > bestValue { bestValue = v; best = a }
        }
        return (best, bestValue)
    }
}
