#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits

/// Simulated retail customers (see ``RetailSpecification`` for the model).
///
/// Each round one customer arrives (drawn with probability proportional to their segment's
/// visit weight, by an alias table); a churned customer's visit is lost. The context is
/// `[static features…, recency, log(1 + purchases), (fatigue of each action,) 1]` with
/// recency in units of 30 days (capped at 2) and the per-action fatigue only with
/// `observe_fatigue`: a policy's feature schema lists the static features, then
/// `recency_30d`, `log_purchases` (and `fatigue_<action id>` for each action), with
/// `"intercept": true`. Every round draws 3 values from the context stream and, per slot, 3 from
/// the response stream, plus 1 at the end of the round, whatever the actions.
///
/// - Complexity: O(K·p) per round for K actions with p attributes, no allocation (event
///   recording, when on, appends to a reused buffer).
public struct RetailEnvironment: SimulationEnvironment {
    public let catalog: ActionCatalog
    public let contextDimension: Int
    public let slotCount: Int
    public let segmentNames: [String]
    public internal(set) var currentSegment: Int?
    /// The scenario's parameters.
    public let specification: RetailSpecification

    // Constants
    let actionCount: Int
    let attributeCount: Int
    let attributes: [Double]
    let costs: [Double]
    let valuePrice: [Double]
    let isPrice: [Bool]
    let irritation: [Double]
    let availableFrom: [Double]
    let kappa: [Double]
    /// P(W ≥ price_a) for segment s and action a at `s * actionCount + a` (1 for non-price
    /// actions and under logit demand).
    let priceAcceptance: [Double]
    let secondsPerRound: Double
    let normal = ZigguratNormal()

    // Segment parameters (drift changes them during a run)
    var preferences: [Double]
    var baseUtility: [Double]
    var priceSensitivity: [Double]
    var nextChange = 0

    // Population
    var segmentOf: [Int] = []
    var staticFeatures: [Double] = []
    var offset: [Double] = []
    var aliasProbability: [Double] = []
    var aliasIndex: [Int] = []
    var active: [Bool] = []
    var lastVisitDay: [Double] = []
    var purchases: [Int] = []
    var fatigue: [Double] = []
    var fatigueDay: [Double] = []
    var budgetLeft: [Double]
    var inventoryLeft: [Int]

    // The current round
    var customer = 0
    var day = 0.0
    var channel = 0
    var conversionProbability: [Double]
    /// The current customer's fatigue for each action, decayed to the current day.
    var currentFatigue: [Double]
    var valuePerConversion: [Double]
    var shownFatigue = 0.0
    var shownIrritation = 0.0
    var bought = false
    var recording = false
    var events: [TouchpointEvent] = []

    /// Builds the environment (the population is drawn by ``reset(using:)``).
    /// - Throws: `SimulationError.invalidScenario` when the catalog is invalid.
    public init(_ specification: RetailSpecification) throws(SimulationError) {
        self.specification = specification
        let s = specification
        do {
            catalog = try ActionCatalog(s.actions.map {
                Action(id: ActionID($0.id), kind: $0.kind, features: $0.features, cost: $0.cost, price: $0.price)
            })
        } catch {
            throw .invalidScenario(path: "$.retail.actions", problem: "\(error)", fix: "fix the action list")
        }
        contextDimension = s.contextDimension
        slotCount = s.positionDiscounts.count
        segmentNames = s.segments.map(\.name)
        actionCount = s.actions.count
        attributeCount = s.actions[0].features.count
        attributes = s.actions.flatMap(\.features)
        costs = s.actions.map(\.cost)
        valuePrice = s.actions.map { $0.price ?? 0 }
        isPrice = s.actions.map { $0.kind == .price }
        irritation = s.actions.map(\.irritation)
        availableFrom = s.actions.map(\.availableFromDay)
        kappa = s.positionDiscounts
        priceAcceptance = s.segments.flatMap { segment in
            s.actions.map { action in
                guard s.demand == .willingnessToPay, action.kind == .price, let price = action.price else { return 1 }
                return RetailEnvironment.acceptance(price: price, median: segment.willingnessToPayMedian, spread: segment.willingnessToPaySpread)
            }
        }
        secondsPerRound = 86_400 / Double(s.roundsPerDay)
        preferences = s.segments.flatMap(\.preferences)
        baseUtility = s.segments.map(\.baseUtility)
        priceSensitivity = s.segments.map(\.priceSensitivity)
        budgetLeft = s.actions.map { $0.budget ?? .infinity }
        inventoryLeft = s.actions.map { $0.inventory ?? .max }
        conversionProbability = Array(repeating: 0, count: s.actions.count)
        currentFatigue = Array(repeating: 0, count: s.actions.count)
        valuePerConversion = Array(repeating: 0, count: s.actions.count)
    }

    /// The latent segment of customer `c` in the current population.
    public func latentSegment(ofCustomer c: Int) -> Int { segmentOf[c] }

    /// The customer of the current round.
    public var currentCustomer: Int? { customer }

    /// The number of customers still active.
    public var activeCustomers: Int { active.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Seconds since the Unix epoch of round `round`.
    public func timestamp(ofRound round: Int) -> Double { specification.startSeconds + Double(round) * secondsPerRound }

    public func expectedReward(of action: Int, slot: Int) -> Double {
        kappa[slot] * conversionProbability[action] * valuePerConversion[action]
    }

    /// The probability that a log-normal willingness to pay W (median `median`, log-scale
    /// standard deviation `spread`) reaches `price`:
    /// ```
    /// P(W ≥ p) = Φ((ln m − ln p) / v) = ½ · erfc((ln p − ln m) / (v·√2))
    /// ```
    public static func acceptance(price: Double, median: Double, spread: Double) -> Double {
        0.5 * erfc((log(price) - log(median)) / (spread * 2.0.squareRoot()))
    }

    /// Retail customers leave raw touchpoint events.
    public var emitsEvents: Bool { true }

    public mutating func recordEvents(_ on: Bool) {
        recording = on
        if on { events.reserveCapacity(16) }
    }

    public mutating func drainEvents(_ body: (TouchpointEvent) throws(SimulationError) -> Void) throws(SimulationError) {
        for e in events { try body(e) }
        events.removeAll(keepingCapacity: true)
    }
}
