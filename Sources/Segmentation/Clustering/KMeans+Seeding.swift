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
    /// Distances here are computed directly (`Σ (x − c)²`), not by the gemm expansion, so the
    /// draws are exact and reproducible.
    /// - Returns: the row indices of the `k` chosen centres.
    /// - Complexity: O(n k d (2 + ln k)).
    ///
    /// ## References
    /// Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007;
    /// the greedy variant as in scikit-learn's `_kmeans_plusplus`.
    static func seedIndices(_ x: Matrix, k: Int, using generator: inout SeededGenerator) -> [Int] {
        let n = x.rows, d = x.columns
        guard n > 0, k > 0 else { return [] }
        let trials = 2 + Int(Foundation.log(Double(k)))
        var chosen = [(try? generator.nextInt(below: n)) ?? 0]
        var nearest = [Double](repeating: 0, count: n)
        var candidate = [Double](repeating: 0, count: n)
        var best = [Double](repeating: 0, count: n)
        x.elements.withUnsafeBufferPointer { e in
            guard let base = e.baseAddress else { return }
            for i in 0..<n { nearest[i] = squaredDistance(base + i * d, base + chosen[0] * d, d) }
            while chosen.count < k {
                let total = nearest.reduce(0, +)
                var bestPotential = Double.infinity
                var bestIndex = -1
                for _ in 0..<trials {
                    let index = draw(weights: nearest, total: total, generator: &generator)
                    var potential = 0.0
                    for i in 0..<n {
                        let v = min(nearest[i], squaredDistance(base + i * d, base + index * d, d))
                        candidate[i] = v
                        potential += v
                    }
                    if potential < bestPotential {
                        bestPotential = potential
                        bestIndex = index
                        swap(&best, &candidate)
                    }
                }
                chosen.append(bestIndex)
                swap(&nearest, &best)
            }
        }
        return chosen
    }

    /// An index drawn with probability proportional to `weights` (uniform when they are all 0).
    static func draw(weights: [Double], total: Double, generator: inout SeededGenerator) -> Int {
        let n = weights.count
        guard total > 0, total.isFinite else { return (try? generator.nextInt(below: n)) ?? 0 }
        let target = generator.nextUniform() * total
        var cumulative = 0.0
        var lastPositive = 0
        for i in 0..<n where weights[i] > 0 {
            cumulative += weights[i]
            lastPositive = i
            if cumulative > target { return i }
        }
        return lastPositive
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
