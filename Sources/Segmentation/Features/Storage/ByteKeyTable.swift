/// An interning table from byte strings to dense ids `0, 1, 2, …` in order of first insertion:
/// open addressing with linear probing over a power-of-two slot array, keys stored back to
/// back in one byte array.
///
/// A lookup hashes the key once (``ByteHash``), compares a 32-bit tag in the slot and only
/// then the bytes, so the per-event customer lookup allocates nothing and creates no `String`.
/// The load factor stays at most ½.
///
/// - Complexity: expected O(key length) per lookup or insertion, amortised over growth.
struct ByteKeyTable: Sendable {
    /// Slot: 0 when empty, else the key's hash tag in the high 32 bits and `id + 1` in the low 32.
    private var slots: [UInt64]
    private var hashes: [UInt64] = []
    private var keyBytes: [UInt8] = []
    /// `keyEnds[id]` is the end offset of key `id` in ``keyBytes`` (its start is the previous end).
    private var keyEnds: [Int] = []

    /// Creates an empty table.
    init() {
        slots = [UInt64](repeating: 0, count: 16)
    }

    /// The number of keys.
    var count: Int { keyEnds.count }

    /// The id of `key`, or `nil`.
    func id(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = ByteHash.hash(key)
        return slots.withUnsafeBufferPointer { s in
            let mask = s.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let slot = s[i]
                if slot == 0 { return nil }
                let id = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                if slot >> 32 == h >> 32, matches(id, key) { return id }
                i = (i + 1) & mask
            }
        }
    }

    /// The id of `key`, inserting it with the next id when absent.
    /// - Returns: the id and whether the key was new.
    @inline(__always)
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int, inserted: Bool) {
        let h = ByteHash.hash(key)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { break }
            let id = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
            if slot & 0xFFFF_FFFF_0000_0000 == tag, matches(id, key) { return (id, false) }
            i = (i + 1) & mask
        }
        let id = keyEnds.count
        keyBytes.append(contentsOf: key)
        keyEnds.append(keyBytes.count)
        hashes.append(h)
        slots[i] = tag | UInt64(id + 1)
        if 2 * keyEnds.count > slots.count { grow() }
        return (id, true)
    }

    /// The bytes of key `id` as text.
    func string(_ id: Int) -> String {
        let start = id == 0 ? 0 : keyEnds[id - 1]
        return keyBytes[start..<keyEnds[id]].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    @inline(__always)
    private func matches(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = id == 0 ? 0 : keyEnds[id - 1]
        guard keyEnds[id] - start == key.count else { return false }
        guard let k = key.baseAddress else { return true }
        return keyBytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            return memcmp(base + start, k, key.count) == 0
        }
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for (id, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while bigger[i] != 0 { i = (i + 1) & mask }
            bigger[i] = h & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
        }
        slots = bigger
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
