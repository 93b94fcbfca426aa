import AttuneCore
import Bandits
import Foundation

/// A policy-gradient policy file (`"format": "attune.policy-gradient/1"`): the policy family
/// and its parameterisation, the catalog and feature schema (as in Bandits' policy files),
/// the long-horizon objective and the learner's hyper-parameters.
///
/// Bandits' `attune.policy/1` documents name a bandit scorer and an explorer; a softmax over a
/// trained scorer, a Gaussian over prices and a trajectory objective are not expressible there,
/// so policy-gradient policies have their own versioned format. It reuses `CatalogEntry`,
/// `FeatureSchema` and `RewardDefinition` from `Bandits`, so catalogs, features and rewards
/// read the same in both. Decoded strictly: an unknown key is an error with its JSON path.
///
/// ```json
/// {"format": "attune.policy-gradient/1", "id": "clv-policy-gradient",
///  "policy": {"kind": "softmax", "scorer": {"kind": "linear"}},
///  "catalog": [{"id": "no_contact", "kind": "offer"}, …],
///  "feature_schema": {"features": [{"name": "tenure"}, …], "intercept": true},
///  "reward": {"events": ["purchase"], "value": "margin", "default_reward": 0, "window_seconds": 86400},
///  "objective": {"discount_per_week": 0.99, "horizon_weeks": 26},
///  "learner": {"algorithm": "ppo", "learning_rate": 0.02, "epochs": 4, …}}
/// ```
public struct PolicyGradientSpecification: Sendable, Codable, Equatable {
    /// The format this build reads and writes.
    public static let currentFormat = "attune.policy-gradient/1"

    /// The scorer of a softmax policy.
    public struct ScorerSpecification: Sendable, Codable, Equatable {
        /// `"linear"` or `"mlp"`.
        public var kind: String
        /// Hidden width of an MLP.
        public var hidden: Int?
        /// Seed of an MLP's initial weights.
        public var seed: UInt64?
        /// Trained parameters in the scorer's order (absent: an untrained policy).
        public var parameters: [Double]?
    }

    /// Guardrails of a Gaussian price policy, in the catalog's currency unit.
    public struct Guardrails: Sendable, Codable, Equatable {
        /// The lowest price allowed.
        public var low: Double
        /// The highest price allowed.
        public var high: Double
    }

    /// The policy family and its parameterisation.
    public struct PolicyFamily: Sendable, Codable, Equatable {
        /// `"softmax"` (discrete offers) or `"gaussian_price"` (a continuous price).
        public var kind: String
        /// The scorer (softmax).
        public var scorer: ScorerSpecification?
        /// The price guardrails (Gaussian).
        public var guardrails: Guardrails?
        /// Mean weights `θ`, one per schema dimension (Gaussian; absent: the intercept starts at the guardrails' midpoint).
        public var meanWeights: [Double]?
        /// Starting `log σ` (Gaussian).
        public var logStandardDeviation: Double?
        /// Bounds of `log σ` (Gaussian).
        public var minimumLogStandardDeviation: Double?
        /// Upper bound of `log σ` (Gaussian).
        public var maximumLogStandardDeviation: Double?

        enum CodingKeys: String, CodingKey {
            case kind, scorer, guardrails
            case meanWeights = "mean_weights"
            case logStandardDeviation = "log_std"
            case minimumLogStandardDeviation = "min_log_std"
            case maximumLogStandardDeviation = "max_log_std"
        }
    }

    /// The long-horizon objective: rewards discounted per week, summed to a horizon.
    public struct Objective: Sendable, Codable, Equatable {
        /// Discount factor per week, in (0, 1].
        public var discountPerWeek: Double
        /// Horizon of a customer's return, in weeks.
        public var horizonWeeks: Double

        enum CodingKeys: String, CodingKey {
            case discountPerWeek = "discount_per_week"
            case horizonWeeks = "horizon_weeks"
        }
    }

    /// The learner's hyper-parameters (defaults as ``PolicyGradientLearner/Configuration``).
    public struct LearnerSpecification: Sendable, Codable, Equatable {
        /// `"reinforce"` or `"ppo"`.
        public var algorithm: String
        /// Adam step size.
        public var learningRate: Double?
        /// Passes over each batch.
        public var epochs: Int?
        /// Steps per gradient step.
        public var minibatchSize: Int?
        /// Entropy bonus weight.
        public var entropyBonus: Double?
        /// Maximum gradient norm.
        public var gradientClip: Double?
        /// PPO clip range.
        public var ppoClip: Double?
        /// Truncation of importance weights.
        public var importanceWeightCap: Double?
        /// Whether advantages are normalised.
        public var normalizeAdvantages: Bool?
        /// Ridge of the state-value baseline.
        public var baselineRidge: Double?
        /// Seed of minibatch shuffling.
        public var seed: UInt64?
        /// Slate size of the top-K correction (1: none).
        public var slateSize: Int?

        enum CodingKeys: String, CodingKey {
            case algorithm, epochs, seed
            case learningRate = "learning_rate"
            case minibatchSize = "minibatch_size"
            case entropyBonus = "entropy_bonus"
            case gradientClip = "gradient_clip"
            case ppoClip = "ppo_clip"
            case importanceWeightCap = "importance_weight_cap"
            case normalizeAdvantages = "normalize_advantages"
            case baselineRidge = "baseline_ridge"
            case slateSize = "slate_size"
        }
    }

    /// Always ``currentFormat``.
    public var format: String
    /// The policy's identifier.
    public var id: String
    /// Free text for people.
    public var description: String?
    /// The policy family.
    public var policy: PolicyFamily
    /// The actions (softmax policies).
    public var catalog: [CatalogEntry]?
    /// The context features.
    public var featureSchema: FeatureSchema
    /// How a decision's reward is measured.
    public var reward: RewardDefinition
    /// The long-horizon objective.
    public var objective: Objective
    /// The learner.
    public var learner: LearnerSpecification

    enum CodingKeys: String, CodingKey {
        case format, id, description, policy, catalog, reward, objective, learner
        case featureSchema = "feature_schema"
    }

    /// Reads and validates a policy file.
    /// - Throws: `PolicyGradientError.invalidSpecification` naming the JSON path of an unknown
    ///   key, a malformed value or an inconsistent field.
    public init(decoding data: Data, source: String = "policy") throws(PolicyGradientError) {
        do {
            self = try StrictJSONDecoder().decode(PolicyGradientSpecification.self, from: data, source: source)
        } catch {
            throw .invalidSpecification(path: source, problem: error.description, fix: "see policies/clv-policy-gradient.json for the format")
        }
        try validate()
    }

    /// Reads and validates the policy file at `path`.
    /// - Throws: `.invalidSpecification` for an unreadable file, and as ``init(decoding:source:)``.
    public init(contentsOfFile path: String) throws(PolicyGradientError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidSpecification(path: path, problem: "the file cannot be read", fix: "check the path")
        }
        try self.init(decoding: data, source: path)
    }
}
