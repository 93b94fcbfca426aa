import Linalg

/// A projection onto the leading principal components, for the report's 2-D scatter.
///
/// The covariance `C = (X − μ)ᵀ(X − μ) / n` is formed with one `syrk` and decomposed with
/// `syevd`; the components are the eigenvectors of the largest eigenvalues.
///
/// ## References
/// Pearson, "On lines and planes of closest fit to systems of points in space", 1901;
/// Jolliffe, "Principal Component Analysis", 2nd ed., 2002.
public struct PCAProjection: Sendable, Equatable, Codable {
    /// The column means subtracted before projecting.
    public var mean: [Double]
    /// The components, `count × d` row-major (unit vectors, largest variance first).
    public var components: Matrix
    /// The variance along each component (the eigenvalues).
    public var variances: [Double]
    /// The share of the total variance the components explain, in [0, 1].
    public var explainedShare: Double

    /// Fits `count` components to the rows of `x`.
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` for fewer than
    ///   two rows or fewer columns than `count`, ``SegmentationError/linearAlgebra(_:)`` when the
    ///   eigendecomposition fails.
    /// - Complexity: O(n d² + d³).
    public init(fitting x: Matrix, count: Int = 2) throws(SegmentationError) {
        let n = x.rows, d = x.columns
        guard n >= 2 else { throw .insufficientData(needed: 2, available: n, what: "PCA rows") }
        guard d >= count, count >= 1 else { throw .insufficientData(needed: count, available: d, what: "PCA columns") }
        try Scaler.checkFinite(x)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x.elements[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centred = x.elements
        for i in 0..<n { for j in 0..<d { centred[i * d + j] -= mean[j] } }
        var covariance = Matrix(rows: d, columns: d)
        centred.withUnsafeBufferPointer { a in
            covariance.elements.withUnsafeMutableBufferPointer { c in
                guard let ap = a.baseAddress, let cp = c.baseAddress else { return }
                BLAS.syrk(triangle: .lower, transpose: .transpose, n: d, k: n, alpha: 1 / Double(n), a: ap, lda: d, beta: 0, c: cp, ldc: d)
            }
        }
        covariance.symmetrize(from: .lower)
        let eigen: SymmetricEigendecomposition
        do {
            eigen = try covariance.symmetricEigendecomposition()
        } catch {
            throw .linearAlgebra(error.description)
        }
        var components = Matrix(rows: count, columns: d)
        var variances: [Double] = []
        for c in 0..<count {
            let column = d - 1 - c  // eigenvalues ascend
            variances.append(max(0, eigen.values[column]))
            // Fix the sign so the largest-magnitude loading is positive: reproducible plots.
            var sign = 1.0
            var largest = 0.0
            for j in 0..<d where abs(eigen.vectors[j, column]) > largest {
                largest = abs(eigen.vectors[j, column])
                sign = eigen.vectors[j, column] < 0 ? -1 : 1
            }
            for j in 0..<d { components[c, j] = sign * eigen.vectors[j, column] }
        }
        let total = (0..<d).reduce(0.0) { $0 + max(0, eigen.values[$1]) }
        self.mean = mean
        self.components = components
        self.variances = variances
        self.explainedShare = total > 0 ? variances.reduce(0, +) / total : 0
    }

    /// The coordinates of each row of `x` on the components (`n × count`).
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``.
    /// - Complexity: O(n d count) through gemm.
    public func project(_ x: Matrix) throws(SegmentationError) -> Matrix {
        let d = mean.count
        guard x.columns == d else { throw .dimensionMismatch(expected: d, actual: x.columns, what: "PCA input") }
        var centred = x.elements
        for i in 0..<x.rows { for j in 0..<d { centred[i * d + j] -= mean[j] } }
        var out = Matrix(rows: x.rows, columns: components.rows)
        centred.withUnsafeBufferPointer { a in
            components.elements.withUnsafeBufferPointer { b in
                out.elements.withUnsafeMutableBufferPointer { c in
                    guard let ap = a.baseAddress, let bp = b.baseAddress, let cp = c.baseAddress, x.rows > 0 else { return }
                    BLAS.gemm(transposeB: .transpose, m: x.rows, n: components.rows, k: d, a: ap, lda: d, b: bp, ldb: d, c: cp, ldc: components.rows)
                }
            }
        }
        return out
    }
}
