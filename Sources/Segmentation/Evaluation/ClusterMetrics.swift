import AttuneCore
import Linalg

/// Label-permutation-invariant measures of clustering agreement and separation.
///
/// Labels are arbitrary integers; a label of −1 (DBSCAN noise) is treated as a cluster of
/// its own by ``adjustedRandIndex(_:_:)`` and skipped by the separation measures.
public enum ClusterMetrics {
    /// The adjusted Rand index between two labelings of the same items: 1 for identical
    /// partitions (up to renaming), about 0 for independent ones.
    ///
    /// ```
    /// ARI = (Σᵢⱼ C(nᵢⱼ,2) − [Σᵢ C(aᵢ,2) Σⱼ C(bⱼ,2)] / C(n,2))
    ///       / (½[Σᵢ C(aᵢ,2) + Σⱼ C(bⱼ,2)] − [Σᵢ C(aᵢ,2) Σⱼ C(bⱼ,2)] / C(n,2))
    /// ```
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when the
    ///   labelings differ in length.
    /// - Complexity: O(n).
    ///
    /// ## References
    /// Hubert & Arabie, "Comparing partitions", Journal of Classification 2, 1985.
    public static func adjustedRandIndex(_ a: [Int], _ b: [Int]) throws(SegmentationError) -> Double {
        guard a.count == b.count else { throw .dimensionMismatch(expected: a.count, actual: b.count, what: "labelings") }
        let n = a.count
        guard n > 1 else { return 1 }
        func pairs(_ m: Int) -> Double { Double(m) * Double(m - 1) / 2 }
        var joint: [Int64: Int] = [:]
        var rowSums: [Int: Int] = [:]
        var columnSums: [Int: Int] = [:]
        for i in 0..<n {
            joint[Int64(a[i]) << 32 ^ Int64(UInt32(truncatingIfNeeded: b[i])), default: 0] += 1
            rowSums[a[i], default: 0] += 1
            columnSums[b[i], default: 0] += 1
        }
        let index = joint.values.reduce(0) { $0 + pairs($1) }
        let sumA = rowSums.values.reduce(0) { $0 + pairs($1) }
        let sumB = columnSums.values.reduce(0) { $0 + pairs($1) }
        let expected = sumA * sumB / pairs(n)
        let maximum = (sumA + sumB) / 2
        // Both partitions trivial (all one cluster, or all singletons): identical means 1.
        guard maximum != expected else { return index == expected ? 1 : 0 }
        return (index - expected) / (maximum - expected)
    }

    /// The mean silhouette coefficient over a random sample of at most `sampleSize` rows
    /// (all rows when there are fewer), computed within the sample as scikit-learn does.
    ///
    /// ```
    /// s(i) = (b(i) − a(i)) / max(a(i), b(i))
    /// ```
    /// with `a` the mean distance to the other members of i's cluster and `b` the lowest
    /// mean distance to another cluster; `s = 0` for a point alone in its cluster.
    /// Rows labelled −1 are left out. Returns 0 when fewer than two clusters remain.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``.
    /// - Complexity: O(s² d) for a sample of s rows.
    ///
    /// ## References
    /// Rousseeuw, "Silhouettes", J. Comput. Appl. Math. 20, 1987.
    public static func silhouette(
        _ x: Matrix, labels: [Int], sampleSize: Int = 2_000, using generator: inout SeededGenerator
    ) throws(SegmentationError) -> Double {
        guard labels.count == x.rows else { throw .dimensionMismatch(expected: x.rows, actual: labels.count, what: "silhouette labels") }
        let candidates = (0..<x.rows).filter { labels[$0] >= 0 }
        var sample = candidates
        if candidates.count > sampleSize {
            let picked = (try? generator.sampleIndices(sampleSize, from: candidates.count)) ?? Array(0..<sampleSize)
            sample = picked.sorted().map { candidates[$0] }
        }
        let clusters = Array(Set(sample.map { labels[$0] })).sorted()
        guard clusters.count >= 2 else { return 0 }
        var slot: [Int: Int] = [:]
        for (k, c) in clusters.enumerated() { slot[c] = k }
        let s = sample.count, d = x.columns
        var sizes = [Int](repeating: 0, count: clusters.count)
        let sampleSlots = sample.map { slot[labels[$0]] ?? 0 }
        for k in sampleSlots { sizes[k] += 1 }
        var total = 0.0
        var sums = [Double](repeating: 0, count: clusters.count)
        x.elements.withUnsafeBufferPointer { e in
            guard let base = e.baseAddress else { return }
            for p in 0..<s {
                for k in sums.indices { sums[k] = 0 }
                let xi = base + sample[p] * d
                for q in 0..<s where q != p {
                    sums[sampleSlots[q]] += KMeans.squaredDistance(xi, base + sample[q] * d, d).squareRoot()
                }
                let own = sampleSlots[p]
                guard sizes[own] > 1 else { continue }
                let a = sums[own] / Double(sizes[own] - 1)
                var b = Double.infinity
                for k in sums.indices where k != own && sizes[k] > 0 { b = min(b, sums[k] / Double(sizes[k])) }
                let m = max(a, b)
                total += m > 0 ? (b - a) / m : 0
            }
        }
        return total / Double(s)
    }

    /// The Davies–Bouldin index (lower is better; rows labelled −1 left out).
    ///
    /// ```
    /// DB = (1/k) Σᵢ maxⱼ≠ᵢ (Sᵢ + Sⱼ) / ‖cᵢ − cⱼ‖
    /// ```
    /// with `Sᵢ` the mean distance of cluster i's members to its centroid `cᵢ`.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``.
    /// - Complexity: O(n d + k² d).
    ///
    /// ## References
    /// Davies & Bouldin, "A cluster separation measure", IEEE TPAMI 1(2), 1979.
    public static func daviesBouldin(_ x: Matrix, labels: [Int]) throws(SegmentationError) -> Double {
        guard labels.count == x.rows else { throw .dimensionMismatch(expected: x.rows, actual: labels.count, what: "Davies–Bouldin labels") }
        let clusters = Array(Set(labels.filter { $0 >= 0 })).sorted()
        guard clusters.count >= 2 else { return 0 }
        var slot: [Int: Int] = [:]
        for (k, c) in clusters.enumerated() { slot[c] = k }
        let k = clusters.count, d = x.columns
        var centroids = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        for i in 0..<x.rows {
            guard let c = slot[labels[i]] else { continue }
            counts[c] += 1
            for t in 0..<d { centroids[c * d + t] += x.elements[i * d + t] }
        }
        for c in 0..<k { for t in 0..<d { centroids[c * d + t] /= Double(counts[c]) } }
        var scatter = [Double](repeating: 0, count: k)
        var index = 0.0
        x.elements.withUnsafeBufferPointer { e in
            centroids.withUnsafeBufferPointer { cb in
                guard let xb = e.baseAddress, let cc = cb.baseAddress else { return }
                for i in 0..<x.rows {
                    guard let c = slot[labels[i]] else { continue }
                    scatter[c] += KMeans.squaredDistance(xb + i * d, cc + c * d, d).squareRoot()
                }
                for c in 0..<k { scatter[c] /= Double(counts[c]) }
                var total = 0.0
                for i in 0..<k {
                    var worst = 0.0
                    for j in 0..<k where j != i {
                        let separation = KMeans.squaredDistance(cc + i * d, cc + j * d, d).squareRoot()
                        worst = max(worst, separation > 0 ? (scatter[i] + scatter[j]) / separation : .infinity)
                    }
                    total += worst
                }
                index = total / Double(k)
            }
        }
        return index
    }
}
