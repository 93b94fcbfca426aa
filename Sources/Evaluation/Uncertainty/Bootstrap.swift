import AttuneCore
import Dispatch
import Foundation
import Linalg

/// Bootstrap percentile intervals for several estimators at once, in parallel and seeded.
///
/// Each replicate draws `n` rounds with replacement and recomputes every estimator's value
/// from its per-round terms (self-normalized estimators are re-normalized within the
/// replicate). Replicate `r` draws from the child stream `SeededGenerator(seed).child(r)`
/// and writes its own slot, so the intervals are identical whatever the number of threads.
/// All estimators share the same resamples, which also makes their intervals comparable.
/// Logs of more than 65,536 rounds use the Poisson bootstrap (independent Poisson(1) counts
/// per round, drawn in order, block by block), which is asymptotically equivalent and stays
/// in cache at any size.
///
/// ```
/// lowₑ, highₑ = quantiles (1 − c)/2 and (1 + c)/2 of { V̂ₑ(resample r) : r = 1…B }
/// ```
/// (quantiles by linear interpolation between order statistics). Indices are drawn exactly
/// uniformly by Lemire's multiply-and-reject method, two per 64-bit word when n < 2³².
///
/// ## References
/// Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993, §13.3 (percentile interval).
public struct Bootstrap: Sendable {
    /// The number of replicates `B`.
    public let replicates: Int
    /// The interval's confidence level, in (0, 1).
    public let confidence: Double
    /// The seed of the resampling streams.
    public let seed: UInt64
    /// The number of threads (≥ 1).
    public let threads: Int

    /// Creates a bootstrap.
    /// - Throws: `EvaluationError.invalidParameter` for `replicates < 2`, a confidence outside
    ///   (0, 1), or `threads < 1`.
    public init(replicates: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 0, threads: Int? = nil) throws(EvaluationError) {
        guard replicates >= 2 else {
            throw .invalidParameter(field: "bootstrap_replicates", value: "\(replicates)", expected: "an integer ≥ 2")
        }
        _ = try Estimate.normalQuantile(forConfidence: confidence)
        let t = threads ?? defaultThreadCount()
        guard t >= 1 else { throw .invalidParameter(field: "threads", value: "\(t)", expected: "an integer ≥ 1") }
        self.replicates = replicates
        self.confidence = confidence
        self.seed = seed
        self.threads = t
    }

