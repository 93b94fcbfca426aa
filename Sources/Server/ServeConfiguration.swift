import AttuneCore
import Engine
import Foundation

/// The `attune serve --config` file (strict JSON: unknown keys are errors). Every field is
/// optional; command-line flags override the file.
///
/// ```json
/// {"host": "127.0.0.1", "port": 8080, "data_dir": "attune-data", "policies": "policies",
///  "max_body_bytes": 65536, "rate_limit_per_second": 5000, "rate_limit_burst": 500,
///  "checkpoint_interval_seconds": 60, "checkpoint_every_interactions": 10000, "retention_days": 90,
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
    /// Delete log entries older than this many days at start (kept forever when absent).
    public var retentionDays: Double?

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
    }

    /// Reads and strictly decodes a configuration file.
    /// - Throws: `AttuneCoreError` naming the file, line and key.
    public init(contentsOfFile path: String) throws(AttuneCoreError) {
        self = try StrictJSONDecoder().decode(ServeConfiguration.self, contentsOfFile: path)
    }
}
