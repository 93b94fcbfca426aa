import Linalg

// MARK: - Merging shards

extension RidgeArms {
    /// Adds the observations held by `other` (a shard that started from the same prior):
    /// ```
    /// A = A₁ + A₂ − λI,   b = b₁ + b₂,   θ = A⁻¹ b
    /// ```
    /// Only inverses are stored, so each `A_i` is recovered as the inverse of its stored
    /// inverse (Cholesky), exact up to rounding of order cond(A)·ε.
    /// - Throws: `BanditsError.snapshotMismatch` when the shapes, ridge or forgetting differ,
    ///   `BanditsError.invalidParameter` with forgetting (discounted shards have no common
    ///   clock), `BanditsError.numerical` if a matrix is not positive definite.
    /// - Complexity: O(K d³); allocates.
    mutating func merge(_ other: RidgeArms) throws(BanditsError) {
        guard other.count == count, other.dimension == dimension, other.ridge == ridge, other.forgetting == forgetting else {
            throw .snapshotMismatch(reason: "the shard has another shape or configuration")
        }
        guard forgetting == 1 else {
            throw .invalidParameter(field: "forgetting", value: "\(forgetting)", expected: "1 to merge shards (discounted statistics have no common clock)")
        }
        guard window == 0 else {
            throw .invalidParameter(field: "window", value: "\(window)", expected: "0 to merge shards (each shard's window holds other rounds)")
        }
        let d = dimension
        guard d > 0 else {
            for a in 0..<count { counts[a] += other.counts[a] }
            return
        }
        do {
            for a in 0..<count {
                let range = a * d * d..<(a + 1) * d * d
                let mine = try Cholesky(Matrix(rows: d, columns: d, elements: Array(inverses[range]))).inverse()
                let theirs = try Cholesky(Matrix(rows: d, columns: d, elements: Array(other.inverses[range]))).inverse()
                var sum = mine.elements
                for i in 0..<(d * d) { sum[i] += theirs.elements[i] }
                for i in 0..<d { sum[i * d + i] -= ridge }
                let inverse = try Cholesky(Matrix(rows: d, columns: d, elements: sum)).inverse()
                inverses.replaceSubrange(range, with: inverse.elements)
                for i in 0..<d { targets[a * d + i] += other.targets[a * d + i] }
                counts[a] += other.counts[a]
                var largest = 0.0
                for i in 0..<d { largest = max(largest, inverse.elements[i * d + i]) }
                largestDiagonal[a] = largest
                inverses.withUnsafeBufferPointer { inv in
                    targets.withUnsafeBufferPointer { b in
                        coefficients.withUnsafeMutableBufferPointer { theta in
                            BLAS.gemv(m: d, n: d, a: inv.baseAddress! + a * d * d, lda: d, x: b.baseAddress! + a * d,
                                      y: theta.baseAddress! + a * d)
                        }
                    }
                }
            }
        } catch {
            throw .numerical("merging ridge statistics: \(error.description)")
        }
        clock += other.clock
        refreshPacked()
    }
}
