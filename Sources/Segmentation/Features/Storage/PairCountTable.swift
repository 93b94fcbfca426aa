/// Counters keyed by a pair of small non-negative integers (a customer row and a category
/// id): open addressing with linear probing, load factor at most ½.
///
/// It holds one counter per distinct pair seen, so a customer costs memory only for the
/// categories they touched, and an event costs one integer hash and probe, no `String`.
/// - Complexity: expected O(1) per operation, amortised over growth.
struct PairCountTable: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var counts: [Int]
    private(set) var count = 0

    /// Creates an empty table.
    init() {
        keys = [UInt64](repeating: PairCountTable.empty, count: 64)
        counts = [Int](repeating: 0, count: 64)
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
        let mask = keys.count - 1
        var i = PairCountTable.start(k, mask: mask)
        while true {
            let slot = keys[i]
            if slot == k {
                counts[i] &+= 1
                return
            }
            if slot == PairCountTable.empty { break }
            i = (i + 1) & mask
        }
        keys[i] = k
        counts[i] = 1
        count += 1
        if 2 * count > keys.count { grow() }
    }

    /// The counter of `(a, b)` (0 when never incremented).
    func value(_ a: Int, _ b: Int) -> Int {
        let k = PairCountTable.key(a, b)
        let mask = keys.count - 1
        var i = PairCountTable.start(k, mask: mask)
        while true {
            let slot = keys[i]
            if slot == k { return counts[i] }
            if slot == PairCountTable.empty { return 0 }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let n = keys.count * 2, mask = n - 1
        var biggerKeys = [UInt64](repeating: PairCountTable.empty, count: n)
        var biggerCounts = [Int](repeating: 0, count: n)
        for (k, c) in zip(keys, counts) where k != PairCountTable.empty {
            var i = PairCountTable.start(k, mask: mask)
            while biggerKeys[i] != PairCountTable.empty { i = (i + 1) & mask }
            biggerKeys[i] = k
            biggerCounts[i] = c
        }
        keys = biggerKeys
        counts = biggerCounts
    }
}
