/// A seeded, splittable pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// The same seed gives the same stream on every machine and every run (the algorithm is
/// defined on 64-bit integers only, with no platform-dependent state). Parallel work takes
/// independent child streams with ``child(_:)`` (keyed by an index, so the streams do not
/// depend on scheduling order) or ``split()`` (sequential).
///
/// ```
/// var rng = SeededGenerator(seed: 42)
/// let u = rng.nextUniform()            // in [0, 1)
/// var worker3 = rng.child(3)           // independent stream for worker 3
/// ```
///
/// ## References
/// Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2021);
/// Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (2014).
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The seed this generator was created from; for a child stream, the seed derived for it
    /// by ``child(_:)``.
    public let seed: UInt64
    // Internal and usable from inlinable code, so that `next()` inlines into other modules'
    // hot loops (bootstrap resampling) instead of costing a call per 64 bits.
    @usableFromInline internal var s0: UInt64
    @usableFromInline internal var s1: UInt64
    @usableFromInline internal var s2: UInt64
    @usableFromInline internal var s3: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        s0 = SeededGenerator.splitMix64(&sm)
        s1 = SeededGenerator.splitMix64(&sm)
        s2 = SeededGenerator.splitMix64(&sm)
        s3 = SeededGenerator.splitMix64(&sm)
    }

    /// A generator with the given xoshiro256** state, for checking the algorithm against its
    /// published reference values. The state must not be all zero.
    init(seed: UInt64, state: (UInt64, UInt64, UInt64, UInt64)) {
        self.seed = seed
        (s0, s1, s2, s3) = state
    }

    /// The four words of the xoshiro256** state.
    var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    /// The next 64 uniformly distributed bits.
    /// - Complexity: O(1), no allocation.
    @inlinable
    public mutating func next() -> UInt64 {
        nextBits()
    }

    @inlinable
    internal mutating func nextBits() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never exactly 0, safe to pass to `log`.
    @inlinable
    public mutating func nextOpenUniform() -> Double {
        (Double(next() >> 12) + 0.5) * 0x1.0p-52
    }

    /// An independent child stream keyed by `index`.
    ///
    /// The child depends only on this generator's current state and `index`, not on how
    /// many children were made before, so parallel workers get the same streams whatever
    /// order they start in. This generator's own state is not advanced.
    public func child(_ index: UInt64) -> SeededGenerator {
        // Mix the whole state with the index through SplitMix64; distinct indices give
        // seeds that differ in every bit with overwhelming probability.
        var sm = s0 ^ rotateLeft(s1, 17) ^ rotateLeft(s2, 31) ^ rotateLeft(s3, 47)
        sm = sm &+ index &* 0x9E37_79B9_7F4A_7C15
        let childSeed = SeededGenerator.splitMix64(&sm) ^ SeededGenerator.splitMix64(&sm)
        return SeededGenerator(seed: childSeed)
    }

    /// A new independent stream; advances this generator by one step.
    public mutating func split() -> SeededGenerator {
        let key = next()
        return child(key)
    }

    @usableFromInline
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inlinable @inline(__always)
func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}
