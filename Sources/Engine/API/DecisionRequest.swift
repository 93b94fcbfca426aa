/// A request for a decision (`POST /v1/decisions`), Personalizer's rank call.
///
/// ```json
/// {"policy": "offers-linucb", "event_id": "e-1", "customer_id": "c-9",
///  "context": {"recency_days": 12, "orders_90d": 4}, "actions": [{"id": "free_shipping"}, {"id": "ten_percent"}],
///  "excluded_actions": ["ten_percent"], "segment": 2}
/// ```
public struct DecisionRequest: Sendable, Equatable, Codable {
    /// The context: named features (scaled by the policy's feature schema) or a ready vector.
    public enum ContextInput: Sendable, Equatable, Codable {
        case named([String: Double])
        case vector([Double])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let vector = try? container.decode([Double].self) {
                self = .vector(vector)
            } else {
                self = .named(try container.decode([String: Double].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .named(let values): try container.encode(values)
            case .vector(let values): try container.encode(values)
            }
        }
    }

    /// A candidate action; its features come from the policy's catalog, `features` is accepted
    /// for compatibility with Personalizer clients and must match the catalog's when given.
    public struct ActionInput: Sendable, Equatable, Codable {
        /// The action's catalog id.
        public var id: String
        /// Optional features; must equal the catalog's.
        public var features: [Double]?
        /// Creates a candidate.
        public init(id: String, features: [Double]? = nil) {
            self.id = id
            self.features = features
        }
    }

    /// The policy to use; may be omitted when exactly one policy is loaded.
    public var policy: String?
    /// The caller's event id (unique); generated when absent.
    public var eventID: String?
    /// The customer, for frequency caps, price guardrails and the log (requests without one share an anonymous history).
    public var customerID: String?
    /// The context.
    public var context: ContextInput
    /// The customer's segment, for policies that learn per segment.
    public var segment: Int?
    /// Candidate actions; all eligible catalog actions when absent.
    public var actions: [ActionInput]?
    /// Actions that must not be chosen.
    public var excludedActions: [String]?
    /// Multi-slot decisions: the number of slots to fill (distinct actions); when absent, the
    /// policy's declared `slots.count` (capped at the candidates), or one decision without slots.
    public var slots: Int?

    /// Creates a request.
    public init(policy: String? = nil, eventID: String? = nil, customerID: String? = nil, context: ContextInput,
                segment: Int? = nil, actions: [ActionInput]? = nil, excludedActions: [String]? = nil, slots: Int? = nil) {
        self.slots = slots
        self.policy = policy
        self.eventID = eventID
        self.customerID = customerID
        self.context = context
        self.segment = segment
        self.actions = actions
        self.excludedActions = excludedActions
    }

    enum CodingKeys: String, CodingKey {
        case policy
        case eventID = "event_id"
        case customerID = "customer_id"
        case context, segment, actions
        case excludedActions = "excluded_actions"
        case slots
    }
}

/// The reply to a decision request.
public struct DecisionResponse: Sendable, Equatable, Codable {
    /// One candidate's probability.
    public struct Probability: Sendable, Equatable, Codable {
        /// The action id.
        public var id: String
        /// Its probability in [0, 1].
        public var probability: Double
    }

    /// The event id to send rewards for.
    public var eventID: String
    /// The policy that decided.
    public var policy: String
    /// The chosen action.
    public var actionID: String
    /// The distribution the action was drawn from, over the candidates.
    public var probabilities: [Probability]
    /// The segment used, when any.
    public var segment: Int?
    /// The model version that decided.
    public var modelVersion: Int
    /// Multi-slot decisions: every slot in order (slot 0 is also the top-level decision).
    public var slots: [Slot]? = nil

    /// One slot of a multi-slot decision, logged as its own decision.
    public struct Slot: Sendable, Equatable, Codable {
        /// The slot's event id (the request's for slot 0, `<event_id>#<slot>` after it): send the slot's reward to it.
        public var eventID: String
        /// The action shown in the slot.
        public var actionID: String
        /// Its probability given the actions of the earlier slots (the logged propensity).
        public var probability: Double
        /// The distribution over the candidates the earlier slots left.
        public var probabilities: [Probability]

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id"
            case actionID = "action_id"
            case probability, probabilities
        }
    }

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case policy
        case actionID = "action_id"
        case probabilities, segment
        case modelVersion = "model_version"
        case slots
    }
}

/// A reward for a decision (`POST /v1/rewards`), Personalizer's reward call.
public struct RewardRequest: Sendable, Equatable, Codable {
    /// The decision's event id.
    public var eventID: String
    /// The reward value (finite).
    public var reward: Double
    /// Distinguishes several rewards of one event (for `sum`, `last`, `max` aggregation); a
    /// repeated (event id, reward id) pair is ignored. One reward per event when absent.
    public var rewardID: String?

    /// Creates a request.
    public init(eventID: String, reward: Double, rewardID: String? = nil) {
        self.eventID = eventID
        self.reward = reward
        self.rewardID = rewardID
    }

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case reward
        case rewardID = "reward_id"
    }
}

/// The reply to a reward.
public struct RewardResponse: Sendable, Equatable, Codable {
    /// What happened to a reward.
    public enum Status: String, Sendable, Codable {
        /// Joined to its decision's open window.
        case joined
        /// Its window had closed: stored and counted, not learned.
        case late
        /// The same reward was already received: ignored.
        case duplicate
    }
    /// The decision's event id.
    public var eventID: String
    /// What happened.
    public var status: Status

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case status
    }
}
