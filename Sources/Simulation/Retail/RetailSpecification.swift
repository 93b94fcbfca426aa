import Bandits

/// The `retail` environment of a scenario: a population of customers in latent segments who
/// visit, see the policy's action (an offer, a price, content in slots), buy or not, tire of
/// repeated actions, churn, and change over time.
///
/// A customer c of segment s shown action a on day t converts with probability
/// ```
/// u = base_s + ξ_c + A·sin(2πt/P) + pref_s·f_a − λ_s·(price_a − ref)/ref − w·F_ca(t)
/// P(convert) = κ_slot · σ(u)
/// F_ca(t) = Σ_{past exposures e} exp(−(t − t_e)/τ)          (fatigue, recovers with time τ)
/// ```
/// with ξ_c ~ N(0, heterogeneity_s²) a per-customer taste offset (logit demand, the default).
/// With willingness-to-pay demand a price action converts when the customer's willingness to
/// pay W, log-normal per segment and drawn at each visit, reaches the price:
/// ```
/// u = base_s + ξ_c + A·sin(2πt/P) + pref_s·f_a − w·F_ca(t)               (no price term)
/// P(convert) = κ_slot · σ(u) · P(W ≥ price_a) = κ_slot · σ(u) · Φ((ln m_s − ln price_a) / v_s)
/// ln W ~ N(ln m_s, v_s²)     (m_s = wtp_median_s, v_s = wtp_spread_s)
/// ```
/// Non-price actions convert with κ_slot · σ(u) under both models. A purchase's basket value is
/// log-normal with mean `basket_mean_s`. After each visit the customer churns with probability
/// ```
/// h = σ(logit(churn_hazard_s) + c_F·Σ F_ca + c_I·Σ irritation_a + (bought ? c_buy : c_miss))
/// ```
/// Drift changes a segment's parameters from a given day on; actions may enter on a day, and
/// stop when their budget (Σ cost of conversions) or inventory runs out.
public struct RetailSpecification: Sendable, Equatable {
    /// What the policies are scored on.
    public enum Objective: String, Sendable, Equatable {
        /// 1 per conversion.
        case conversion
        /// Revenue of the conversion (basket value or price).
        case revenue
        /// Margin after the action's cost.
        case margin
    }

    /// How price actions turn into purchases.
    public enum Demand: String, Sendable, Equatable {
        /// The price enters the logit utility: −λ_s·(price − ref)/ref.
        case logit
        /// A log-normal willingness to pay per segment; the customer buys only when it
        /// reaches the price.
        case willingnessToPay = "willingness_to_pay"
    }

    /// One latent customer segment.
    public struct Segment: Sendable, Equatable {
        /// The segment's name (reports, drift changes).
        public var name: String
        /// Share of the population, > 0 (normalized over segments).
        public var share: Double
        /// Relative visit frequency of its customers, > 0.
        public var visitWeight: Double
        /// Mean of the observed static features (one per `features` name).
        public var profile: [Double]
        /// Standard deviation of the observed features around the profile.
        public var featureNoise: Double
        /// Baseline utility.
        public var baseUtility: Double
        /// Standard deviation of the per-customer utility offset ξ_c.
        public var heterogeneity: Double
        /// Weight of each action feature in the utility.
        public var preferences: [Double]
        /// Price sensitivity λ (utility per relative price above the reference; logit demand).
        public var priceSensitivity: Double
        /// Median willingness to pay m_s, in currency units (willingness-to-pay demand).
        public var willingnessToPayMedian: Double = 1
        /// Log-scale standard deviation v_s of the willingness to pay, > 0.
        public var willingnessToPaySpread: Double = 0.25
        /// Mean basket value of a purchase, in currency units.
        public var basketMean: Double
        /// Log-scale spread of basket values.
        public var basketSpread: Double
        /// Channel weights over `web`, `app`, `email`, `social`, `store` (normalized).
        public var channels: [Double]
        /// Baseline churn probability per visit, in [0, 1).
        public var churnHazard: Double
    }

