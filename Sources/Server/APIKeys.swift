/// What an API key may do.
public enum APIScope: String, Sendable, Codable, CaseIterable {
    /// `POST /v1/decisions`.
    case decide
    /// `POST /v1/rewards`.
    case reward
    /// `GET /metrics`, `GET /v1/policies`, `GET /v1/segments`.
    case admin
}

/// One API key and its scopes.
public struct APIKey: Sendable, Equatable, Codable {
    /// A label for logs and metrics (the secret itself is never logged).
    public var name: String
    /// The secret sent as `Authorization: Bearer <key>`.
    public var key: String
    /// What it may do.
    public var scopes: [APIScope]

    /// Creates a key.
    public init(name: String, key: String, scopes: [APIScope]) {
        self.name = name
        self.key = key
        self.scopes = scopes
    }
}

/// The configured keys; authorization compares in time independent of where keys differ.
public struct APIKeys: Sendable, Equatable {
    /// The keys; empty means no authentication (allowed on loopback only).
    public var keys: [APIKey]

    /// Creates a key set.
    public init(_ keys: [APIKey]) { self.keys = keys }

    /// Whether requests must carry a key.
    public var isEnabled: Bool { !keys.isEmpty }

    /// Parses `name:key:scope+scope,name:key:scope` (the `ATTUNE_API_KEYS` environment variable).
    /// - Throws: `APIError` (400 family, field `ATTUNE_API_KEYS`) naming the bad entry.
    public static func parse(_ text: String) throws(APIError) -> APIKeys {
        var keys: [APIKey] = []
        for (i, entry) in text.split(separator: ",").enumerated() {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, parts[1].count >= 16 else {
                throw APIError(status: 400, code: "invalid_api_keys",
                               message: "entry \(i + 1): write name:key:scope+scope with a key of at least 16 characters",
                               field: "ATTUNE_API_KEYS")
            }
            var scopes: [APIScope] = []
            for s in parts[2].split(separator: "+") {
                guard let scope = APIScope(rawValue: String(s)) else {
                    throw APIError(status: 400, code: "invalid_api_keys",
                                   message: "entry \(i + 1): unknown scope '\(s)'; use decide, reward or admin", field: "ATTUNE_API_KEYS")
                }
                scopes.append(scope)
            }
            keys.append(APIKey(name: String(parts[0]), key: String(parts[1]), scopes: scopes))
        }
        return APIKeys(keys)
    }

    /// The key matching an `Authorization: Bearer …` header, checked against every key with a
    /// constant-time comparison (no early exit on the first differing byte or key).
    public func match(authorization: String?) -> APIKey? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let presented = Array(authorization.utf8.dropFirst(7))
        var found: APIKey?
        for key in keys where Self.constantTimeEqual(presented, Array(key.key.utf8)) {
            found = key
        }
        return found
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
