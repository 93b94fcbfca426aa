/// Sorts one column of doubles at a time, stably, with buffers kept between columns so that
/// sorting every feature of a tree's input allocates once per worker.
///
/// A least-significant-digit radix sort on 32-bit keys, three passes of 11 bits, followed
/// by an exact fix-up. The key of a value is its nearest `Float` with the bit pattern made
/// order-preserving (negative numbers: all bits flipped; others: the sign bit set).
/// Rounding to `Float` is monotone, so the keys are already in value order except inside
/// runs of equal keys, which are then ordered by the exact double (ties by row). Runs are
/// short for continuous data; a long run (many distinct rows within one `Float` step) that
/// is not already in order falls back to a comparison sort of that run only. A pass whose
/// digit is the same for every key is skipped. −0 sorts just before +0; NaN is never passed
/// (the tree rejects it first).
/// - Complexity: O(n) per column for the radix passes, plus O(m log m) for each run of m
///   values sharing a `Float` key; memory O(n).
///
/// ## References
/// Knuth, "The Art of Computer Programming", vol. 3, §5.2.5 (radix sorting).
struct RadixSorter {
    static let digitBits = 11
    static let passes = 3
    static let buckets = 1 << digitBits
    /// Runs of equal keys up to this length are fixed up by insertion.
    static let insertionRun = 16

    private var column: [Double]
    private var keys: [UInt32]
    private var rows: [Int32]
    private var scratchKeys: [UInt32]
    private var scratchRows: [Int32]
    private var histogram: [Int]

    /// Buffers for columns of `n` values.
    init(n: Int) {
        column = [Double](repeating: 0, count: n)
        keys = [UInt32](repeating: 0, count: n)
        rows = [Int32](repeating: 0, count: n)
        scratchKeys = keys
        scratchRows = rows
        histogram = [Int](repeating: 0, count: RadixSorter.passes * RadixSorter.buckets)
    }

    /// The order-preserving key of a double's nearest `Float`.
    @inline(__always)
    static func key(_ v: Double) -> UInt32 {
        let bits = Float(v).bitPattern
        return bits >> 31 == 1 ? ~bits : bits | (1 << 31)
    }

    /// Sorts the `n` contiguous values at `source` (one per row), calling
    /// `body(position, row, value)` for every position of the sorted order (ties keep row
    /// order). `source` may be overwritten by `body`: the sorter works on its own copy.
    mutating func sort(_ source: UnsafePointer<Double>, _ body: (_ position: Int, _ row: Int32, _ value: Double) -> Void) {
        let n = keys.count
        guard n > 0 else { return }
        let mask = UInt32(RadixSorter.buckets - 1)
        column.withUnsafeMutableBufferPointer { cb in
            keys.withUnsafeMutableBufferPointer { kb in
                rows.withUnsafeMutableBufferPointer { rb in
                    scratchKeys.withUnsafeMutableBufferPointer { skb in
                        scratchRows.withUnsafeMutableBufferPointer { srb in
                            histogram.withUnsafeMutableBufferPointer { hb in
                                guard let values = cb.baseAddress, var srcK = kb.baseAddress, var srcR = rb.baseAddress,
                                      var dstK = skb.baseAddress, var dstR = srb.baseAddress, let hist = hb.baseAddress
                                else { return }
                                hist.update(repeating: 0, count: hb.count)
                                let h0 = hist, h1 = hist + RadixSorter.buckets, h2 = hist + 2 * RadixSorter.buckets
                                for i in 0..<n {
                                    let v = source[i]
                                    let key = RadixSorter.key(v)
                                    values[i] = v
                                    srcK[i] = key
                                    srcR[i] = Int32(truncatingIfNeeded: i)
                                    h0[Int(key & mask)] += 1
                                    h1[Int((key >> 11) & mask)] += 1
                                    h2[Int(key >> 22)] += 1
                                }
                                for pass in 0..<RadixSorter.passes {
                                    let counts = hist + pass * RadixSorter.buckets
                                    let shift = UInt32(pass * RadixSorter.digitBits)
                                    // Every key has the same digit: the pass would not move anything.
                                    if counts[Int((srcK[0] >> shift) & mask)] == n { continue }
                                    var offset = 0
                                    for b in 0..<RadixSorter.buckets {
                                        let c = counts[b]
                                        counts[b] = offset
                                        offset += c
                                    }
                                    for i in 0..<n {
                                        let key = srcK[i]
                                        let b = Int((key >> shift) & mask)
                                        let target = counts[b]
                                        counts[b] = target + 1
                                        dstK[target] = key
                                        dstR[target] = srcR[i]
                                    }
                                    swap(&srcK, &dstK)
                                    swap(&srcR, &dstR)
                                }
                                RadixSorter.fixRuns(keys: srcK, rows: srcR, values: values, n: n)
                                for p in 0..<n {
                                    let row = srcR[p]
                                    body(p, row, values[Int(row)])
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Orders every run of equal keys by (exact value, row).
    private static func fixRuns(keys: UnsafePointer<UInt32>, rows: UnsafeMutablePointer<Int32>, values: UnsafePointer<Double>, n: Int) {
        @inline(__always)
        func before(_ a: Int32, _ b: Int32) -> Bool {
            let va = values[Int(a)], vb = values[Int(b)]
            return va < vb || (va == vb && a < b)
        }
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && keys[end] == keys[start] { end += 1 }
            let length = end - start
            if length > RadixSorter.insertionRun && !(start..<(end - 1)).allSatisfy({ !before(rows[$0 + 1], rows[$0]) }) {
                var run = Array(UnsafeBufferPointer(start: rows + start, count: length))
                run.sort(by: before)
                for (k, row) in run.enumerated() { rows[start + k] = row }
            } else if length > 1 {
                for p in (start + 1)..<end {
                    let row = rows[p]
                    var q = p
                    while q > start && before(row, rows[q - 1]) {
                        rows[q] = rows[q - 1]
                        q -= 1
                    }
                    rows[q] = row
                }
            }
            start = end
        }
    }
}
