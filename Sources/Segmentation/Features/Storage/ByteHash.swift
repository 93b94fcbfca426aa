/// A fast non-cryptographic hash of short byte strings (customer ids, categories), read a
/// machine word at a time and mixed by a 64×64→128-bit multiply folded to 64 bits.
///
/// ```
/// mix(x) = hi(x · φ) ⊕ lo(x · φ),   φ = 0x9E3779B97F4A7C15 (2⁶⁴ / golden ratio)
/// h₀ = φ ⊕ length,  hᵢ₊₁ = mix(hᵢ ⊕ wordᵢ)
/// ```
/// The last partial word is read as overlapping loads, never past the end. The value is
/// meant for in-memory tables of one process only (it depends on the byte order), never for
/// anything stored.
///
/// ## References
/// The folded multiply is the "mum" step of wyhash (Wang Yi, 2019) and of rapidhash.
enum ByteHash {
    static let phi: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        let m = x.multipliedFullWidth(by: phi)
        return m.high ^ m.low
    }

    /// The hash of `bytes`.
    /// - Complexity: O(length / 8).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        var h = phi ^ UInt64(truncatingIfNeeded: n)
        guard let base = bytes.baseAddress, n > 0 else { return mix(h) }
        let raw = UnsafeRawPointer(base)
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                h = mix(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            if i < n { h = mix(h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) ^ 0xFF) }
        } else if n >= 4 {
            let low = UInt64(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            h = mix(h ^ (low | high << 32))
        } else {
            h = mix(h ^ (UInt64(base[0]) | UInt64(base[n / 2]) << 8 | UInt64(base[n - 1]) << 16))
        }
        return mix(h)
    }
}