    /// One action of the retail catalog.
    public struct RetailAction: Sendable, Equatable {
        /// The action's identifier, unique in the catalog.
        public var id: String
        /// Offer, price or content.
        public var kind: ActionKind
        /// Attributes the segments' preferences weigh (same length as every segment's `preferences`).
        public var features: [Double]
        /// Cost per conversion (discount spend), in currency units.
        public var cost: Double
        /// Price, for `price` actions.
        public var price: Double?
        /// Total spend allowed (Σ cost of conversions); unlimited when `nil`.
        public var budget: Double?
        /// Units available; unlimited when `nil`.
        public var inventory: Int?
        /// First day the action can be chosen.
        public var availableFromDay: Double
        /// Churn log-odds added when shown (an intrusive action irritates).
        public var irritation: Double
        /// Product category written in purchase events.
        public var category: String
    }

    /// A segment's parameters changing from a day on.
    public struct Change: Sendable, Equatable {
        /// The day from which the change holds.
        public var day: Double
        /// Index of the segment that changes.
        public var segment: Int
        /// New preferences, when they change.
        public var preferences: [Double]?
        /// New baseline utility, when it changes.
        public var baseUtility: Double?
        /// New price sensitivity, when it changes.
        public var priceSensitivity: Double?

        /// Creates a change.
        public init(day: Double, segment: Int, preferences: [Double]? = nil, baseUtility: Double? = nil, priceSensitivity: Double? = nil) {
            self.day = day
            self.segment = segment
            self.preferences = preferences
            self.baseUtility = baseUtility
            self.priceSensitivity = priceSensitivity
        }
    }

    /// Population size.
    public var customers: Int
    /// Customer arrivals (rounds) per simulated day.
    public var roundsPerDay: Int
    /// Seconds since the Unix epoch of round 0.
    public var startSeconds: Double
    /// What policies are scored on.
    public var objective: Objective
    /// Whether policies see the latent segment in `Context.segment`.
    public var revealSegments: Bool
    /// Whether the context carries the customer's current fatigue for each action (a
    /// "times shown recently" feature per action, as production systems keep).
    public var observeFatigue: Bool
    /// Names of the observed static features.
    public var features: [String]
    /// Gross margin fraction of a basket (offers and content).
    public var marginRate: Double
    /// How price actions turn into purchases (`logit` unless the scenario says otherwise).
    public var demand: Demand = .logit
    /// The reference price of the reference-price effect, in currency units.
    public var referencePrice: Double
    /// Unit cost of the priced product, in currency units.
    public var unitCost: Double
    /// The latent segments.
    public var segments: [Segment]
    /// The catalog.
    public var actions: [RetailAction]
    /// Fatigue weight w (utility lost per unit of fatigue).
    public var fatigueWeight: Double
    /// Fatigue recovery time τ, in days.
    public var fatigueRecoveryDays: Double
    /// Churn log-odds per unit of fatigue of the actions shown (c_F).
    public var churnFatigue: Double
    /// Churn log-odds per unit of irritation of the actions shown (c_I).
    public var churnIrritation: Double
    /// Churn log-odds added after a purchase (c_buy, usually ≤ 0).
    public var churnPurchase: Double
    /// Churn log-odds added after a visit without purchase (c_miss).
    public var churnNoPurchase: Double
    /// Seasonality amplitude A, in utility units.
    public var seasonalAmplitude: Double
    /// Seasonality period P, in days.
    public var seasonalPeriodDays: Double
    /// Segment changes, by day.
    public var changes: [Change]
    /// Examination probability κ of each slot (one slot when a single decision per visit).
    public var positionDiscounts: [Double]

    /// The channels, in the order of `Segment.channels`.
    public static let channelNames = ["web", "app", "email", "social", "store"]

    /// The observed context dimension: static features, recency, purchases, the fatigue of
    /// each action when observed, intercept.
    public var contextDimension: Int { features.count + 3 + (observeFatigue ? actions.count : 0) }
}
