import CLAPACKE

/// The eigendecomposition `A = V diag(λ) Vᵀ` of a symmetric matrix.
public struct SymmetricEigendecomposition: Sendable, Equatable {
    /// The eigenvalues `λ`, in ascending order.
    public var values: Vector
    /// The orthonormal eigenvectors as columns: column `j` belongs to `values[j]`.
    public var vectors: Matrix
}

extension Matrix {
    // MARK: - Cholesky

    /// The Cholesky factorization `A = L Lᵀ` of this symmetric positive definite matrix; see ``Cholesky``.
    ///
    /// - Throws: as ``Cholesky/init(_:)``.
    /// - Complexity: O(n³/3).
    public func cholesky() throws(LinalgError) -> Cholesky {
        try Cholesky(self)
    }

    // MARK: - Symmetric eigendecomposition

    /// The eigenvalues (ascending) and orthonormal eigenvectors of this symmetric matrix
    /// (`dsyevd`, divide and conquer). Only the lower triangle is read.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix;
    ///   `LinalgError.nonFinite` for NaN or an infinity in the lower triangle;
    ///   `LinalgError.lapack` when the algorithm fails to converge.
    /// - Complexity: O(n³).
    ///
    /// ## References
    /// Gu & Eisenstat, "A divide-and-conquer algorithm for the symmetric tridiagonal
    /// eigenproblem", SIAM J. Matrix Anal. Appl. 16(1), 1995.
    public func symmetricEigendecomposition() throws(LinalgError) -> SymmetricEigendecomposition {
        try checkTriangleFinite(.lower, "Matrix.symmetricEigendecomposition")
        let n = rows
        guard n > 0 else { return SymmetricEigendecomposition(values: Vector([]), vectors: self) }
        // Read column-major, the row-major lower triangle is the upper one, and the eigenvectors
        // come back as the buffer's rows: transposed at the end so they are columns.
        var a = elements
        var w = [Double](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd(
                    LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), SymmetricKernels.upper, Int32(n), ap.baseAddress!, Int32(n),
                    wp.baseAddress!)
            }
        }
        guard info == 0 else { throw .lapack(routine: "dsyevd", info: Int(info)) }
        let rowsAreVectors = Matrix(uncheckedRows: n, columns: n, elements: a)
        return SymmetricEigendecomposition(values: Vector(w), vectors: rowsAreVectors.transposed())
    }

    // MARK: - Least squares

    /// The least-squares solution of `A x ≈ b` for this `m × n` matrix of full rank (`dgels`,
    /// QR or LQ):
    ///
    /// ```
    /// m ≥ n:  x = argmin ‖A x − b‖₂              (over-determined)
    /// m < n:  x = argmin ‖x‖₂ subject to A x = b (under-determined, minimum norm)
    /// ```
    /// - Throws: `LinalgError.dimensionMismatch` when `b.count != m`; `LinalgError.nonFinite`
    ///   for non-finite values; `LinalgError.singular` when `A` is rank deficient.
    /// - Complexity: O(m n min(m, n)).
    public func leastSquares(_ b: Vector) throws(LinalgError) -> Vector {
        let x = try leastSquares(Matrix(uncheckedRows: b.count, columns: 1, elements: b.elements))
        return Vector(x.elements)
    }

    /// The least-squares solutions of `A X ≈ B` for every column of `B` (`m × k`); the result
    /// is `n × k`. See ``leastSquares(_:)-(Vector)``.
    /// - Throws: as the vector form.
    /// - Complexity: O(m n min(m, n) + m n k).
    public func leastSquares(_ b: Matrix) throws(LinalgError) -> Matrix {
        try checkStorage("Matrix.leastSquares")
        try b.checkStorage("Matrix.leastSquares")
        guard b.rows == rows else {
            throw .dimensionMismatch(operation: "Matrix.leastSquares", expected: "B with \(rows) rows", actual: "\(b.rows)×\(b.columns)")
        }
        try checkFinite("Matrix.leastSquares")
        try b.checkFinite("Matrix.leastSquares")
        let (m, n, k) = (rows, columns, b.columns)
        guard m > 0, n > 0, k > 0 else { return Matrix(rows: n, columns: k) }
        // dgels overwrites B (max(m, n) × k) with the solution in its first n rows.
        var a = elements
        var x = [Double](repeating: 0, count: Swift.max(m, n) * k)
        for i in 0..<m { for j in 0..<k { x[i * k + j] = b.elements[i * k + j] } }
        let info = a.withUnsafeMutableBufferPointer { ap in
            x.withUnsafeMutableBufferPointer { xp in
                LAPACKE_dgels(
                    LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n), Int32(k), ap.baseAddress!, Int32(n),
                    xp.baseAddress!, Int32(k))
            }
        }
        if info > 0 { throw .singular(operation: "Matrix.leastSquares (rank deficient: diagonal \(info) of the triangular factor is zero)") }
        guard info == 0 else { throw .lapack(routine: "dgels", info: Int(info)) }
        // dgels only reports exact zeros on the diagonal of R (or L); in floating point a rank
        // deficiency shows as a diagonal element at rounding level relative to the largest.
        let p = Swift.min(m, n)
        let diagonal = (0..<p).map { Swift.abs(a[$0 * n + $0]) }
        let largest = diagonal.max() ?? 0
        if let i = diagonal.firstIndex(where: { $0 <= largest * Double(Swift.max(m, n)) * Double.ulpOfOne }) {
            throw .singular(operation: "Matrix.leastSquares (rank deficient: diagonal \(i + 1) of the triangular factor is negligible)")
        }
        return Matrix(uncheckedRows: n, columns: k, elements: Array(x[0..<(n * k)]))
    }

    // MARK: - General solve and inverse

    /// The solution of `A x = b` for this square matrix (`dgesv`, LU with partial pivoting).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix or a wrong length;
    ///   `LinalgError.nonFinite` for non-finite values; `LinalgError.singular` when `A` is
    ///   exactly singular.
    /// - Complexity: O(n³).
    public func solve(_ b: Vector) throws(LinalgError) -> Vector {
        try checkSquare("Matrix.solve")
        try checkCount(b.count, rows, "a right-hand side of length", "Matrix.solve")
        try checkFinite("Matrix.solve")
        try checkFiniteElements(b.elements, "Matrix.solve")
        let n = rows
        guard n > 0 else { return b }
        var a = elements, x = b.elements
        var pivots = [Int32](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            x.withUnsafeMutableBufferPointer { xp in
                pivots.withUnsafeMutableBufferPointer { pp in
                    LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(n), 1, ap.baseAddress!, Int32(n), pp.baseAddress!, xp.baseAddress!, 1)
                }
            }
        }
        if info > 0 { throw .singular(operation: "Matrix.solve (zero pivot \(info))") }
        guard info == 0 else { throw .lapack(routine: "dgesv", info: Int(info)) }
        return Vector(x)
    }

    /// The inverse `A⁻¹` of this square matrix (`dgetrf` + `dgetri`). Prefer ``solve(_:)`` or
    /// ``Cholesky`` when a solve is what is needed.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for a non-square matrix;
    ///   `LinalgError.nonFinite` for non-finite values; `LinalgError.singular` when `A` is
    ///   exactly singular.
    /// - Complexity: O(n³).
    public func inverse() throws(LinalgError) -> Matrix {
        try checkSquare("Matrix.inverse")
        try checkFinite("Matrix.inverse")
        let n = rows
        guard n > 0 else { return self }
        var a = elements
        var pivots = [Int32](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            pivots.withUnsafeMutableBufferPointer { pp -> Int32 in
                let factored = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), ap.baseAddress!, Int32(n), pp.baseAddress!)
                guard factored == 0 else { return factored }
                return LAPACKE_dgetri(LAPACK_ROW_MAJOR, Int32(n), ap.baseAddress!, Int32(n), pp.baseAddress!)
            }
        }
        if info > 0 { throw .singular(operation: "Matrix.inverse (zero pivot \(info))") }
        guard info == 0 else { throw .lapack(routine: "dgetrf/dgetri", info: Int(info)) }
        return Matrix(uncheckedRows: n, columns: n, elements: a)
    }
}

extension Matrix {
    /// A matrix from elements whose count is known to be `rows * columns`.
    @inlinable
    init(uncheckedRows rows: Int, columns: Int, elements: [Double]) {
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }
}
