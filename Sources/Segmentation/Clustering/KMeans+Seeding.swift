import AttuneCore
import Linalg

// MARK: - k-means++ seeding

extension KMeans {
    /// Greedy k-means++ seeding: the first centre uniformly at random, each next one the best
    /// (lowest resulting potential) of `2 + ⌊ln k⌋` candidates drawn with probability
    /// proportional to the squared distance to the nearest centre chosen so far.
    ///
    /// ```
    /// P(choose xᵢ) = D(xᵢ)² / Σⱼ D(xⱼ)²
    /// ```
    /// The candidates' distances to every point come from one blocked `gemm` per step
    /// (`‖x‖² − 2 x·c + ‖c‖²`, clamped at 0); a chosen centre's own weight is set to exactly 0
    /// so rounding can never draw it twice.
    /// - Parameter rowNorms: `‖xᵢ‖²` for every row (computed when `nil`).
    /// - Returns: the row indices of the `k` chosen centres.
    /// - Complexity: O(n k d (2 + ln k)) through gemm, one pass over `x` per centre;
    ///   scratch memory O(n · (2 + ln k)).
    ///
    /// ## References
    /// Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007;
    /// the greedy variant as in scikit-learn's `_kmeans_plusplus`.
    static func seedIndices(_ x: Matrix, k: Int, rowNorms: [Double]? = nil, using generator: inout SeededGenerator) -> [Int] {
        let n = x.rows, d = x.columns
        guard n > 0, k > 0 else { return [] }
        let norms = rowNorms ?? NearestCentre.rowNorms(x)
        let trials = 2 + Int(Foundation.log(Double(k)))
        let block = NearestCentre.blockRows
        var chosen = [(try? generator.nextInt(below: n)) ?? 0]
        var nearest = [Double](repeating: 0, count: n)
        var centres = [Double](repeating: 0, count: trials * d)
        var centreNorms = [Double](repeating: 0, count: trials)
        var products = [Double](repeating: 0, count: block * trials)
        var potentials = [Double](repeating: 0, count: trials)
        // The candidates' distances, kept so the winner's update needs no second pass over x
        // (n × trials doubles: a quarter of x's size for d = 16, freed before Lloyd starts).
        var stored = [Double](repeating: 0, count: n * trials)
        x.elements.withUnsafeBufferPointer { e in
            guard let base = e.baseAddress else { return }
            // Distances of every row to candidate rows `candidates`, block by block; `body`
            // gets (row, candidate slot, clamped squared distance).
            func distances(to candidates: [Int], _ body: (Int, Int, Double) -> Void) {
                let t = candidates.count
                for (slot, c) in candidates.enumerated() {
                    for j in 0..<d { centres[slot * d + j] = base[c * d + j] }
                    centreNorms[slot] = norms[c]
                }
                centres.withUnsafeBufferPointer { cb in
                    products.withUnsafeMutableBufferPointer { pb in
                        guard let cp = cb.baseAddress, let pp = pb.baseAddress else { return }
                        var start = 0
                        while start < n {
                            let rows = min(block, n - start)
                            BLAS.gemm(transposeB: .transpose, m: rows, n: t, k: d, alpha: -2,
                                      a: base + start * d, lda: d, b: cp, ldb: d, beta: 0, c: pp, ldc: t)
                            for r in 0..<rows {
                                let i = start + r
                                for slot in 0..<t { body(i, slot, max(0, pp[r * t + slot] + norms[i] + centreNorms[slot])) }
                            }
                            start += rows
                        }
                    }
                }
            }
            distances(to: chosen) { i, _, v in nearest[i] = v }
            nearest[chosen[0]] = 0
            while chosen.count < k {
                var total = 0.0
                for v in nearest { total += v }
                let candidates = draw(trials, weights: nearest, total: total, generator: &generator)
                for slot in 0..<trials { potentials[slot] = 0 }
                nearest.withUnsafeBufferPointer { near in
                    potentials.withUnsafeMutableBufferPointer { pot in
                        stored.withUnsafeMutableBufferPointer { keep in
                            distances(to: candidates) { i, slot, v in
                                let m = min(near[i], v)
                                keep[i * trials + slot] = m
                                pot[slot] += m
                            }
                        }
                    }
                }
                var bestSlot = 0
                for slot in 1..<trials where potentials[slot] < potentials[bestSlot] { bestSlot = slot }
                let index = candidates[bestSlot]
                chosen.append(index)
                nearest.withUnsafeMutableBufferPointer { near in
                    stored.withUnsafeBufferPointer { keep in
                        for i in 0..<n { near[i] = keep[i * trials + bestSlot] }
                    }
                }
                nearest[index] = 0
            }
        }
        return chosen
    }

    /// An index drawn with probability proportional to `weights` (uniform when they are all 0).
    static func draw(weights: [Double], total: Double, generator: inout SeededGenerator) -> Int {
        draw(1, weights: weights, total: total, generator: &generator)[0]
    }

    /// `count` independent draws with probability proportional to `weights` (uniform when
    /// they are all 0), resolved in one pass over the weights.
    ///
    /// The result is that of `count` successive single draws: the targets are taken from the
    /// generator in the same order, and each is matched against the same running sum (the
    /// first positive weight whose cumulative sum exceeds it, else the last positive one).
    /// - Complexity: O(n + count log count).
    static func draw(_ count: Int, weights: [Double], total: Double, generator: inout SeededGenerator) -> [Int] {
        let n = weights.count
        guard total > 0, total.isFinite else { return (0..<count).map { _ in (try? generator.nextInt(below: n)) ?? 0 } }
        let targets = (0..<count).map { _ in generator.nextUniform() * total }
        let order = (0..<count).sorted { targets[$0] < targets[$1] }
        var result = [Int](repeating: 0, count: count)
        weights.withUnsafeBufferPointer { w in
            var cumulative = 0.0
            var lastPositive = 0
            var next = 0  // the smallest target not matched yet, in `order`
            for i in 0..<n where w[i] > 0 {
                cumulative += w[i]
                lastPositive = i
                while next < count && cumulative > targets[order[next]] {
                    result[order[next]] = i
                    next += 1
                }
                if next == count { return }
            }
            while next < count {
                result[order[next]] = lastPositive
                next += 1
            }
        }
        return result
    }

    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var s = 0.0
        for j in 0..<d {
            let t = a[j] - b[j]
            s += t * t
        }
        return s
    }
}

import Foundation
