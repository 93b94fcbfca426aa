import AttuneCore
import Engine
import Evaluation
import Foundation

/// The `attune serve --config` file (strict JSON: unknown keys are errors). Every field is
/// optional; command-line flags override the file.
///
/// ```json
/// {"host": "127.0.0.1", "port": 8080, "data_dir": "attune-data", "policies": "policies",
///  "max_body_bytes": 65536, "rate_limit_per_second": 5000, "rate_limit_burst": 500,
///  "checkpoint_interval_seconds": 60, "checkpoint_every_interactions": 10000, "retention_days": 90,
///  "segment_model": "segments.json", "modes": {"offers-linucb": {"mode": "apprentice", "baseline": "no_offer"}},
///  "max_open_windows": 1000000, "customer_profiles_max": 1000000, "customer_idle_seconds": 2592000,
///  "customer_log_compact_bytes": 67108864,
///  "promotion_gate": {"confidence": 0.95, "margin": 0, "min_ess": 100}, "promotion_max_rounds": 200000,
///  "commit_interval_ms": 1, "commit_batch_target": 256, "event_loop": "adaptive",
///  "api_keys": [{"name": "campaigns", "key": "…at least 16 characters…", "scopes": ["decide", "reward"]}]}
/// ```
public struct ServeConfiguration: Sendable, Equatable, Codable {
    /// IPv4 address to bind.
    public var host: String?
    /// TCP port.
    public var port: Int?
    /// Data directory (event log, checkpoints, kill switches).
    public var dataDir: String?
    /// Directory of policy files.
    public var policies: String?
    /// Largest request body in bytes.
    public var maxBodyBytes: Int?
    /// Requests per second per key (or per server without keys).
    public var rateLimitPerSecond: Double?
    /// Burst of the rate limiter.
    public var rateLimitBurst: Double?
    /// Seconds between checkpoints while learning.
    public var checkpointIntervalSeconds: Double?
    /// Learned interactions between checkpoints.
    public var checkpointEveryInteractions: Int?
    /// API keys and their scopes.
    public var apiKeys: [APIKey]?
    /// A segmentation model fitted on events (`attune segment fit --events … --output`):
    /// enables `POST /v1/events` and adds customers' segments and profile features to decisions.
    public var segmentModel: String?
    /// How each policy runs, by policy id: `{"mode": "online" | "apprentice" | "logging", "baseline"?}`
    /// (`baseline`: the action apprentice mode serves). Policies not listed run online.
    public var modes: [String: ModeSetting]?

    /// One policy's entry of `modes`.
    public struct ModeSetting: Sendable, Equatable, Codable {
        /// The mode.
        public var mode: PolicyMode.Kind
        /// The catalog id served in apprentice mode.
        public var baseline: String?
        /// Creates a setting.
        public init(mode: PolicyMode.Kind, baseline: String? = nil) {
            self.mode = mode
            self.baseline = baseline
        }
    }

    /// The engine's modes.
    public var policyModes: [String: PolicyMode] {
        (modes ?? [:]).mapValues { PolicyMode($0.mode, baselineAction: $0.baseline) }
    }
    /// Delete log entries older than this many days at start (kept forever when absent).
    public var retentionDays: Double?
    /// The most reward windows open at once; beyond it the earliest deadline closes early.
    public var maxOpenWindows: Int?
    /// The most live customer profiles held; the least recently touched is evicted beyond it.
    public var customerProfilesMax: Int?
    /// Seconds without an event or decision after which a customer profile is evicted.
    public var customerIdleSeconds: Double?
    /// Growth of the customer event log, in bytes, that starts a compaction (at least 4096).
    public var customerLogCompactBytes: Int?
    /// Thresholds of the deployment gate behind `POST /v1/policies/{id}/candidates`.
    public var promotionGate: GateSetting?
    /// The most recent logged rounds a promotion evaluates the candidate on.
    public var promotionMaxRounds: Int?
    /// The shortest time between the starts of two group commits, in milliseconds (0 to 100;
    /// default 1): longer batches more decisions per fsync under load at the cost of latency.
    public var commitIntervalMs: Double?
    /// Queued decisions and rewards at which a group commit starts without waiting for
    /// `commit_interval_ms` (1 to 100,000; default 256).
    public var commitBatchTarget: Int?
    /// How the HTTP event loops wait: `adaptive` (default: poll loops for the first 64 open
    /// connections, epoll loops beyond), `epoll` or `poll` alone. Poll spends less per request
    /// when clients keep few connections, each busy, and more the more connections stay open
    /// idle (see `HTTPServer.Threading`).
    public var eventLoop: String?

    /// The `promotion_gate` object: the `attune gate` thresholds, each optional (the gate's default when absent).
    public struct GateSetting: Sendable, Equatable, Codable {
        /// Confidence of the decision, in (0, 1).
        public var confidence: Double?
        /// Improvement (reward units) the lower bound must exceed.
        public var margin: Double?
        /// Smallest acceptable effective sample size of the candidate.
        public var minESS: Double?
        /// Largest acceptable importance weight of the candidate.
        public var maxWeight: Double?
        /// Largest acceptable mean probability on actions never taken in the log.
        public var maxUnsupportedMass: Double?
        /// Weight cap of the empirical Bernstein bounds.
        public var clipWeight: Double?
        /// `empirical_bernstein` or `normal`.
        public var bound: DeploymentGate.Bound?
        /// Known reward bounds (both or neither); the log's observed range otherwise.
        public var rewardMin: Double?
        /// Largest possible reward.
        public var rewardMax: Double?

