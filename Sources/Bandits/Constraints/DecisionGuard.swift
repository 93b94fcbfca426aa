/// Enforces a policy's business constraints at decision time: per-customer frequency caps,
/// campaign budgets with pacing, and price guardrails.
///
/// A plain value with no I/O: the engine asks it for the eligible candidates before the
/// policy decides (``eligibleCandidates(_:customer:at:)``), then records the exposure
/// (``recordExposure(of:customer:at:)``) and, when the reward window closes, the outcome
/// (``recordOutcome(of:converted:)``). Ineligible actions are removed from the candidate
/// list, so their probability is exactly 0 in the logged distribution.
///
/// Budgets are never exceeded: an exposure *reserves* its action's cost (as if it will
/// convert) until its outcome is known, and an action is eligible only if
/// ```
/// spent + reserved + cost ≤ allowance(t)
/// allowance(t) = amount                                  (no pacing)
/// allowance(t) = amount · min(1, (t − start)/flight + 1%) (pacing: even spend, 1% ahead)
/// ```
/// Frequency caps count exposures of each capped action to one customer in the sliding
/// window `(t − period, t]`. Price guardrails drop prices outside `[min_price, max_price]`
/// and, within `period_seconds` of the last price shown to the customer, prices more than
/// `max_change` away from it.
///
/// Times are seconds on any monotone clock (epoch seconds in the engine); a budget without
/// `start_seconds` starts at the first exposure time seen. The guard is `Codable`, so its
/// spend, reservations and exposure history survive a checkpoint and a restart.
///
/// Memory is bounded by the customers seen within the retention period (the longest cap
/// period, or the guardrail's `period_seconds` if longer): a customer whose every exposure is
/// older than that is forgotten, a few at a time as exposures are recorded, so that no call
/// pays for a sweep of all customers. ``trackedCustomers`` counts who is held.
public struct DecisionGuard: Sendable, Codable, Equatable {
    struct Cap: Sendable, Codable, Equatable {
        var actions: Set<Int>?
        var maxExposures: Int
        var periodSeconds: Double
    }
    struct Budget: Sendable, Codable, Equatable {
        var campaign: String
        var actions: Set<Int>
        var amount: Double
        var start: Double?
        var flightSeconds: Double
        var pacing: Bool
        var spent: Double = 0
        var reserved: Double = 0
    }

    private let catalog: ActionCatalog
    private var caps: [Cap]
    private var budgets: [Budget]
    private let guardrails: PriceGuardrailSpecification?
    /// Exposure times per customer and capped action (pruned to the longest cap period).
    private var exposures: [String: [Int: [Double]]] = [:]
    /// Last price shown per customer, with its time (kept only under a `max_change` guardrail).
    private var lastPrice: [String: PriceShown] = [:]
    /// Customers in the order their exposures were recorded, with the exposure's time: the
    /// candidates for forgetting, visited once their time is past the retention period.
    /// Rebuilt from the history when decoded.
    private var expiry: [Touch] = []
    /// Entries of `expiry` already visited.
    private var expiryHead = 0

    struct Touch: Sendable {
        var customer: String
        var time: Double
    }

    struct PriceShown: Sendable, Codable, Equatable {
        var price: Double
        var time: Double
    }

    /// Creates a guard for `catalog` from a policy file's constraints.
    /// - Throws: `BanditsError.unknownAction` for an action id not in the catalog,
    ///   `BanditsError.invalidParameter` for a non-positive amount, period or cap.
    public init(_ specification: ConstraintsSpecification?, catalog: ActionCatalog) throws(BanditsError) {
        self.catalog = catalog
        caps = []
        budgets = []
        guardrails = specification?.priceGuardrails
        for (i, cap) in (specification?.frequencyCaps ?? []).enumerated() {
            guard cap.maxExposures >= 1, cap.periodSeconds.isFinite, cap.periodSeconds > 0 else {
                throw .invalidParameter(field: "constraints.frequency_caps[\(i)]", value: "\(cap.maxExposures) per \(cap.periodSeconds) s",
                                        expected: "max_exposures >= 1 and period_seconds > 0")
            }
            let actions = try cap.actions.map { ids throws(BanditsError) in try Self.indices(ids, in: catalog) }
            caps.append(Cap(actions: actions, maxExposures: cap.maxExposures, periodSeconds: cap.periodSeconds))
        }
        for (i, budget) in (specification?.budgets ?? []).enumerated() {
            guard budget.amount.isFinite, budget.amount > 0, budget.flightSeconds.isFinite, budget.flightSeconds > 0 else {
                throw .invalidParameter(field: "constraints.budgets[\(i)]", value: "\(budget.amount) over \(budget.flightSeconds) s",
                                        expected: "amount > 0 and flight_seconds > 0")
            }
            budgets.append(Budget(campaign: budget.campaign, actions: try Self.indices(budget.actions, in: catalog),
                                  amount: budget.amount, start: budget.startSeconds, flightSeconds: budget.flightSeconds,
                                  pacing: budget.pacing ?? true))
        }
    }