    /// The value of every estimator on every replicate: `result[e][r]`.
    /// - Throws: `EvaluationError.shapeMismatch` when the contributions differ in length.
    /// - Complexity: O(B · n · E) work (one resampling pass and a few BLAS dot products per
    ///   replicate), spread over `threads`; O(n) memory per thread.
    public func replicateValues(_ contributions: [Contributions], sampleWeights: [Double] = []) throws(EvaluationError) -> [[Double]] {
        guard let n = contributions.first?.count, n > 0 else { return contributions.map { _ in [] } }
        for c in contributions where c.count != n {
            throw .shapeMismatch(what: "contributions of \(c.estimator)", expected: n, actual: c.count)
        }
        guard sampleWeights.isEmpty || sampleWeights.count == n else {
            throw .shapeMismatch(what: "sample weights", expected: n, actual: sampleWeights.count)
        }
        let e = contributions.count
        // Flat, estimator-major copies of the sample-weighted terms sᵢcᵢ, sᵢaᵢ, sᵢbᵢ (a, b
        // zero for plain estimators), so that a replicate is a few dot products with its
        // resampling counts.
        var direct = [Double](repeating: 0, count: e * n)
        var weighted = [Double](repeating: 0, count: e * n)
        var normalizers = [Double](repeating: 0, count: e * n)
        var selfNormalized = [Bool](repeating: false, count: e)
        for (k, c) in contributions.enumerated() {
            for i in 0..<n {
                let si = sampleWeights.isEmpty ? 1 : sampleWeights[i]
                direct[k * n + i] = si * c.direct[i]
                if !c.weighted.isEmpty {
                    weighted[k * n + i] = si * c.weighted[i]
                    normalizers[k * n + i] = si * c.normalizers[i]
                }
            }
            selfNormalized[k] = !c.weighted.isEmpty
        }
        let weights = sampleWeights.isEmpty ? [Double](repeating: 1, count: n) : sampleWeights
        let isSelfNormalized = selfNormalized
        if n > Self.multinomialLimit {
            return poissonReplicates(n: n, e: e, direct: direct, weighted: weighted, normalizers: normalizers,
                                     weights: weights, selfNormalized: isSelfNormalized)
        }
        var values = [Double](repeating: 0, count: e * replicates)
        let root = SeededGenerator(seed: seed)
        let b = replicates
        let chunks = min(threads, b)
        values.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            direct.withUnsafeBufferPointer { cp in
                weighted.withUnsafeBufferPointer { ap in
                    normalizers.withUnsafeBufferPointer { bp in
                        weights.withUnsafeBufferPointer { sp in
                            nonisolated(unsafe) let (c, a, bb, s) = (cp.baseAddress!, ap.baseAddress!, bp.baseAddress!, sp.baseAddress!)
                            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                                // counts[i]: how often round i was drawn in this replicate.
                                var counts = [Double](repeating: 0, count: n)
                                counts.withUnsafeMutableBufferPointer { countBuffer in
                                    let counts = countBuffer.baseAddress!
                                    var r = chunk
                                    while r < b {
                                        var generator = root.child(UInt64(r))
                                        var drawer = IndexDrawer(count: n)
                                        countBuffer.update(repeating: 0)
                                        for _ in 0..<n { counts[drawer.next(&generator)] += 1 }
                                        let total = BLAS.dot(n: n, x: counts, y: s)
                                        for k in 0..<e {
                                            var v = BLAS.dot(n: n, x: counts, y: c + k * n) / total
                                            if isSelfNormalized[k] {
                                                let denominator = BLAS.dot(n: n, x: counts, y: bb + k * n)
                                                if denominator != 0 { v += BLAS.dot(n: n, x: counts, y: a + k * n) / denominator }
                                            }
                                            out[k * b + r] = v
                                        }
                                        r += chunks
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<e).map { k in Array(values[(k * b)..<((k + 1) * b)]) }
    }

    /// Percentile intervals `(low, high)` for every estimator.
    /// - Throws: as ``replicateValues(_:sampleWeights:)``.
    /// - Complexity: O(B · n · E + E · B log B).
    public func intervals(_ contributions: [Contributions], sampleWeights: [Double] = []) throws(EvaluationError) -> [(low: Double, high: Double)] {
        let alpha = 1 - confidence
        return try replicateValues(contributions, sampleWeights: sampleWeights).map { values in
            let sorted = values.sorted()
            return (quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2))
        }
    }
}

// MARK: - Poisson bootstrap for large logs

extension Bootstrap {
    /// Above this many rounds the replicates use Poisson(1) counts: the multinomial counts'
    /// random increments then miss the caches, while Poisson counts are drawn in order.
    static let multinomialLimit = 65_536
    /// Rounds per block: a block's terms stay in cache while every replicate visits it.
    static let blockRounds = 4096

    /// `⌊F(k) · 2³²⌋` for the Poisson(1) distribution function, k = 0…15.
    static let poissonThresholds: [UInt64] = {
        var thresholds: [UInt64] = []
        var term = 0.36787944117144233, cumulative = 0.0  // e⁻¹ / k!
        for k in 0..<16 {
            cumulative += term
            term /= Double(k + 1)
            thresholds.append(UInt64(min(cumulative, 1) * 4_294_967_296))
        }
        return thresholds
    }()

    /// The Poisson(1) count for each value of a uniform's top 8 bits when the whole bin maps
    /// to one count (all but a few bins), −1 where a threshold splits the bin.
    static let poissonPrefix: [Int8] = (0..<256).map { bin in
        let low = poissonCount(UInt64(bin) << 24), high = poissonCount((UInt64(bin + 1) << 24) - 1)
        return low == high ? Int8(low) : -1
    }

    /// The Poisson(1) count for a 32-bit uniform `u` by inversion of the distribution function.
    @inline(__always)
    static func poissonCount(_ u: UInt64) -> Int {
        var k = 0
        while k < 15, u >= poissonThresholds[k] { k += 1 }
        return k
    }

    /// Replicate values with independent Poisson(1) counts per round (block by block, every
    /// replicate visiting a block while its terms are in cache). Counts of round block `j` in
    /// replicate `r` come from `SeededGenerator(seed).child(r).child(j)`, two per 64-bit word,
    /// by inversion of the distribution function at 2⁻³² resolution (counts above 15, of
    /// probability below 10⁻¹³, are cut at 15).
    ///
    /// ## References
    /// Hanley & MacGibbon, "Creating non-parametric bootstrap samples using Poisson
    /// frequencies", Computer Methods and Programs in Biomedicine 83, 2006; Chamandy, Muralidharan,
    /// Najmi & Naidu, "Estimating uncertainty for massive data streams", Google, 2012.
    func poissonReplicates(
        n: Int, e: Int, direct: [Double], weighted: [Double], normalizers: [Double], weights: [Double], selfNormalized: [Bool]
    ) -> [[Double]] {
        let b = replicates
        let chunks = min(threads, b)
        let root = SeededGenerator(seed: seed)
        let width = 3 * e + 1  // per replicate: Σcs, then (Σc·c, Σc·a, Σc·b) per estimator
        let blocks = (n + Self.blockRounds - 1) / Self.blockRounds
        let prefixTable = Self.poissonPrefix.map { Double($0) }  // −1: a split bin
        // Each distinct column of terms is dotted once per replicate and block; dot products
        // known in advance are skipped: with unit sample weights Σ count·s is the number of
        // draws, an all-zero column (the direct part of SNIPS) adds 0, and a column equal to an
        // earlier one (IPS's terms are SNIPS's numerators) reuses its dot product.
        let unitWeights = weights.allSatisfy { $0 == 1 }
        var plan = DotPlan(width: width)
        plan.add(slot: 0, source: 3, offset: 0, column: weights[...], skip: unitWeights)
        for k in 0..<e {
            let range = (k * n)..<((k + 1) * n)
            plan.add(slot: 1 + 3 * k, source: 0, offset: k * n, column: direct[range], skip: !direct[range].contains { $0 != 0 })
            if selfNormalized[k] {
                plan.add(slot: 2 + 3 * k, source: 1, offset: k * n, column: weighted[range], skip: false)
                plan.add(slot: 3 + 3 * k, source: 2, offset: k * n, column: normalizers[range], skip: false)
            }
        }
        let dotPlan = plan
        var sums = [Double](repeating: 0, count: b * width)
        sums.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            direct.withUnsafeBufferPointer { cp in
                weighted.withUnsafeBufferPointer { ap in
                    normalizers.withUnsafeBufferPointer { bp in
                        weights.withUnsafeBufferPointer { sp in
                            prefixTable.withUnsafeBufferPointer { pp in
                              nonisolated(unsafe) let sources = [cp.baseAddress!, ap.baseAddress!, bp.baseAddress!, sp.baseAddress!]
                              nonisolated(unsafe) let prefix = pp
                              DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                                  var counts = [Double](repeating: 0, count: Self.blockRounds)
                                  var dots = [Double](repeating: 0, count: dotPlan.columns.count)
                                  let columns = dotPlan.columns.map { sources[$0.source] + $0.offset }
                                  let replicateRoots = stride(from: chunk, to: b, by: chunks).map { root.child(UInt64($0)) }
                                  counts.withUnsafeMutableBufferPointer { countBuffer in
                                      let counts = countBuffer.baseAddress!
                                      for block in 0..<blocks {
                                          let start = block * Self.blockRounds
                                          let length = min(Self.blockRounds, n - start)
                                          for (slot, replicateRoot) in replicateRoots.enumerated() {
                                              let r = chunk + slot * chunks
                                              var generator = replicateRoot.child(UInt64(block))
                                              var i = 0
                                              var drawn = 0.0
                                              // One table look-up resolves almost every draw; the
                                              // few split bins fall back to the comparisons.
                                              while i + 1 < length {
                                                  let word = generator.next()
                                                  let u0 = word >> 32, u1 = word & 0xFFFF_FFFF
                                                  var v0 = prefix[Int(truncatingIfNeeded: u0 >> 24)]
                                                  if v0 < 0 { v0 = Double(Self.poissonCount(u0)) }
                                                  var v1 = prefix[Int(truncatingIfNeeded: u1 >> 24)]
                                                  if v1 < 0 { v1 = Double(Self.poissonCount(u1)) }
                                                  counts[i] = v0
                                                  counts[i + 1] = v1
                                                  drawn += v0 + v1
                                                  i += 2
                                              }
                                              if i < length {  // an odd block: the word's second half is unused
                                                  let u0 = generator.next() >> 32
                                                  var v0 = prefix[Int(truncatingIfNeeded: u0 >> 24)]
                                                  if v0 < 0 { v0 = Double(Self.poissonCount(u0)) }
                                                  counts[i] = v0
                                                  drawn += v0
                                              }
                                              for u in 0..<columns.count { dots[u] = BLAS.dot(n: length, x: counts, y: columns[u] + start) }
                                              let o = r * width
                                              out[o] += unitWeights ? drawn : dots[dotPlan.slotColumn[0]]
                                              for q in 1..<width {
                                                  let u = dotPlan.slotColumn[q]
                                                  if u >= 0 { out[o + q] += dots[u] }
                                              }
                                          }
                                      }
                                  }
                              }
                            }
                        }
                    }
                }
            }
        }
        return (0..<e).map { k in
            (0..<b).map { r in
                let o = r * width
                var v = out(sums[o + 1 + 3 * k], over: sums[o])
                if selfNormalized[k], sums[o + 3 + 3 * k] != 0 { v += sums[o + 2 + 3 * k] / sums[o + 3 + 3 * k] }
                return v
            }
        }
    }

    private func out(_ numerator: Double, over denominator: Double) -> Double {
        denominator != 0 ? numerator / denominator : .nan
    }
}

/// Which columns of terms a Poisson replicate dots its counts with: each distinct column
/// once, each slot of a replicate's sums pointing at its column (−1: adds nothing).
struct DotPlan: Sendable {
    /// Distinct columns: which array (0 direct, 1 weighted, 2 normalizers, 3 weights) and the
    /// column's start in it.
    private(set) var columns: [(source: Int, offset: Int)] = []
    /// Per slot of a replicate's sums, the index in ``columns`` or −1.
    private(set) var slotColumn: [Int]
    private var values: [ArraySlice<Double>] = []

    init(width: Int) { slotColumn = [Int](repeating: -1, count: width) }

    /// Assigns `slot` the column `column` (found at `offset` of array `source`), reusing an
    /// equal column already planned; `skip` leaves the slot at −1.
    /// - Complexity: O(columns · n) in the worst case (equal columns compared in full).
    mutating func add(slot: Int, source: Int, offset: Int, column: ArraySlice<Double>, skip: Bool) {
        guard !skip else { return }
        if let same = values.firstIndex(where: { $0.elementsEqual(column) }) {
            slotColumn[slot] = same
            return
        }
        slotColumn[slot] = columns.count
        columns.append((source, offset))
        values.append(column)
    }
}

/// The `p`-quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan's type 7).
func quantile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let h = Double(sorted.count - 1) * p
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
}

/// The number of processors online, at least 1.
func defaultThreadCount() -> Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// Exactly uniform indices in `0..<count`: Lemire's multiply-and-reject on 32-bit halves of
/// the generator's words (two draws per word) when `count < 2³²`, on whole words otherwise.
///
/// ## References
/// Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
struct IndexDrawer {
    private let bound: UInt64
    private let threshold: UInt64
    private let halves: Bool
    private var spare: UInt64 = 0
    private var hasSpare = false

    init(count: Int) {
        bound = UInt64(max(count, 1))
        halves = bound < (1 << 32)
        threshold = halves ? ((1 << 32) - bound) % bound : (0 &- bound) % bound
    }

    /// The next index.
    /// - Complexity: O(1) expected, no allocation.
    @inline(__always)
    mutating func next(_ generator: inout SeededGenerator) -> Int {
        if !halves {
            while true {
                let product = generator.next().multipliedFullWidth(by: bound)
                if product.low >= threshold { return Int(truncatingIfNeeded: product.high) }
            }
        }
        while true {
            let u: UInt64
            if hasSpare {
                u = spare
                hasSpare = false
            } else {
                let word = generator.next()
                u = word >> 32
                spare = word & 0xFFFF_FFFF
                hasSpare = true
            }
            let m = u &* bound
            if m & 0xFFFF_FFFF >= threshold { return Int(truncatingIfNeeded: m >> 32) }
        }
    }
}
