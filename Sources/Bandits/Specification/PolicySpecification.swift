import Foundation

/// A policy file (`policies/*.json`, format `attune.policy/1`): the action catalog, the
/// feature schema, the segmentation used, the learning algorithm and its exploration, the
/// constraints and the reward definition.
///
/// Keys are `snake_case`; decoding with ``init(decoding:source:)`` is strict, so an unknown
/// key is an error naming its JSON path instead of a silently ignored typo.
///
/// ```json
/// {
///   "format": "attune.policy/1",
///   "id": "offers-linucb",
///   "catalog": [{"id": "free_shipping", "kind": "offer", "cost": 4.5}],
///   "feature_schema": {"features": [{"name": "recency_days", "center": 30, "scale": 20}]},
///   "algorithm": {"kind": "linucb", "alpha": 1.0, "ridge": 1.0},
///   "explorer": {"kind": "epsilon_greedy", "epsilon": 0.05},
///   "reward": {"events": ["purchase"], "window_seconds": 86400}
/// }
/// ```
///
/// ``validate()`` checks ranges and consistency, ``makePolicy()`` builds the live policy and
/// ``fingerprint`` identifies the specification in snapshots.
public struct PolicySpecification: Sendable, Codable, Equatable {
    /// The only format this build reads.
    public static let currentFormat = "attune.policy/1"

    /// The format version, `"attune.policy/1"`.
    public var format: String
    /// The policy's identifier (kebab-case by convention), used in logs and the HTTP API.
    public var id: String
    /// Free text for people.
    public var description: String?
    /// How the policy runs; `online` learns from every joined reward.
    public var mode: Mode?
    /// The actions the policy chooses from.
    public var catalog: [CatalogEntry]
    /// Named context features and how they map to the dense context vector.
    public var featureSchema: FeatureSchema
    /// Where the segment id comes from and how segments share the model; `nil` for one model.
    public var segmentation: SegmentationSpecification?
    /// The learner and its hyper-parameters.
    public var algorithm: AlgorithmSpecification
    /// The exploration strategy over the learner's scores; `nil` means the algorithm's own
    /// (Thompson sampling and UCB explore by themselves, and are then greedy on their scores).
    public var explorer: ExplorerSpecification?
    /// Frequency caps, campaign budgets and price guardrails.
    public var constraints: ConstraintsSpecification?
    /// Which events count as reward and how they are combined.
    public var reward: RewardDefinition
    /// Multi-slot decisions (content): the number of slots and their examination model.
    public var slots: SlotsSpecification?

    /// How a policy runs.
    public enum Mode: String, Sendable, Codable, Equatable {
        /// Decide and learn from every joined reward as it arrives.
        case online
    }

    /// Creates a specification.
    public init(
        id: String, description: String? = nil, mode: Mode? = .online, catalog: [CatalogEntry],
        featureSchema: FeatureSchema, segmentation: SegmentationSpecification? = nil,
        algorithm: AlgorithmSpecification, explorer: ExplorerSpecification? = nil,
        constraints: ConstraintsSpecification? = nil, reward: RewardDefinition, slots: SlotsSpecification? = nil
    ) {
        self.format = PolicySpecification.currentFormat
        self.id = id
        self.description = description
        self.mode = mode
        self.catalog = catalog
        self.featureSchema = featureSchema
        self.segmentation = segmentation
        self.algorithm = algorithm
        self.explorer = explorer
        self.constraints = constraints
        self.reward = reward
        self.slots = slots
    }

    enum CodingKeys: String, CodingKey {
        case format, id, description, mode, catalog
        case featureSchema = "feature_schema"
        case segmentation, algorithm, explorer, constraints, reward, slots
    }
}

// MARK: - Catalog

/// One action as declared in a policy file.
public struct CatalogEntry: Sendable, Codable, Equatable {
    /// The action's identifier, unique in the catalog.
    public var id: String
    /// `offer`, `price` or `content`.
    public var kind: ActionKind
    /// Numeric action features (same length for every action); empty or absent when the
    /// learner keeps one model per action.
    public var features: [Double]?
    /// Cost to the retailer when the action converts (discount spend), in the catalog's
    /// currency unit; 0 when absent.
    public var cost: Double?
    /// Margin earned when the action converts, before `cost`, in the currency unit (offers
    /// and content); price actions derive their margin as `price − cost`.
    public var margin: Double?
    /// The price, for `price` actions, in the currency unit.
    public var price: Double?
    /// When the action may be offered; always when absent.
    public var eligibility: EligibilitySpecification?

    /// Creates a catalog entry.
    public init(id: String, kind: ActionKind = .offer, features: [Double]? = nil, cost: Double? = nil,
                margin: Double? = nil, price: Double? = nil, eligibility: EligibilitySpecification? = nil) {
        self.id = id
        self.kind = kind
        self.features = features
        self.cost = cost
        self.margin = margin
        self.price = price
        self.eligibility = eligibility
    }

