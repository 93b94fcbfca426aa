// MARK: - Triangular solves (trsv, trsm)

extension Matrix {
    /// Throws `.singular` when a triangular matrix has a zero on its diagonal (unless the
    /// diagonal is implicit), `.dimensionMismatch` when it is not square.
    @inlinable
    func checkTriangular(_ diagonal: BLAS.Diagonal, _ operation: StaticString) throws(LinalgError) {
        try checkSquare(operation)
        guard diagonal == .nonUnit else { return }
        for i in 0..<rows where elements[i * columns + i] == 0 {
            throw .singular(operation: "\(operation) (zero on the diagonal at \(i))")
        }
    }

    /// Solves `op(T) x = b` in place for this triangular matrix `T` (`dtrsv`); `x` holds `b`
    /// on entry and the solution on return. Only `triangle` of `T` is read.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square `T` or a wrong length;
    ///   `LinalgError.singular` for a zero on the diagonal.
    /// - Complexity: O(n²), no allocation.
    @inlinable
    public func solveTriangular(
        _ x: UnsafeMutableBufferPointer<Double>, triangle: BLAS.Triangle, transposing transpose: BLAS.Transpose = .none,
        diagonal: BLAS.Diagonal = .nonUnit
    ) throws(LinalgError) {
        try checkTriangular(diagonal, "Matrix.solveTriangular")
        try checkCount(x.count, rows, "a right-hand side of length", "Matrix.solveTriangular")
        guard rows > 0 else { return }
        elements.withUnsafeBufferPointer { t in
            BLAS.trsv(triangle: triangle, transpose: transpose, diagonal: diagonal, n: rows, a: t.baseAddress!, lda: rows, x: x.baseAddress!)
        }
    }

    /// The solution `x` of `op(T) x = b` for this triangular matrix `T` (`dtrsv`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch`, `LinalgError.singular` as the in-place form;
    ///   `LinalgError.nonFinite` when `T`'s triangle or `b` holds NaN or an infinity.
    /// - Complexity: O(n²).
    public func solveTriangular(
        _ b: Vector, triangle: BLAS.Triangle, transposing transpose: BLAS.Transpose = .none, diagonal: BLAS.Diagonal = .nonUnit
    ) throws(LinalgError) -> Vector {
        try checkTriangleFinite(triangle, "Matrix.solveTriangular")
        try checkFiniteElements(b.elements, "Matrix.solveTriangular")
        var x = b
        try x.elements.withUnsafeMutableBufferPointer { (xp) throws(LinalgError) in
            try solveTriangular(xp, triangle: triangle, transposing: transpose, diagonal: diagonal)
        }
        return x
    }

    /// Solves `op(T) X = α B` (`side == .left`) or `X op(T) = α B` (`.right`) in place for this
    /// triangular `T` (`dtrsm`); `b` holds `X` on return.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when `T` is not square or does not fit `B`;
    ///   `LinalgError.singular` for a zero on the diagonal.
    /// - Complexity: O(n² m) for `B` of `n × m` (left); no allocation when `b`'s storage is
    ///   uniquely referenced.
    @inlinable
    public func solveTriangular(
        _ b: inout Matrix, side: BLAS.Side = .left, triangle: BLAS.Triangle, transposing transpose: BLAS.Transpose = .none,
        diagonal: BLAS.Diagonal = .nonUnit, alpha: Double = 1
    ) throws(LinalgError) {
        try checkTriangular(diagonal, "Matrix.solveTriangular")
        try b.checkStorage("Matrix.solveTriangular")
        let needed = side == .left ? b.rows : b.columns
        guard needed == rows else {
            throw .dimensionMismatch(
                operation: "Matrix.solveTriangular", expected: "B with \(rows) \(side == .left ? "rows" : "columns")",
                actual: "\(b.rows)×\(b.columns)")
        }
        guard b.rows > 0, b.columns > 0 else { return }
        let (m, n, ldb) = (b.rows, b.columns, b.leadingDimension)
        elements.withUnsafeBufferPointer { t in
            b.elements.withUnsafeMutableBufferPointer { bp in
                BLAS.trsm(
                    side: side, triangle: triangle, transpose: transpose, diagonal: diagonal, m: m, n: n, alpha: alpha,
                    a: t.baseAddress!, lda: rows, b: bp.baseAddress!, ldb: ldb)
            }
        }
    }

    /// Throws `nonFinite` for the first NaN or infinity in `triangle` (diagonal included).
    @inlinable
    func checkTriangleFinite(_ triangle: BLAS.Triangle, _ operation: StaticString) throws(LinalgError) {
        try checkSquare(operation)
        for i in 0..<rows {
            let range = triangle == .lower ? 0..<(i + 1) : i..<columns
            for j in range where !elements[i * columns + j].isFinite {
                throw .nonFinite(operation: "\(operation)", index: i * columns + j)
            }
        }
    }
}
