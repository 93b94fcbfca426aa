// Checked, value-level BLAS over `Matrix` and `Vector`.
//
// Two forms of each operation:
// - in place (`…(into:)`, `mutating`): shapes are checked and a `dimensionMismatch` is thrown
//   before any BLAS call; nothing is allocated when the destination's storage is uniquely
//   referenced; non-finite values propagate as IEEE arithmetic says (no O(n²) scan in hot loops).
// - returning a new value: also rejects non-finite inputs with `nonFinite`.

extension Matrix {
    /// The shape of `op(self)`.
    @inlinable
    func shape(_ transpose: BLAS.Transpose) -> (rows: Int, columns: Int) {
        transpose == .none ? (rows, columns) : (columns, rows)
    }

    // MARK: - gemm

    /// `C ← α op(A) op(B) + β C` into an existing `C` (`dgemm`).
    ///
    /// - Parameters:
    ///   - a: `A`; `op(A)` is `m × k`.
    ///   - b: `B`; `op(B)` is `k × n`.
    ///   - c: `C`, `m × n`, overwritten (read only when `β ≠ 0`).
    /// - Throws: `LinalgError.dimensionMismatch` when the shapes do not chain.
    /// - Complexity: O(m n k); no allocation when `c`'s storage is uniquely referenced.
    @inlinable
    public static func multiply(
        _ a: Matrix, _ b: Matrix, transposeA: BLAS.Transpose = .none, transposeB: BLAS.Transpose = .none,
        alpha: Double = 1, beta: Double = 0, into c: inout Matrix
    ) throws(LinalgError) {
        try a.checkStorage("Matrix.multiply")
        try b.checkStorage("Matrix.multiply")
        let (m, k) = a.shape(transposeA)
        let (k2, n) = b.shape(transposeB)
        guard k == k2 else {
            throw .dimensionMismatch(operation: "Matrix.multiply", expected: "op(B) with \(k) rows", actual: "\(k2)×\(n)")
        }
        try checkShape(c, m, n, "a result", "Matrix.multiply")
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            c.elements.withUnsafeMutableBufferPointer { cp in
                if beta == 0 { cp.update(repeating: 0) } else { BLAS.scal(n: m * n, alpha: beta, x: cp.baseAddress!) }
            }
            return
        }
        let ldc = c.leadingDimension
        a.elements.withUnsafeBufferPointer { ap in
            b.elements.withUnsafeBufferPointer { bp in
                c.elements.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: ap.baseAddress!, lda: a.leadingDimension, b: bp.baseAddress!, ldb: b.leadingDimension,
                        beta: beta, c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
    }

    /// The product `op(self) · op(other)` (`dgemm`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when the shapes do not chain;
    ///   `LinalgError.nonFinite` when an operand holds NaN or an infinity.
    /// - Complexity: O(m n k).
    public func multiplied(
        by other: Matrix, transposingSelf transposeSelf: BLAS.Transpose = .none,
        transposingOther transposeOther: BLAS.Transpose = .none
    ) throws(LinalgError) -> Matrix {
        try checkStorage("Matrix.multiplied")
        try checkFinite("Matrix.multiplied")
        try other.checkStorage("Matrix.multiplied")
        try other.checkFinite("Matrix.multiplied")
        var c = Matrix(rows: shape(transposeSelf).rows, columns: other.shape(transposeOther).columns)
        try Matrix.multiply(self, other, transposeA: transposeSelf, transposeB: transposeOther, into: &c)
        return c
    }

    // MARK: - gemv

    /// `y ← α op(A) x + β y` over raw buffers (`dgemv`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when `x` or `y` has the wrong length.
    /// - Complexity: O(rows · columns), no allocation.
    @inlinable
    public func multiply(
        transposing transpose: BLAS.Transpose = .none, _ x: UnsafeBufferPointer<Double>,
        alpha: Double = 1, beta: Double = 0, into y: UnsafeMutableBufferPointer<Double>
    ) throws(LinalgError) {
        try checkStorage("Matrix.multiply(vector)")
        let (m, n) = shape(transpose)
        try checkCount(x.count, n, "an operand of length", "Matrix.multiply(vector)")
        try checkCount(y.count, m, "a result of length", "Matrix.multiply(vector)")
        guard m > 0 else { return }
        guard n > 0 else {
            if beta == 0 { y.update(repeating: 0) } else { BLAS.scal(n: m, alpha: beta, x: y.baseAddress!) }
            return
        }
        elements.withUnsafeBufferPointer { a in
            BLAS.gemv(
                transpose: transpose, m: rows, n: columns, alpha: alpha, a: a.baseAddress!, lda: leadingDimension,
                x: x.baseAddress!, beta: beta, y: y.baseAddress!)
        }
    }

    /// `y ← α op(A) x + β y` into an existing vector (`dgemv`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when `x` or `y` has the wrong length.
    /// - Complexity: O(rows · columns); no allocation when `y`'s storage is uniquely referenced.
    @inlinable
    public func multiply(
        transposing transpose: BLAS.Transpose = .none, _ x: Vector, alpha: Double = 1, beta: Double = 0,
        into y: inout Vector
    ) throws(LinalgError) {
        try x.elements.withUnsafeBufferPointer { (xp) throws(LinalgError) in
            try y.elements.withUnsafeMutableBufferPointer { (yp) throws(LinalgError) in
                try multiply(transposing: transpose, xp, alpha: alpha, beta: beta, into: yp)
            }
        }
    }

    /// The product `op(self) · x` (`dgemv`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a vector of the wrong length;
    ///   `LinalgError.nonFinite` when an operand holds NaN or an infinity.
    /// - Complexity: O(rows · columns).
    public func multiplied(by x: Vector, transposing transpose: BLAS.Transpose = .none) throws(LinalgError) -> Vector {
        try checkStorage("Matrix.multiplied(vector)")
        try checkFinite("Matrix.multiplied(vector)")
        try checkFiniteElements(x.elements, "Matrix.multiplied(vector)")
        var y = Vector(count: shape(transpose).rows)
        try multiply(transposing: transpose, x, into: &y)
        return y
    }

    // MARK: - Rank-one and rank-k updates

    /// `A ← A + α x yᵀ` (`dger`); `x` has `rows` elements, `y` has `columns`.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for vectors of the wrong length.
    /// - Complexity: O(rows · columns); no allocation when the storage is uniquely referenced.
    @inlinable
    public mutating func addOuterProduct(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, alpha: Double = 1) throws(LinalgError) {
        try checkStorage("Matrix.addOuterProduct")
        try checkCount(x.count, rows, "x of length", "Matrix.addOuterProduct")
        try checkCount(y.count, columns, "y of length", "Matrix.addOuterProduct")
        guard rows > 0, columns > 0 else { return }
        let (m, n, ld) = (rows, columns, leadingDimension)
        elements.withUnsafeMutableBufferPointer { a in
            BLAS.ger(m: m, n: n, alpha: alpha, x: x.baseAddress!, y: y.baseAddress!, a: a.baseAddress!, lda: ld)
        }
    }

    /// `A ← A + α x yᵀ` (`dger`); see the buffer form.
    /// - Throws: `LinalgError.dimensionMismatch` for vectors of the wrong length.
    /// - Complexity: O(rows · columns).
    @inlinable
    public mutating func addOuterProduct(_ x: Vector, _ y: Vector, alpha: Double = 1) throws(LinalgError) {
        try x.elements.withUnsafeBufferPointer { (xp) throws(LinalgError) in
            try y.elements.withUnsafeBufferPointer { (yp) throws(LinalgError) in
                try addOuterProduct(xp, yp, alpha: alpha)
            }
        }
    }

    /// The symmetric rank-one update `A ← A + α x xᵀ` of a square matrix (`dsyr`).
    ///
    /// With `triangle: nil` (the default) the lower triangle is updated and copied onto the
    /// upper one, so a symmetric matrix stays exactly symmetric; with `.upper`/`.lower` only that
    /// triangle is touched (half the memory traffic).
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix or a wrong length.
    /// - Complexity: O(n²); no allocation when the storage is uniquely referenced.
    @inlinable
    public mutating func addSymmetricOuterProduct(
        _ x: UnsafeBufferPointer<Double>, alpha: Double = 1, triangle: BLAS.Triangle? = nil
    ) throws(LinalgError) {
        try checkSquare("Matrix.addSymmetricOuterProduct")
        try checkCount(x.count, rows, "x of length", "Matrix.addSymmetricOuterProduct")
        let n = rows
        guard n > 0 else { return }
        elements.withUnsafeMutableBufferPointer { a in
            BLAS.syr(triangle: triangle ?? .lower, n: n, alpha: alpha, x: x.baseAddress!, a: a.baseAddress!, lda: n)
            if triangle == nil { SymmetricKernels.mirrorLowerToUpper(a.baseAddress!, n: n) }
        }
    }

    /// `A ← A + α x xᵀ` (`dsyr`); see the buffer form.
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix or a wrong length.
    /// - Complexity: O(n²).
    @inlinable
    public mutating func addSymmetricOuterProduct(_ x: Vector, alpha: Double = 1, triangle: BLAS.Triangle? = nil) throws(LinalgError) {
        try x.elements.withUnsafeBufferPointer { (xp) throws(LinalgError) in
            try addSymmetricOuterProduct(xp, alpha: alpha, triangle: triangle)
        }
    }

    /// The Gram matrix `A Aᵀ` (`transpose == .none`, `rows × rows`) or `Aᵀ A`
    /// (`.transpose`, `columns × columns`) into an existing matrix, full symmetric storage
    /// (`dsyrk` on the lower triangle, then mirrored).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when `c` has the wrong shape.
    /// - Complexity: O(n² k) for an `n × n` result; no allocation when `c`'s storage is
    ///   uniquely referenced.
    @inlinable
    public func gram(transposing transpose: BLAS.Transpose = .transpose, into c: inout Matrix) throws(LinalgError) {
        try checkStorage("Matrix.gram")
        let n = transpose == .none ? rows : columns
        let k = transpose == .none ? columns : rows
        try checkShape(c, n, n, "a result", "Matrix.gram")
        guard n > 0 else { return }
        guard k > 0 else {
            c.elements.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            return
        }
        let lda = leadingDimension
        elements.withUnsafeBufferPointer { a in
            c.elements.withUnsafeMutableBufferPointer { cp in
                BLAS.syrk(triangle: .lower, transpose: transpose, n: n, k: k, a: a.baseAddress!, lda: lda, c: cp.baseAddress!, ldc: n)
                SymmetricKernels.mirrorLowerToUpper(cp.baseAddress!, n: n)
            }
        }
    }

    /// The Gram matrix `A Aᵀ` (`transpose == .none`) or `Aᵀ A` (`.transpose`); see
    /// ``gram(transposing:into:)``.
    ///
    /// - Throws: `LinalgError.nonFinite` when the matrix holds NaN or an infinity.
    /// - Complexity: O(n² k) for an `n × n` result, half a general product.
    public func gram(transposing transpose: BLAS.Transpose = .transpose) throws(LinalgError) -> Matrix {
        try checkStorage("Matrix.gram")
        try checkFinite("Matrix.gram")
        let n = transpose == .none ? rows : columns
        var c = Matrix(rows: n, columns: n)
        try gram(transposing: transpose, into: &c)
        return c
    }
}
