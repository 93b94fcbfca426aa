/// The business constraints of a policy: per-customer frequency caps, campaign budgets and
/// price guardrails. Enforced at decision time by ``DecisionGuard``.
public struct ConstraintsSpecification: Sendable, Codable, Equatable {
    /// Per-customer exposure caps.
    public var frequencyCaps: [FrequencyCapSpecification]?
    /// Campaign budgets on discount spend.
    public var budgets: [BudgetSpecification]?
    /// Limits on the prices shown.
    public var priceGuardrails: PriceGuardrailSpecification?

    /// Creates a constraints specification.
    public init(frequencyCaps: [FrequencyCapSpecification]? = nil, budgets: [BudgetSpecification]? = nil,
                priceGuardrails: PriceGuardrailSpecification? = nil) {
        self.frequencyCaps = frequencyCaps
        self.budgets = budgets
        self.priceGuardrails = priceGuardrails
    }

    enum CodingKeys: String, CodingKey {
        case frequencyCaps = "frequency_caps"
        case budgets
        case priceGuardrails = "price_guardrails"
    }
}

/// At most `max_exposures` exposures of each listed action to one customer in any window of
/// `period_seconds` (a sliding window).
public struct FrequencyCapSpecification: Sendable, Codable, Equatable {
    /// The capped actions (each counted separately); every action when absent.
    public var actions: [String]?
    /// Exposures allowed per customer, action and window; ≥ 1.
    public var maxExposures: Int
    /// Window length in seconds; > 0.
    public var periodSeconds: Double

    /// Creates a frequency cap.
    public init(actions: [String]? = nil, maxExposures: Int, periodSeconds: Double) {
        self.actions = actions
        self.maxExposures = maxExposures
        self.periodSeconds = periodSeconds
    }

    enum CodingKeys: String, CodingKey {
        case actions
        case maxExposures = "max_exposures"
        case periodSeconds = "period_seconds"
    }
}

/// A campaign budget: the listed actions' costs, charged when they convert, may not exceed
/// `amount` over the flight, and (with pacing) may not run ahead of `amount × elapsed / flight`.
public struct BudgetSpecification: Sendable, Codable, Equatable {
    /// The campaign's name, for messages.
    public var campaign: String
    /// The actions charged to this budget.
    public var actions: [String]
    /// Total spend allowed, in the currency unit; > 0.
    public var amount: Double
    /// Flight start, epoch seconds; the first decision's time when absent.
    public var startSeconds: Double?
    /// Flight length in seconds; > 0.
    public var flightSeconds: Double
    /// Whether spend is paced evenly over the flight; default true.
    public var pacing: Bool?

    /// Creates a budget.
    public init(campaign: String, actions: [String], amount: Double, startSeconds: Double? = nil,
                flightSeconds: Double, pacing: Bool? = nil) {
        self.campaign = campaign
        self.actions = actions
        self.amount = amount
        self.startSeconds = startSeconds
        self.flightSeconds = flightSeconds
        self.pacing = pacing
    }

    enum CodingKeys: String, CodingKey {
        case campaign, actions, amount
        case startSeconds = "start_seconds"
        case flightSeconds = "flight_seconds"
        case pacing
    }
}

/// Limits on the price actions shown: an absolute range, and a maximum change between the
/// prices one customer sees within `period_seconds`.
public struct PriceGuardrailSpecification: Sendable, Codable, Equatable {
    /// Lowest price that may be shown.
    public var minPrice: Double?
    /// Highest price that may be shown.
    public var maxPrice: Double?
    /// Largest difference between two prices one customer sees within the period.
    public var maxChange: Double?
    /// The window of `max_change`, in seconds; > 0 (required with `max_change`).
    public var periodSeconds: Double?

    /// Creates price guardrails.
    public init(minPrice: Double? = nil, maxPrice: Double? = nil, maxChange: Double? = nil, periodSeconds: Double? = nil) {
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.maxChange = maxChange
        self.periodSeconds = periodSeconds
    }

    enum CodingKeys: String, CodingKey {
        case minPrice = "min_price"
        case maxPrice = "max_price"
        case maxChange = "max_change"
        case periodSeconds = "period_seconds"
    }
}
