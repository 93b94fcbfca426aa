/// An interning table from byte strings to dense ids `0, 1, 2, …` in order of first insertion:
/// open addressing with linear probing over a power-of-two slot array, keys stored back to
/// back in one byte array, and keys of up to 15 bytes (most customer ids and categories)
/// also inline in their slot.
///
/// A lookup hashes the key once (``ByteHash``), compares a 32-bit tag in the slot and then
/// the inline bytes, so a hit on a short key touches one cache line and a long key two; the
/// per-event customer lookup allocates nothing and creates no `String`. The load factor stays
/// at most ½.
///
/// - Complexity: expected O(key length) per lookup or insertion, amortised over growth.
struct ByteKeyTable: Sendable {
    /// One slot: the key's hash tag in the high 32 bits and `id + 1` in the low 32 of
    /// `tagAndID` (0 when empty); then the key itself when it has at most 15 bytes (packed
    /// little-end first, its length + 1 in the top byte of `high`), else its place in
    /// ``keyBytes`` (`low` = offset, `high` = length, top byte 0).
    private struct Slot: Sendable {
        var tagAndID: UInt64 = 0
        var low: UInt64 = 0
        var high: UInt64 = 0
    }

    private var slots: [Slot]
    private var hashes: [UInt64] = []
    private var keyBytes: [UInt8] = []
    /// `keyEnds[id]` is the end offset of key `id` in ``keyBytes`` (its start is the previous end).
    private var keyEnds: [Int] = []

    /// Creates an empty table.
    init() {
        slots = [Slot](repeating: Slot(), count: 16)
    }

    /// The number of keys.
    var count: Int { keyEnds.count }

    /// The packed form of a key of at most 15 bytes, `nil` for longer keys.
    @inline(__always)
    private static func packed(_ key: UnsafeBufferPointer<UInt8>) -> (low: UInt64, high: UInt64)? {
        let n = key.count
        guard n <= 15 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        if let base = key.baseAddress, n > 0 {
            withUnsafeMutableBytes(of: &words) { $0.baseAddress?.copyMemory(from: base, byteCount: n) }
        }
        return (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1) | UInt64(n + 1) << 56)
    }

    /// The id of `key`, or `nil`.
    func id(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = ByteHash.hash(key)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let inline = ByteKeyTable.packed(key)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot.tagAndID == 0 { return nil }
            if slot.tagAndID & 0xFFFF_FFFF_0000_0000 == tag, matches(slot, key, inline) {
                return Int(truncatingIfNeeded: slot.tagAndID & 0xFFFF_FFFF) - 1
            }
            i = (i + 1) & mask
        }
    }

    /// The id of `key`, inserting it with the next id when absent.
    /// - Returns: the id and whether the key was new.
    @inline(__always)
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int, inserted: Bool) {
        let h = ByteHash.hash(key)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let inline = ByteKeyTable.packed(key)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot.tagAndID == 0 { break }
            if slot.tagAndID & 0xFFFF_FFFF_0000_0000 == tag, matches(slot, key, inline) {
                return (Int(truncatingIfNeeded: slot.tagAndID & 0xFFFF_FFFF) - 1, false)
            }
            i = (i + 1) & mask
        }
        let id = keyEnds.count
        let offset = keyBytes.count
        keyBytes.append(contentsOf: key)
        keyEnds.append(keyBytes.count)
        hashes.append(h)
        slots[i] = Slot(
            tagAndID: tag | UInt64(id + 1), low: inline?.low ?? UInt64(offset),
            high: inline?.high ?? UInt64(key.count))
        if 2 * keyEnds.count > slots.count { grow() }
        return (id, true)
    }

    /// The bytes of key `id` as text.
    func string(_ id: Int) -> String {
        let start = id == 0 ? 0 : keyEnds[id - 1]
        return keyBytes[start..<keyEnds[id]].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    @inline(__always)
    private func matches(_ slot: Slot, _ key: UnsafeBufferPointer<UInt8>, _ inline: (low: UInt64, high: UInt64)?) -> Bool {
        if let inline { return slot.low == inline.low && slot.high == inline.high }
        guard slot.high >> 56 == 0, Int(truncatingIfNeeded: slot.high) == key.count else { return false }
        let start = Int(truncatingIfNeeded: slot.low)
        guard let k = key.baseAddress else { return true }
        return keyBytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            return memcmp(base + start, k, key.count) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Slot](repeating: Slot(), count: slots.count * 2)
        let mask = bigger.count - 1
        for slot in slots where slot.tagAndID != 0 {
            let id = Int(truncatingIfNeeded: slot.tagAndID & 0xFFFF_FFFF) - 1
            var i = Int(truncatingIfNeeded: hashes[id]) & mask
            while bigger[i].tagAndID != 0 { i = (i + 1) & mask }
            bigger[i] = slot
        }
        slots = bigger
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