    /// The runtime action this entry declares.
    public var action: Action {
        Action(id: ActionID(id), kind: kind, features: features ?? [], cost: cost ?? 0, price: price)
    }
}

/// When an action may be offered: to some segments only, and/or when context features are
/// within thresholds (compared on the raw, unscaled feature values).
public struct EligibilitySpecification: Sendable, Codable, Equatable {
    /// Segments the action may be offered to; every segment when absent.
    public var segments: [Int]?
    /// Feature thresholds that must all hold.
    public var rules: [FeatureRule]?

    /// Creates an eligibility specification.
    public init(segments: [Int]? = nil, rules: [FeatureRule]? = nil) {
        self.segments = segments
        self.rules = rules
    }
}

/// A threshold on a named context feature: `min ≤ value ≤ max` (either bound optional).
public struct FeatureRule: Sendable, Codable, Equatable {
    /// A feature name declared in the feature schema.
    public var feature: String
    /// Inclusive lower bound on the raw value.
    public var min: Double?
    /// Inclusive upper bound on the raw value.
    public var max: Double?

    /// Creates a rule.
    public init(feature: String, min: Double? = nil, max: Double? = nil) {
        self.feature = feature
        self.min = min
        self.max = max
    }
}

// MARK: - Segmentation, algorithm, explorer

/// Where the segment id reaches the context, how many segments there are, and how the model
/// is shared between them.
public struct SegmentationSpecification: Sendable, Codable, Equatable {
    /// The request/context field carrying the segment id (an integer in `0..<count`).
    public var field: String
    /// The number of segments of the segmentation model.
    public var count: Int
    /// How segments share the model.
    public var strategy: SegmentStrategy
    /// For `hierarchical`: the prior precision λₕ pulling each segment's coefficients toward
    /// the global ones (larger = more sharing); default 1.
    public var shrinkage: Double?

    /// Creates a segmentation reference.
    public init(field: String = "segment", count: Int, strategy: SegmentStrategy, shrinkage: Double? = nil) {
        self.field = field
        self.count = count
        self.strategy = strategy
        self.shrinkage = shrinkage
    }
}

/// The learning algorithm and its hyper-parameters (only those that apply to `kind` may be set).
public struct AlgorithmSpecification: Sendable, Codable, Equatable {
    /// The algorithm.
    public enum Kind: String, Sendable, Codable, Equatable, CaseIterable {
        /// Disjoint LinUCB (Li et al. 2010): `alpha`, `ridge`, `forgetting` or `window`.
        case linucb
        /// One shared LinUCB model over context ⊗ action features (ADF), for large catalogs whose
        /// actions carry `features`: `alpha`, `ridge`, `forgetting`.
        case sharedLinucb = "shared_linucb"
        /// Hybrid LinUCB (Li et al. 2010, Algorithm 2): the shared model of `shared_linucb`
        /// plus a disjoint model per action: `alpha`, `ridge`.
        case hybridLinucb = "hybrid_linucb"
        /// Thompson sampling over the shared model of `shared_linucb` (whole coefficient vectors
        /// drawn through its Cholesky factor): `variance`, `ridge`, `samples`, `forgetting`.
        case sharedThompson = "shared_thompson"
        /// Thompson sampling over the hybrid model of `hybrid_linucb` (shared coefficients from
        /// their marginal, per-action ones from their conditional): `variance`, `ridge`, `samples`.
        case hybridThompson = "hybrid_thompson"
        /// Disjoint linear Thompson sampling (Agrawal & Goyal 2013): `variance`, `ridge`,
        /// `forgetting` or `window`, `samples`.
        case linearThompson = "linear_thompson"
        /// Logistic Thompson sampling for Bernoulli rewards, Laplace posterior (Chapelle & Li
        /// 2011): `variance`, `ridge`, `samples`, `forgetting`.
        case logisticThompson = "logistic_thompson"
        /// Logistic UCB for Bernoulli rewards: the Laplace posterior of `logistic_thompson`
        /// scored at `σ(xᵀθ + α √(xᵀH⁻¹x))`: `alpha`, `ridge`, `forgetting`.
        case logisticUCB = "logistic_ucb"
        /// Bootstrap Thompson sampling over an ensemble of ridge models (Eckles & Kaptein
        /// 2014): `bags`, `ridge`, `samples`, `forgetting`.
        case bootstrapThompson = "bootstrap_thompson"
        /// UCB1 (Auer et al. 2002), context-free: `alpha`, `forgetting` (discounted UCB).
        case ucb1
        /// Beta–Bernoulli Thompson sampling, context-free: `prior_alpha`, `prior_beta`, `samples`.
        case betaBernoulli = "beta_bernoulli"
        /// Thompson sampling of the purchase probability at each price point, choosing by
        /// expected margin (price actions only): `prior_alpha`, `prior_beta`, `samples`.
        case priceThompson = "price_thompson"
    }
    /// The algorithm.
    public var kind: Kind
    /// Width of the confidence bonus (LinUCB, UCB1); ≥ 0, default 1.
    public var alpha: Double?
    /// Ridge regularization λ of `A = λI + Σ x xᵀ`; > 0, default 1.
    public var ridge: Double?
    /// Forgetting factor γ ∈ (0, 1] of every learner but `hybrid_linucb` and `hybrid_thompson`;
    /// default 1 (no forgetting).
    public var forgetting: Double?
    /// Sliding window W ≥ 1 of `linucb` and `linear_thompson` (any segmentation strategy):
    /// each model is the exact ridge fit on its action's last W observations; exclusive with
    /// `forgetting`. Absent = keep everything.
    public var window: Int?
    /// Posterior variance scale v² of linear Thompson sampling (the reward noise variance,
    /// in squared reward units); > 0, default 1.
    public var variance: Double?
    /// Beta prior α (successes + 1); > 0, default 1.
    public var priorAlpha: Double?
    /// Beta prior β (failures + 1); > 0, default 1.
    public var priorBeta: Double?
    /// Posterior draws per decision of the Thompson samplers; 1…4096, default 32.
    public var samples: Int?
    /// Ensemble size of `bootstrap_thompson`; 2…256, default 10.
    public var bags: Int?
    /// Seed of the posterior draws (and of the bootstrap weights); default 0.
    public var seed: UInt64?

