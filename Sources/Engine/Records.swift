/// A decision as the event store keeps it: what was offered, what was chosen and with what
/// probability, so that the log can be evaluated off-policy later.
///
/// A value type whose fields other than `sequence` and `timestamp` live in one shared,
/// copy-on-write box: the journal copies every record several times per commit (into the
/// batch, the reply, the reward joiner), and a copy then costs one reference count instead of
/// seven (retains were 9% of the journal thread's samples).
public struct DecisionRecord: Sendable, Equatable, Codable {
    /// Position in the store's single journal order (decisions and rewards share it); 0 before appending.
    public var sequence: Int64
    /// Seconds since 1970-01-01 UTC at which the decision was committed.
    public var timestamp: Double
    private var storage: Storage

    /// The fields a copy shares. Mutated only through `uniqueStorage()`, that is only when this
    /// record holds the sole reference, so sharing it across threads is safe.
    private final class Storage: @unchecked Sendable {
        var eventID: String
        var policyID: String
        var customerID: String?
        var segment: Int?
        var context: [Double]
        var candidates: [Int]
        var candidateIDs: [String]
        var position: Int
        var probabilities: [Double]
        var modelVersion: Int

        init(eventID: String, policyID: String, customerID: String?, segment: Int?, context: [Double], candidates: [Int],
             candidateIDs: [String], position: Int, probabilities: [Double], modelVersion: Int) {
            self.eventID = eventID
            self.policyID = policyID
            self.customerID = customerID
            self.segment = segment
            self.context = context
            self.candidates = candidates
            self.candidateIDs = candidateIDs
            self.position = position
            self.probabilities = probabilities
            self.modelVersion = modelVersion
        }

        func copy() -> Storage {
            Storage(eventID: eventID, policyID: policyID, customerID: customerID, segment: segment, context: context,
                    candidates: candidates, candidateIDs: candidateIDs, position: position,
                    probabilities: probabilities, modelVersion: modelVersion)
        }
    }

    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The caller's or the engine's event id; unique across the log.
    public var eventID: String {
        get { storage.eventID }
        set { uniqueStorage().eventID = newValue }
    }
    /// Id of the policy that decided.
    public var policyID: String {
        get { storage.policyID }
        set { uniqueStorage().policyID = newValue }
    }
    /// Customer id when the caller sent one.
    public var customerID: String? {
        get { storage.customerID }
        set { uniqueStorage().customerID = newValue }
    }
    /// Segment of the context when known.
    public var segment: Int? {
        get { storage.segment }
        set { uniqueStorage().segment = newValue }
    }
    /// The context vector the policy saw (after the feature schema's scaling).
    public var context: [Double] {
        get { storage.context }
        set { uniqueStorage().context = newValue }
    }
    /// Catalog indices of the candidate actions, in the order of `probabilities`.
    public var candidates: [Int] {
        get { storage.candidates }
        set { uniqueStorage().candidates = newValue }
    }
    /// Ids of the candidate actions, parallel to `candidates`.
    public var candidateIDs: [String] {
        get { storage.candidateIDs }
        set { uniqueStorage().candidateIDs = newValue }
    }
    /// Position of the chosen action in `candidates`.
    public var position: Int {
        get { storage.position }
        set { uniqueStorage().position = newValue }
    }
    /// The policy's distribution over the candidates (sums to 1).
    public var probabilities: [Double] {
        get { storage.probabilities }
        set { uniqueStorage().probabilities = newValue }
    }
    /// Model version of the policy that decided.
    public var modelVersion: Int {
        get { storage.modelVersion }
        set { uniqueStorage().modelVersion = newValue }
    }

    /// Creates a record.
    public init(sequence: Int64 = 0, eventID: String, policyID: String, timestamp: Double, customerID: String? = nil,
                segment: Int? = nil, context: [Double], candidates: [Int], candidateIDs: [String], position: Int,
                probabilities: [Double], modelVersion: Int) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.storage = Storage(eventID: eventID, policyID: policyID, customerID: customerID, segment: segment,
                               context: context, candidates: candidates, candidateIDs: candidateIDs, position: position,
                               probabilities: probabilities, modelVersion: modelVersion)
    }

    /// Catalog index of the chosen action.
    public var action: Int { candidates[position] }
    /// Id of the chosen action.
    public var actionID: String { candidateIDs[position] }
    /// Probability of the chosen action under the policy that decided.
    public var propensity: Double { probabilities[position] }

    public static func == (a: DecisionRecord, b: DecisionRecord) -> Bool {
        guard a.sequence == b.sequence, a.timestamp == b.timestamp else { return false }
        if a.storage === b.storage { return true }
        return a.eventID == b.eventID && a.policyID == b.policyID && a.customerID == b.customerID
            && a.segment == b.segment && a.context == b.context && a.candidates == b.candidates
            && a.candidateIDs == b.candidateIDs && a.position == b.position && a.probabilities == b.probabilities
            && a.modelVersion == b.modelVersion
    }

    // The keys and their order are those of the earlier stored-property struct, whose
    // synthesized coding checkpoints hold.
    private enum CodingKeys: String, CodingKey {
        case sequence, eventID, policyID, timestamp, customerID, segment, context, candidates, candidateIDs, position,
             probabilities, modelVersion
    }

    /// Decodes the fields by name; `customerID` and `segment` may be absent.
    /// - Throws: `DecodingError` for a missing or mistyped field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sequence: try c.decode(Int64.self, forKey: .sequence), eventID: try c.decode(String.self, forKey: .eventID),
                  policyID: try c.decode(String.self, forKey: .policyID), timestamp: try c.decode(Double.self, forKey: .timestamp),
                  customerID: try c.decodeIfPresent(String.self, forKey: .customerID),
                  segment: try c.decodeIfPresent(Int.self, forKey: .segment),
                  context: try c.decode([Double].self, forKey: .context), candidates: try c.decode([Int].self, forKey: .candidates),
                  candidateIDs: try c.decode([String].self, forKey: .candidateIDs), position: try c.decode(Int.self, forKey: .position),
                  probabilities: try c.decode([Double].self, forKey: .probabilities),
                  modelVersion: try c.decode(Int.self, forKey: .modelVersion))
    }

    /// Encodes the fields by name, leaving out a nil `customerID` or `segment`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(eventID, forKey: .eventID)
        try c.encode(policyID, forKey: .policyID)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encodeIfPresent(customerID, forKey: .customerID)
        try c.encodeIfPresent(segment, forKey: .segment)
        try c.encode(context, forKey: .context)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(candidateIDs, forKey: .candidateIDs)
        try c.encode(position, forKey: .position)
        try c.encode(probabilities, forKey: .probabilities)
        try c.encode(modelVersion, forKey: .modelVersion)
    }
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
