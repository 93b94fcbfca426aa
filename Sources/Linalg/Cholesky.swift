#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Cholesky factorization `A = L Lᵀ` of a symmetric positive definite matrix.
///
/// `L` is lower triangular with a positive diagonal. Factor once in O(n³/3), then solve in
/// O(n²) per right-hand side, invert, or take the log-determinant.
///
/// ```
/// let chol = try Cholesky(a)              // potrf
/// let x = try chol.solve(b)               // A x = b  (two triangular solves)
/// let ainv = chol.inverse()               // potri, full symmetric storage
/// ```
///
/// Only the lower triangle of `A` is read; the upper triangle is assumed to mirror it.
///
/// ## References
/// Golub & Van Loan, *Matrix Computations*, 4th ed., §4.2 (Cholesky) and §6.5.4 (updating).
public struct Cholesky: Sendable, Equatable {
    /// The order `n` of the factored matrix.
    public var order: Int { factor.rows }
    /// `L`, `n × n`, lower triangular (the strict upper triangle is zero).
    public private(set) var factor: Matrix

    /// Factors a symmetric positive definite matrix (`dpotrf`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix;
    ///   `LinalgError.nonFinite` for NaN or an infinity in the lower triangle;
    ///   `LinalgError.notPositiveDefinite(order:)` with the order of the first leading minor
    ///   that is not positive.
    /// - Complexity: O(n³/3), one allocation (the factor).
    public init(_ a: Matrix) throws(LinalgError) {
        try a.checkTriangleFinite(.lower, "Cholesky")
        var l = a
        let n = a.rows
        let info = l.elements.withUnsafeMutableBufferPointer { p -> Int in
            guard let base = p.baseAddress else { return 0 }
            // Read column-major, the row-major lower triangle is the upper one; the factor comes
            // back as R = Lᵀ in the row-major upper triangle.
            let info = SymmetricKernels.choleskyUpper(base, n: n)
            SymmetricKernels.transposeUpperToLower(base, n: n)
            return info
        }
        guard info == 0 else { throw .notPositiveDefinite(operation: "Cholesky", order: info) }
        self.factor = l
    }