    // MARK: - Queries

    /// The candidates that respect every constraint for `customer` at time `time`, in order.
    /// - Throws: `BanditsError.noEligibleAction` when none is left.
    /// - Complexity: O(n · (caps + budgets)) plus the customer's recent exposures.
    public func eligibleCandidates(_ candidates: [Int], customer: String, at time: Double) throws(BanditsError) -> [Int] {
        // Without constraints only the range check applies: the list is returned as it is,
        // with no copy, on every decision of an unconstrained policy.
        if caps.isEmpty, budgets.isEmpty, guardrails == nil, candidates.allSatisfy({ $0 >= 0 && $0 < catalog.count }) {
            guard !candidates.isEmpty else { throw .noEligibleAction }
            return candidates
        }
        let result = candidates.filter { isEligible($0, customer: customer, at: time) }
        guard !result.isEmpty else { throw .noEligibleAction }
        return result
    }

    /// Whether `action` respects every constraint for `customer` at `time`.
    public func isEligible(_ action: Int, customer: String, at time: Double) -> Bool {
        guard action >= 0, action < catalog.count else { return false }
        let history = exposures[customer]?[action] ?? []
        for cap in caps where cap.actions?.contains(action) ?? true {
            let recent = history.reduce(0) { $0 + ($1 > time - cap.periodSeconds && $1 <= time ? 1 : 0) }
            if recent >= cap.maxExposures { return false }
        }
        let cost = catalog.actions[action].cost
        for budget in budgets where budget.actions.contains(action) {
            if budget.spent + budget.reserved + cost > allowance(of: budget, at: time) { return false }
        }
        if let g = guardrails, let price = catalog.actions[action].price {
            if let low = g.minPrice, price < low { return false }
            if let high = g.maxPrice, price > high { return false }
            if let change = g.maxChange, let period = g.periodSeconds, let last = lastPrice[customer],
               time - last.time < period, abs(price - last.price) > change {
                return false
            }
        }
        return true
    }

    /// Customers whose exposures or last price the guard holds now.
    public var trackedCustomers: Int { Set(exposures.keys).union(lastPrice.keys).count }

    /// Seconds an exposure matters for: the longest cap period, or the guardrail's price
    /// period if longer; 0 when the guard keeps no per-customer history.
    public var retentionSeconds: Double {
        max(caps.map(\.periodSeconds).max() ?? 0, priceChangePeriod ?? 0)
    }

    /// The period of the `max_change` guardrail, `nil` without one.
    private var priceChangePeriod: Double? {
        guard let g = guardrails, g.maxChange != nil else { return nil }
        return g.periodSeconds
    }

    /// Spend plus reservations of each campaign, by name.
    public var committedSpend: [String: Double] {
        Dictionary(budgets.map { ($0.campaign, $0.spent + $0.reserved) }, uniquingKeysWith: +)
    }

    /// The converted spend of each campaign, by name.
    public var spend: [String: Double] {
        Dictionary(budgets.map { ($0.campaign, $0.spent) }, uniquingKeysWith: +)
    }

    /// How much of `budget` may be committed by `time`.
    func allowance(of budget: Budget, at time: Double) -> Double {
        guard budget.pacing else { return budget.amount }
        let start = budget.start ?? time
        let elapsed = max(0, time - start) / budget.flightSeconds
        return budget.amount * min(1, elapsed + 0.01)
    }

    // MARK: - Recording

    /// Records that `action` was shown to `customer` at `time`: counts it against the caps,
    /// reserves its cost in its budgets and remembers the price shown.
    /// - Throws: `BanditsError.actionIndexOutOfRange` for an index outside the catalog.
    public mutating func recordExposure(of action: Int, customer: String, at time: Double) throws(BanditsError) {
        guard action >= 0, action < catalog.count else {
            throw .actionIndexOutOfRange(field: "action", index: action, count: catalog.count)
        }
        var tracked = false
        if caps.contains(where: { $0.actions?.contains(action) ?? true }) {
            let longest = caps.map(\.periodSeconds).max() ?? 0
            var history = exposures[customer]?[action] ?? []
            history.removeAll { $0 <= time - longest }
            history.append(time)
            exposures[customer, default: [:]][action] = history
            tracked = true
        }
        let cost = catalog.actions[action].cost
        for i in budgets.indices where budgets[i].actions.contains(action) {
            if budgets[i].start == nil { budgets[i].start = time }
            budgets[i].reserved += cost
        }
        if priceChangePeriod != nil, let price = catalog.actions[action].price {
            lastPrice[customer] = PriceShown(price: price, time: time)
            tracked = true
        }
        if tracked { expiry.append(Touch(customer: customer, time: time)) }
        forgetExpired(at: time)
    }

