/// Which events after a decision count as its reward, what each is worth, how several are
/// combined, and how long to wait for them.
///
/// Events of a listed `type` within `window_seconds` of the decision are valued by `value`
/// and combined by `aggregation`; a decision with no such event gets `default_reward` when
/// the window closes.
public struct RewardDefinition: Sendable, Codable, Equatable {
    /// What an event is worth.
    public enum Value: String, Sendable, Codable, Equatable {
        /// 1 per event (click-through, conversion).
        case constant
        /// The event's own `value` field.
        case eventValue = "event_value"
        /// The chosen action's price (1 when it has none), per event: revenue.
        case revenue
        /// `price − cost` for price actions, `margin − cost` for others, per event.
        case margin
    }

    /// How the values of several events are combined.
    public enum Aggregation: String, Sendable, Codable, Equatable {
        /// The sum of the values.
        case sum
        /// The earliest event's value.
        case first
        /// The latest event's value.
        case last
        /// The largest value.
        case max
    }

    /// The event types that count (e.g. `purchase`, `click`).
    public var events: [String]
    /// What each counted event is worth; default `constant`.
    public var value: Value?
    /// How counted events combine; default `sum`.
    public var aggregation: Aggregation?
    /// The reward of a decision with no counted event; default 0.
    public var defaultReward: Double?
    /// How long after the decision events are joined to it, in seconds; > 0.
    public var windowSeconds: Double

    /// Creates a reward definition.
    public init(events: [String], value: Value? = nil, aggregation: Aggregation? = nil,
                defaultReward: Double? = nil, windowSeconds: Double) {
        self.events = events
        self.value = value
        self.aggregation = aggregation
        self.defaultReward = defaultReward
        self.windowSeconds = windowSeconds
    }

    enum CodingKeys: String, CodingKey {
        case events, value, aggregation
        case defaultReward = "default_reward"
        case windowSeconds = "window_seconds"
    }

    /// One event observed after a decision.
    public struct Event: Sendable, Equatable {
        /// The event type (`purchase`, `click`, …).
        public var type: String
        /// Seconds after the decision.
        public var secondsAfterDecision: Double
        /// The event's own value (e.g. an order amount); used by `event_value`.
        public var value: Double

        /// Creates an event.
        public init(type: String, secondsAfterDecision: Double, value: Double = 1) {
            self.type = type
            self.secondsAfterDecision = secondsAfterDecision
            self.value = value
        }
    }

    /// The worth of one counted event for `action`, per ``Value``.
    public func value(of event: Event, for action: Action, margin: Double? = nil) -> Double {
        switch value ?? .constant {
        case .constant: return 1
        case .eventValue: return event.value
        case .revenue: return action.price ?? 1
        case .margin:
            if let price = action.price { return price - action.cost }
            return (margin ?? 0) - action.cost
        }
    }

    /// The reward of a decision for `action` given the events that followed it.
    ///
    /// Events of other types, before the decision or after the window are ignored; with no
    /// counted event the result is `default_reward`.
    /// - Parameter margin: the action's catalog margin (for `margin` on non-price actions).
    /// - Complexity: O(n) for n events.
    public func reward(for action: Action, events observed: [Event], margin: Double? = nil) -> Double {
        let counted = observed
            .filter { events.contains($0.type) && $0.secondsAfterDecision >= 0 && $0.secondsAfterDecision <= windowSeconds }
            .sorted { $0.secondsAfterDecision < $1.secondsAfterDecision }
        guard let first = counted.first, let last = counted.last else { return defaultReward ?? 0 }
        switch aggregation ?? .sum {
        case .sum: return counted.reduce(0) { $0 + value(of: $1, for: action, margin: margin) }
        case .first: return value(of: first, for: action, margin: margin)
        case .last: return value(of: last, for: action, margin: margin)
        case .max: return counted.map { value(of: $0, for: action, margin: margin) }.max() ?? (defaultReward ?? 0)
        }
    }
}
