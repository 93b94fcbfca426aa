/// A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each request takes
/// one. A plain value, driven by the caller's clock.
public struct TokenBucket: Sendable, Equatable {
    /// Sustained requests per second.
    public let ratePerSecond: Double
    /// Largest burst.
    public let burst: Double
    /// Tokens available at `updatedAt`.
    public private(set) var tokens: Double
    /// Time of the last update (seconds).
    public private(set) var updatedAt: Double

    /// A full bucket at `now`.
    public init(ratePerSecond: Double, burst: Double, now: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.tokens = burst
        self.updatedAt = now
    }

    /// Takes one token if available at `now`.
    public mutating func take(at now: Double) -> Bool {
        if now > updatedAt {
            tokens = min(burst, tokens + (now - updatedAt) * ratePerSecond)
            updatedAt = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
