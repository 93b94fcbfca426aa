/// Counters keyed by a pair of small non-negative integers (a customer row and a category
/// id): open addressing with linear probing, load factor at most ½, each key stored next to
/// its counter so an update touches one cache line.
///
/// It holds one counter per distinct pair seen, so a customer costs memory only for the
/// categories they touched, and an event costs one integer hash and probe, no `String`.
/// - Complexity: expected O(1) per operation, amortised over growth.
struct PairCountTable: Sendable {
    private struct Entry: Sendable {
        var key = PairCountTable.empty
        var count = 0
    }

    private static let empty = UInt64.max
    private var entries: [Entry]
    private(set) var count = 0

    /// Creates an empty table.
    init() {
        entries = [Entry](repeating: Entry(), count: 64)
    }

    @inline(__always)
    private static func key(_ a: Int, _ b: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: a) << 32 | UInt64(truncatingIfNeeded: b) & 0xFFFF_FFFF
    }

    @inline(__always)
    private static func start(_ key: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: ByteHash.mix(key)) & mask
    }

    /// Adds one to the counter of `(a, b)`.
    @inline(__always)
    mutating func increment(_ a: Int, _ b: Int) {
        let k = PairCountTable.key(a, b)
        let mask = entries.count - 1
        var i = PairCountTable.start(k, mask: mask)
        while true {
            let slot = entries[i].key
            if slot == k {
                entries[i].count &+= 1
                return
            }
            if slot == PairCountTable.empty { break }
            i = (i + 1) & mask
        }
        entries[i] = Entry(key: k, count: 1)
        count += 1
        if 2 * count > entries.count { grow() }
    }

    /// The counter of `(a, b)` (0 when never incremented).
    func value(_ a: Int, _ b: Int) -> Int {
        let k = PairCountTable.key(a, b)
        let mask = entries.count - 1
        var i = PairCountTable.start(k, mask: mask)
        while true {
            let entry = entries[i]
            if entry.key == k { return entry.count }
            if entry.key == PairCountTable.empty { return 0 }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        var bigger = [Entry](repeating: Entry(), count: entries.count * 2)
        let mask = bigger.count - 1
        for entry in entries where entry.key != PairCountTable.empty {
            var i = PairCountTable.start(entry.key, mask: mask)
            while bigger[i].key != PairCountTable.empty { i = (i + 1) & mask }
            bigger[i] = entry
        }
        entries = bigger
    }
}