    /// Forgets the history that can no longer matter at `time`: visits the customers whose
    /// oldest remembered exposure is past the retention period, and drops what is.
    /// - Complexity: Amortized O(1) per recorded exposure (each entry of `expiry` is visited
    ///   once), times the visited customer's history.
    private mutating func forgetExpired(at time: Double) {
        // Nothing to visit: skip the retention period's computation (an array of cap periods).
        guard expiryHead < expiry.count else { return }
        let horizon = time - retentionSeconds
        while expiryHead < expiry.count, expiry[expiryHead].time <= horizon {
            forget(expiry[expiryHead].customer, at: time)
            expiryHead += 1
        }
        // Reclaim the visited prefix once it is most of the array.
        if expiryHead >= 1024, expiryHead * 2 >= expiry.count {
            expiry.removeFirst(expiryHead)
            expiryHead = 0
        }
    }

    /// Drops `customer`'s exposures older than the longest cap period and a last price older
    /// than the guardrail period, and the customer when nothing is left.
    private mutating func forget(_ customer: String, at time: Double) {
        if var history = exposures[customer] {
            let longest = caps.map(\.periodSeconds).max() ?? 0
            for (action, times) in history {
                let recent = times.filter { $0 > time - longest }
                history[action] = recent.isEmpty ? nil : recent
            }
            exposures[customer] = history.isEmpty ? nil : history
        }
        if let shown = lastPrice[customer], let period = priceChangePeriod, time - shown.time >= period {
            lastPrice[customer] = nil
        }
    }

    /// Settles an exposure's reservation: its cost is spent when it converted, released
    /// otherwise.
    /// - Throws: `BanditsError.actionIndexOutOfRange` for an index outside the catalog.
    public mutating func recordOutcome(of action: Int, converted: Bool) throws(BanditsError) {
        guard action >= 0, action < catalog.count else {
            throw .actionIndexOutOfRange(field: "action", index: action, count: catalog.count)
        }
        let cost = catalog.actions[action].cost
        for i in budgets.indices where budgets[i].actions.contains(action) {
            let settled = min(cost, budgets[i].reserved)
            budgets[i].reserved -= settled
            if converted { budgets[i].spent += settled }
        }
    }

    // MARK: - Coding and equality

    enum CodingKeys: String, CodingKey {
        case catalog, caps, budgets, guardrails, exposures, lastPrice
    }

    /// Decodes a guard written by `encode(to:)`; the forgetting order is rebuilt from the history.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        catalog = try c.decode(ActionCatalog.self, forKey: .catalog)
        caps = try c.decode([Cap].self, forKey: .caps)
        budgets = try c.decode([Budget].self, forKey: .budgets)
        guardrails = try c.decodeIfPresent(PriceGuardrailSpecification.self, forKey: .guardrails)
        exposures = try c.decode([String: [Int: [Double]]].self, forKey: .exposures)
        lastPrice = try c.decode([String: PriceShown].self, forKey: .lastPrice)
        var touches: [Touch] = []
        for (customer, history) in exposures {
            for times in history.values { touches += times.map { Touch(customer: customer, time: $0) } }
        }
        touches += lastPrice.map { Touch(customer: $0.key, time: $0.value.time) }
        expiry = touches.sorted { $0.time < $1.time }
    }

    /// Encodes the constraints, spend and history (not the forgetting order, rebuilt on decoding).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(catalog, forKey: .catalog)
        try c.encode(caps, forKey: .caps)
        try c.encode(budgets, forKey: .budgets)
        try c.encodeIfPresent(guardrails, forKey: .guardrails)
        try c.encode(exposures, forKey: .exposures)
        try c.encode(lastPrice, forKey: .lastPrice)
    }

    /// Two guards are equal when they enforce the same constraints with the same spend and history.
    public static func == (a: DecisionGuard, b: DecisionGuard) -> Bool {
        a.catalog == b.catalog && a.caps == b.caps && a.budgets == b.budgets && a.guardrails == b.guardrails
            && a.exposures == b.exposures && a.lastPrice == b.lastPrice
    }

    static func indices(_ ids: [String], in catalog: ActionCatalog) throws(BanditsError) -> Set<Int> {
        var result = Set<Int>()
        for id in ids {
            guard let i = catalog.index(of: ActionID(id)) else { throw .unknownAction(ActionID(id)) }
            result.insert(i)
        }
        return result
    }
}
