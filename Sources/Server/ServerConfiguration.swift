/// Settings of the HTTP layer.
public struct ServerConfiguration: Sendable, Equatable {
    /// IPv4 address to bind (`127.0.0.1` by default).
    public var host: String
    /// TCP port (0 picks a free one).
    public var port: Int
    /// Largest accepted request body in bytes (larger → 413).
    public var maxBodyBytes: Int
    /// Deepest accepted JSON nesting (deeper → 400).
    public var maxJSONDepth: Int
    /// API keys; none means no authentication, which is only allowed on a loopback address.
    public var apiKeys: APIKeys
    /// Sustained requests per second per key (per server without keys); `nil` disables limiting.
    public var rateLimitPerSecond: Double?
    /// Burst size of the rate limiter.
    public var rateLimitBurst: Double
    /// Most simultaneous connections. With event loops, epoll loops hold 126 connections each
    /// and at most 64 of them are started, so no more than 8,064 beyond the poll loops' are served.
    public var connectionLimit: Int
    /// Idle connection timeout in seconds.
    public var timeoutSeconds: Int
    /// The file of each policy, by id, for `POST /v1/policies/{id}/reload`.
    public var policyFiles: [String: String] = [:]
    /// Policies whose model the engine was handed ready-made at start (built from a file of
    /// another format, such as a trained `attune.policy-gradient/1` file), by id: while that
    /// version serves, reload answers 409 `restart_required` and `GET /v1/policies` reports
    /// the model's family.
    public var prebuiltModels: [String: PrebuiltModel] = [:]

    /// A policy version served by a model built outside the engine.
    public struct PrebuiltModel: Sendable, Equatable {
        /// The file the model was built from.
        public var file: String
        /// The model's family as `GET /v1/policies` reports it (e.g. `softmax_policy_gradient`).
        public var algorithm: String
        /// The fingerprint of the specification the engine serves the model under; another
        /// version of the policy (a promoted candidate) is not this model.
        public var fingerprint: String

        /// Creates a record.
        public init(file: String, algorithm: String, fingerprint: String) {
            self.file = file
            self.algorithm = algorithm
            self.fingerprint = fingerprint
        }
    }

    /// Creates a configuration with the defaults of `attune serve`.
    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 64 * 1024, maxJSONDepth: Int = 16,
                apiKeys: APIKeys = APIKeys([]), rateLimitPerSecond: Double? = nil, rateLimitBurst: Double = 100,
                connectionLimit: Int = 1024, timeoutSeconds: Int = 30) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxJSONDepth = maxJSONDepth
        self.apiKeys = apiKeys
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimitBurst = rateLimitBurst
        self.connectionLimit = connectionLimit
        self.timeoutSeconds = timeoutSeconds
    }

    /// Whether `host` is a loopback address.
    public var isLoopback: Bool { host.hasPrefix("127.") || host == "localhost" }
}