    /// Wraps an existing lower-triangular factor with a positive diagonal.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix;
    ///   `LinalgError.nonFinite` for non-finite values; `LinalgError.notPositiveDefinite` when a
    ///   diagonal element is not positive (its 1-based order is reported).
    /// - Complexity: O(n²).
    public init(factor: Matrix) throws(LinalgError) {
        try factor.checkTriangleFinite(.lower, "Cholesky(factor:)")
        for i in 0..<factor.rows where !(factor[i, i] > 0) {
            throw .notPositiveDefinite(operation: "Cholesky(factor:)", order: i + 1)
        }
        var l = factor
        l.elements.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { SymmetricKernels.zeroStrictUpper(base, n: factor.rows) }
        }
        self.factor = l
    }

    // MARK: - Solves

    /// Solves `A x = b` in place: `x` holds `b` on entry and the solution on return (two
    /// triangular solves, `dtrsv`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a wrong length.
    /// - Complexity: O(n²), no allocation.
    @inlinable
    public func solve(_ x: UnsafeMutableBufferPointer<Double>) throws(LinalgError) {
        try checkCount(x.count, order, "a right-hand side of length", "Cholesky.solve")
        let n = order
        guard n > 0 else { return }
        factor.elements.withUnsafeBufferPointer { l in
            BLAS.trsv(triangle: .lower, transpose: .none, n: n, a: l.baseAddress!, lda: n, x: x.baseAddress!)
            BLAS.trsv(triangle: .lower, transpose: .transpose, n: n, a: l.baseAddress!, lda: n, x: x.baseAddress!)
        }
    }

    /// The solution of `A x = b` (`dpotrs` semantics).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a wrong length; `LinalgError.nonFinite`
    ///   for a non-finite right-hand side.
    /// - Complexity: O(n²).
    public func solve(_ b: Vector) throws(LinalgError) -> Vector {
        try checkFiniteElements(b.elements, "Cholesky.solve")
        var x = b
        try x.elements.withUnsafeMutableBufferPointer { (p) throws(LinalgError) in try solve(p) }
        return x
    }

    /// The solution `X` of `A X = B` for `n × m` right-hand sides (`dpotrs` semantics, two `dtrsm`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when `B` does not have `n` rows;
    ///   `LinalgError.nonFinite` for non-finite values.
    /// - Complexity: O(n² m).
    public func solve(_ b: Matrix) throws(LinalgError) -> Matrix {
        try b.checkStorage("Cholesky.solve")
        try b.checkFinite("Cholesky.solve")
        guard b.rows == order else {
            throw .dimensionMismatch(operation: "Cholesky.solve", expected: "B with \(order) rows", actual: "\(b.rows)×\(b.columns)")
        }
        var x = b
        let (n, m) = (order, b.columns)
        guard n > 0, m > 0 else { return x }
        factor.elements.withUnsafeBufferPointer { l in
            x.elements.withUnsafeMutableBufferPointer { xp in
                SymmetricKernels.solveWithLowerFactor(l.baseAddress!, n: n, xp.baseAddress!, nrhs: m)
            }
        }
        return x
    }

    // MARK: - Derived quantities

    /// `A⁻¹ = L⁻ᵀ L⁻¹` in full symmetric storage (`dpotri`).
    /// - Complexity: O(n³), one allocation.
    public func inverse() -> Matrix {
        var result = factor.transposed()  // R = Lᵀ in the upper triangle
        let n = order
        result.elements.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            // potri cannot fail: the factor's diagonal is positive by construction.
            _ = SymmetricKernels.inverseFromUpperFactor(base, n: n)
            SymmetricKernels.mirrorUpperToLower(base, n: n)
        }
        return result
    }

    /// `log det A = 2 Σᵢ log Lᵢᵢ` (no overflow for large determinants).
    /// - Complexity: O(n).
    public var logDeterminant: Double {
        var s = 0.0
        for i in 0..<order { s += log(factor[i, i]) }
        return 2 * s
    }

    /// The reconstruction `L Lᵀ` (for checks).
    /// - Complexity: O(n³).
    public func reconstructed() -> Matrix {
        var a = Matrix(rows: order, columns: order)
        // L Lᵀ through dgemm; factor is finite and square, so this cannot throw.
        try? Matrix.multiply(factor, factor, transposeA: .none, transposeB: .transpose, into: &a)
        return a
    }

    // MARK: - Rank-one update

    /// Updates the factor in place to that of `A + x xᵀ`, in O(n²) instead of O(n³).
    ///
    /// The classic sequence of Givens-like rotations (LINPACK's `dchud`):
    /// ```
    /// for k: r = √(Lₖₖ² + xₖ²), c = r / Lₖₖ, s = xₖ / Lₖₖ, Lₖₖ = r
    ///        for i > k: Lᵢₖ = (Lᵢₖ + s xᵢ) / c,  xᵢ = c xᵢ − s Lᵢₖ
    /// ```
    /// - Parameter x: `n` finite values; used as workspace and overwritten.
    /// - Throws: `LinalgError.dimensionMismatch` for a wrong length; `LinalgError.nonFinite`
    ///   for non-finite values (the factor is then unchanged).
    /// - Complexity: O(n²), no allocation when the factor's storage is uniquely referenced.
    public mutating func update(with x: UnsafeMutableBufferPointer<Double>) throws(LinalgError) {
        try checkCount(x.count, order, "a vector of length", "Cholesky.update")
        guard let xp = x.baseAddress else { return }
        if let bad = SymmetricKernels.firstNonFinite(xp, count: order) {
            throw .nonFinite(operation: "Cholesky.update", index: bad)
        }
        let n = order
        factor.elements.withUnsafeMutableBufferPointer { buffer in
            let l = buffer.baseAddress!
            for k in 0..<n {
                let lkk = l[k * n + k]
                let r = (lkk * lkk + xp[k] * xp[k]).squareRoot()
                let c = r / lkk, s = xp[k] / lkk
                l[k * n + k] = r
                for i in (k + 1)..<Swift.max(n, k + 1) {
                    let lik = (l[i * n + k] + s * xp[i]) / c
                    l[i * n + k] = lik
                    xp[i] = c * xp[i] - s * lik
                }
            }
        }
    }

    /// Updates the factor to that of `A + x xᵀ`; see the buffer form.
    /// - Throws: as the buffer form.
    /// - Complexity: O(n²), one allocation (a copy of `x`).
    public mutating func update(with x: Vector) throws(LinalgError) {
        var work = x.elements
        try work.withUnsafeMutableBufferPointer { (p) throws(LinalgError) in try update(with: p) }
    }
}
