/// A decision as the event store keeps it: what was offered, what was chosen and with what
/// probability, so that the log can be evaluated off-policy later.
public struct DecisionRecord: Sendable, Equatable, Codable {
    /// Position in the store's single journal order (decisions and rewards share it); 0 before appending.
    public var sequence: Int64
    /// The caller's or the engine's event id; unique across the log.
    public var eventID: String
    /// Id of the policy that decided.
    public var policyID: String
    /// Seconds since 1970-01-01 UTC at which the decision was committed.
    public var timestamp: Double
    /// Customer id when the caller sent one.
    public var customerID: String?
    /// Segment of the context when known.
    public var segment: Int?
    /// The context vector the policy saw (after the feature schema's scaling).
    public var context: [Double]
    /// Catalog indices of the candidate actions, in the order of `probabilities`.
    public var candidates: [Int]
    /// Ids of the candidate actions, parallel to `candidates`.
    public var candidateIDs: [String]
    /// Position of the chosen action in `candidates`.
    public var position: Int
    /// The policy's distribution over the candidates (sums to 1).
    public var probabilities: [Double]
    /// Model version of the policy that decided.
    public var modelVersion: Int

    /// Creates a record.
    public init(sequence: Int64 = 0, eventID: String, policyID: String, timestamp: Double, customerID: String? = nil,
                segment: Int? = nil, context: [Double], candidates: [Int], candidateIDs: [String], position: Int,
                probabilities: [Double], modelVersion: Int) {
        self.sequence = sequence
        self.eventID = eventID
        self.policyID = policyID
        self.timestamp = timestamp
        self.customerID = customerID
        self.segment = segment
        self.context = context
        self.candidates = candidates
        self.candidateIDs = candidateIDs
        self.position = position
        self.probabilities = probabilities
        self.modelVersion = modelVersion
    }

    /// Catalog index of the chosen action.
    public var action: Int { candidates[position] }
    /// Id of the chosen action.
    public var actionID: String { candidateIDs[position] }
    /// Probability of the chosen action under the policy that decided.
    public var propensity: Double { probabilities[position] }
}

/// A reward reported for a logged decision.
public struct RewardRecord: Sendable, Equatable, Codable {
    /// Position in the journal order; 0 before appending.
    public var sequence: Int64
    /// The decision's event id.
    public var eventID: String
    /// Idempotency key: a reward repeated with the same key is ignored. The caller's `reward_id`,
    /// or the event id itself when the caller sends one reward per event.
    public var key: String
    /// The reward value.
    public var value: Double
    /// Seconds since 1970-01-01 UTC at which the reward was committed.
    public var timestamp: Double

    /// Creates a record.
    public init(sequence: Int64 = 0, eventID: String, key: String, value: Double, timestamp: Double) {
        self.sequence = sequence
        self.eventID = eventID
        self.key = key
        self.value = value
        self.timestamp = timestamp
    }
}

/// The final reward of a decision, written when its window closes.
public struct OutcomeRecord: Sendable, Equatable, Codable {
    /// The decision's journal sequence (0 when not known: the store finds it by event id).
    public var sequence: Int64
    /// The decision's event id.
    public var eventID: String
    /// The aggregated reward, or the policy's default when nothing joined.
    public var reward: Double
    /// Whether `reward` is the policy's default (no reward joined within the window).
    public var isDefault: Bool
    /// Seconds since 1970-01-01 UTC at which the window closed.
    public var closedAt: Double

    /// Creates a record.
    public init(sequence: Int64 = 0, eventID: String, reward: Double, isDefault: Bool, closedAt: Double) {
        self.sequence = sequence
        self.eventID = eventID
        self.reward = reward
        self.isDefault = isDefault
        self.closedAt = closedAt
    }
}

/// One entry of the journal: a decision or a reward, in commit order.
public enum JournalEntry: Sendable, Equatable {
    case decision(DecisionRecord)
    case reward(RewardRecord)

    /// The entry's journal position.
    public var sequence: Int64 {
        switch self {
        case .decision(let d): return d.sequence
        case .reward(let r): return r.sequence
        }
    }
}

/// What the store did with an appended entry.
public enum AppendOutcome: Sendable, Equatable {
    /// Written durably.
    case stored
    /// A decision with the same event id, or a reward with the same key, is already stored; nothing written.
    case duplicate
    /// A reward whose event id has no decision; nothing written.
    case unknownEvent
}

/// A decision joined with its final reward, as `attune log export` writes it.
public struct LoggedDecision: Sendable, Equatable {
    /// The decision.
    public var decision: DecisionRecord
    /// The outcome once the reward window closed; `nil` while it is open.
    public var outcome: OutcomeRecord?

    /// Creates a joined entry.
    public init(decision: DecisionRecord, outcome: OutcomeRecord?) {
        self.decision = decision
        self.outcome = outcome
    }
}