        enum CodingKeys: String, CodingKey {
            case confidence, margin
            case minESS = "min_ess"
            case maxWeight = "max_weight"
            case maxUnsupportedMass = "max_unsupported_mass"
            case clipWeight = "clip_weight"
            case bound
            case rewardMin = "reward_min"
            case rewardMax = "reward_max"
        }

        /// The gate's configuration.
        /// - Throws: `EngineError.invalidField` naming `promotion_gate.<field>`.
        public func configuration() throws(EngineError) -> DeploymentGate.Configuration {
            var range: ClosedRange<Double>?
            if rewardMin != nil || rewardMax != nil {
                guard let low = rewardMin, let high = rewardMax, low < high else {
                    throw .invalidField(field: "promotion_gate.reward_min", reason: "give reward_min and reward_max together, with reward_min < reward_max")
                }
                range = low...high
            }
            do throws(EvaluationError) {
                return try DeploymentGate.Configuration(
                    confidence: confidence ?? 0.95, margin: margin ?? 0, minEffectiveSampleSize: minESS ?? 100,
                    maxWeight: maxWeight ?? .infinity, maxUnsupportedMass: maxUnsupportedMass ?? 0.01, clipWeight: clipWeight ?? 20,
                    rewardRange: range, bound: bound ?? .empiricalBernstein)
            } catch {
                throw .invalidField(field: "promotion_gate", reason: error.description)
            }
        }
    }

    /// The live customer profiles' bounds.
    /// - Throws: `EngineError.invalidField` naming the bad field.
    public func customerLimits() throws(EngineError) -> CustomerSegments.Limits {
        try CustomerSegments.Limits(maxCustomers: customerProfilesMax ?? CustomerSegments.Limits.standard.maxCustomers,
                                    idleSeconds: customerIdleSeconds,
                                    logCompactionBytes: customerLogCompactBytes ?? CustomerSegments.Limits.defaultLogCompactionBytes)
    }

    /// Applies the bounds and the promotion gate of this file to an engine configuration.
    /// - Throws: `EngineError.invalidField` naming the bad field.
    public func apply(to engine: inout EngineConfiguration) throws(EngineError) {
        if let maxOpenWindows {
            guard maxOpenWindows >= 1 else { throw .invalidField(field: "max_open_windows", reason: "\(maxOpenWindows) must be at least 1") }
            engine.maxOpenWindows = maxOpenWindows
        }
        if let promotionGate { engine.promotionGate = try promotionGate.configuration() }
        if let promotionMaxRounds {
            guard promotionMaxRounds >= 1 else { throw .invalidField(field: "promotion_max_rounds", reason: "\(promotionMaxRounds) must be at least 1") }
            engine.promotionMaxRounds = promotionMaxRounds
        }
        if let commitIntervalMs {
            guard commitIntervalMs.isFinite, (0...100).contains(commitIntervalMs) else {
                throw .invalidField(field: "commit_interval_ms", reason: "\(commitIntervalMs) must be a number of milliseconds in 0...100")
            }
            engine.commitIntervalSeconds = commitIntervalMs / 1000
        }
        if let commitBatchTarget {
            guard (1...100_000).contains(commitBatchTarget) else {
                throw .invalidField(field: "commit_batch_target", reason: "\(commitBatchTarget) must be a number of entries in 1...100000")
            }
            engine.commitBatchTarget = commitBatchTarget
        }
    }

    /// The HTTP server's threading: event loops waiting as `event_loop` says.
    /// - Throws: `EngineError.invalidField` naming `event_loop` for a value other than
    ///   `adaptive`, `epoll` or `poll`.
    public func threading() throws(EngineError) -> HTTPServer.Threading {
        switch eventLoop ?? "adaptive" {
        case "adaptive": return .adaptive
        case "epoll": return .eventLoops(2)
        case "poll": return .pollLoops(2)
        case let other:
            throw .invalidField(field: "event_loop", reason: "\"\(other)\" is not a way to wait; give \"adaptive\", \"epoll\" or \"poll\"")
        }
    }

    /// An empty configuration (all defaults).
    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port
        case dataDir = "data_dir"
        case policies
        case maxBodyBytes = "max_body_bytes"
        case rateLimitPerSecond = "rate_limit_per_second"
        case rateLimitBurst = "rate_limit_burst"
        case checkpointIntervalSeconds = "checkpoint_interval_seconds"
        case checkpointEveryInteractions = "checkpoint_every_interactions"
        case apiKeys = "api_keys"
        case retentionDays = "retention_days"
        case segmentModel = "segment_model"
        case modes
        case maxOpenWindows = "max_open_windows"
        case customerProfilesMax = "customer_profiles_max"
        case customerIdleSeconds = "customer_idle_seconds"
        case customerLogCompactBytes = "customer_log_compact_bytes"
        case promotionGate = "promotion_gate"
        case promotionMaxRounds = "promotion_max_rounds"
        case commitIntervalMs = "commit_interval_ms"
        case commitBatchTarget = "commit_batch_target"
        case eventLoop = "event_loop"
    }

    /// Reads and strictly decodes a configuration file.
    /// - Throws: `AttuneCoreError` naming the file, line and key.
    public init(contentsOfFile path: String) throws(AttuneCoreError) {
        self = try StrictJSONDecoder().decode(ServeConfiguration.self, contentsOfFile: path)
    }
}