    /// Creates an algorithm specification.
    public init(kind: Kind, alpha: Double? = nil, ridge: Double? = nil, forgetting: Double? = nil, variance: Double? = nil,
                priorAlpha: Double? = nil, priorBeta: Double? = nil, samples: Int? = nil, bags: Int? = nil, seed: UInt64? = nil,
                window: Int? = nil) {
        self.kind = kind
        self.window = window
        self.alpha = alpha
        self.ridge = ridge
        self.forgetting = forgetting
        self.variance = variance
        self.priorAlpha = priorAlpha
        self.priorBeta = priorBeta
        self.samples = samples
        self.bags = bags
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case kind, alpha, ridge, forgetting, variance
        case priorAlpha = "prior_alpha"
        case priorBeta = "prior_beta"
        case samples, bags, seed, window
    }
}

/// How the learner's scores become a distribution.
public struct ExplorerSpecification: Sendable, Codable, Equatable {
    /// The exploration strategy.
    public enum Kind: String, Sendable, Codable, Equatable, CaseIterable {
        /// The argmax (ties split evenly).
        case greedy
        /// Argmax with probability 1 − ε, uniform with probability ε: `epsilon`.
        case epsilonGreedy = "epsilon_greedy"
        /// Boltzmann exploration `p ∝ exp(score / temperature)`: `temperature`.
        case softmax
        /// Inverse-gap weighting (Foster & Rakhlin 2020): `gamma`.
        case squarecb
    }
    /// The exploration strategy.
    public var kind: Kind
    /// Exploration probability of `epsilon_greedy`, in [0, 1].
    public var epsilon: Double?
    /// Temperature of `softmax`, > 0.
    public var temperature: Double?
    /// Learning-rate γ of `squarecb`, > 0.
    public var gamma: Double?

    /// Creates an explorer specification.
    public init(kind: Kind, epsilon: Double? = nil, temperature: Double? = nil, gamma: Double? = nil) {
        self.kind = kind
        self.epsilon = epsilon
        self.temperature = temperature
        self.gamma = gamma
    }
}

// MARK: - Slots

/// Multi-slot (content) decisions: `count` slots filled in order, each examined with the
/// probability given by `position_discounts` (position-based examination model).
public struct SlotsSpecification: Sendable, Codable, Equatable {
    /// Number of slots (≥ 1, at most the catalog size).
    public var count: Int
    /// Examination probability κₖ of slot k, in (0, 1]; defaults to `1/log2(k + 2)` (DCG).
    public var positionDiscounts: [Double]?

    /// Creates a slots specification.
    public init(count: Int, positionDiscounts: [Double]? = nil) {
        self.count = count
        self.positionDiscounts = positionDiscounts
    }

    enum CodingKeys: String, CodingKey {
        case count
        case positionDiscounts = "position_discounts"
    }

    /// The examination probability of each slot: `position_discounts`, or `1/log₂(k + 2)`
    /// (DCG) when absent; pass it to `Policy.learn(from:context:rewards:positionDiscounts:)`.
    public var resolvedPositionDiscounts: [Double] {
        positionDiscounts ?? (0..<max(count, 0)).map { 1 / log2(Double($0) + 2) }
    }
}
