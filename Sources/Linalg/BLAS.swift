import CBLAS

/// Zero-overhead entry points to OpenBLAS's CBLAS interface, over raw pointers.
///
/// These mirror the CBLAS routines of the same names (the `d` prefix dropped) with Swift
/// argument labels and small Swift enums for layout, transposition and triangle. They
/// allocate nothing and check nothing beyond converting sizes to the BLAS integer type:
/// the caller guarantees that every pointer covers the extent the sizes and strides imply
/// and that leading dimensions are valid (`lda ≥ max(1, columns)` for row-major storage).
/// The value-level API on ``Vector`` and ``Matrix`` performs those checks and throws.
///
/// They are `@inlinable`, so other modules call them in hot loops at the cost of the BLAS
/// call itself. For the many small calls of online learning, run single-threaded
/// (`OPENBLAS_NUM_THREADS=1` or ``setThreadCount(_:)``).
///
/// ```
/// x.withUnsafeBufferPointer { xp in
///     y.withUnsafeMutableBufferPointer { yp in
///         BLAS.axpy(n: n, alpha: 2, x: xp.baseAddress!, y: yp.baseAddress!)   // y ← 2x + y
///     }
/// }
/// ```
///
/// ## References
/// Blackford et al., "An updated set of Basic Linear Algebra Subprograms (BLAS)",
/// ACM TOMS 28(2), 2002.
public enum BLAS {
    /// How a matrix is laid out in memory.
    public enum Layout: Sendable, Hashable, Codable {
        /// Element `(i, j)` at `i * ld + j` (the `Matrix` layout).
        case rowMajor
        /// Element `(i, j)` at `j * ld + i` (Fortran's layout).
        case columnMajor

        @inlinable
        var cblas: CBLAS_ORDER { self == .rowMajor ? CblasRowMajor : CblasColMajor }
    }

    /// Whether an operand is used as stored or transposed.
    public enum Transpose: Sendable, Hashable, Codable {
        /// `op(A) = A`.
        case none
        /// `op(A) = Aᵀ`.
        case transpose

        @inlinable
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// Which triangle of a symmetric or triangular matrix is referenced.
    public enum Triangle: Sendable, Hashable, Codable {
        /// Elements on and above the diagonal.
        case upper
        /// Elements on and below the diagonal.
        case lower

        @inlinable
        var cblas: CBLAS_UPLO { self == .upper ? CblasUpper : CblasLower }
    }

    /// Whether a triangular matrix has an implicit unit diagonal.
    public enum Diagonal: Sendable, Hashable, Codable {
        /// The stored diagonal is used.
        case nonUnit
        /// The diagonal is taken as all ones and not read.
        case unit

        @inlinable
        var cblas: CBLAS_DIAG { self == .nonUnit ? CblasNonUnit : CblasUnit }
    }

    /// On which side a triangular matrix multiplies in ``trsm(layout:side:triangle:transpose:diagonal:m:n:alpha:a:lda:b:ldb:)``.
    public enum Side: Sendable, Hashable, Codable {
        /// Solve `op(A) X = α B`.
        case left
        /// Solve `X op(A) = α B`.
        case right

        @inlinable
        var cblas: CBLAS_SIDE { self == .left ? CblasLeft : CblasRight }
    }

    /// Sets the number of threads OpenBLAS uses (`openblas_set_num_threads`).
    ///
    /// One thread is fastest for the small matrices of online learning; more help only
    /// large products. Values below 1 are treated as 1.
    public static func setThreadCount(_ n: Int) {
        openblas_set_num_threads(Int32(clamping: Swift.max(1, n)))
    }

    // MARK: - Level 1

    /// The dot product `Σᵢ xᵢ yᵢ` of two `n`-vectors (`ddot`).
    /// - Complexity: O(n), no allocation.
    @inlinable
    public static func dot(
        n: Int, x: UnsafePointer<Double>, incX: Int = 1, y: UnsafePointer<Double>, incY: Int = 1
    ) -> Double {
        cblas_ddot(blasint(n), x, blasint(incX), y, blasint(incY))
    }

    /// `y ← α x + y` (`daxpy`).
    /// - Complexity: O(n), no allocation.
    @inlinable
    public static func axpy(
        n: Int, alpha: Double, x: UnsafePointer<Double>, incX: Int = 1,
        y: UnsafeMutablePointer<Double>, incY: Int = 1
    ) {
        cblas_daxpy(blasint(n), alpha, x, blasint(incX), y, blasint(incY))
    }

    /// `x ← α x` (`dscal`).
    /// - Complexity: O(n), no allocation.
    @inlinable
    public static func scal(n: Int, alpha: Double, x: UnsafeMutablePointer<Double>, incX: Int = 1) {
        cblas_dscal(blasint(n), alpha, x, blasint(incX))
    }

    /// The Euclidean norm `√(Σᵢ xᵢ²)`, computed without overflow (`dnrm2`).
    /// - Complexity: O(n), no allocation.
    @inlinable
    public static func nrm2(n: Int, x: UnsafePointer<Double>, incX: Int = 1) -> Double {
        cblas_dnrm2(blasint(n), x, blasint(incX))
    }

    /// Copies `x` into `y` (`dcopy`).
    /// - Complexity: O(n), no allocation.
    @inlinable
    public static func copy(
        n: Int, x: UnsafePointer<Double>, incX: Int = 1, y: UnsafeMutablePointer<Double>, incY: Int = 1
    ) {
        cblas_dcopy(blasint(n), x, blasint(incX), y, blasint(incY))
    }

    // MARK: - Level 2

    /// `y ← α op(A) x + β y` for an `m × n` matrix `A` (`dgemv`).
    ///
    /// `x` has `n` elements and `y` has `m` when `transpose == .none`, the reverse otherwise.
    /// - Complexity: O(m n), no allocation.
    @inlinable
    public static func gemv(
        layout: Layout = .rowMajor, transpose: Transpose = .none, m: Int, n: Int,
        alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, incX: Int = 1,
        beta: Double = 0, y: UnsafeMutablePointer<Double>, incY: Int = 1
    ) {
        cblas_dgemv(
            layout.cblas, transpose.cblas, blasint(m), blasint(n), alpha, a, blasint(lda),
            x, blasint(incX), beta, y, blasint(incY))
    }

    /// The rank-one update `A ← α x yᵀ + A` of an `m × n` matrix (`dger`).
    /// - Complexity: O(m n), no allocation.
    @inlinable
    public static func ger(
        layout: Layout = .rowMajor, m: Int, n: Int, alpha: Double,
        x: UnsafePointer<Double>, incX: Int = 1, y: UnsafePointer<Double>, incY: Int = 1,
        a: UnsafeMutablePointer<Double>, lda: Int
    ) {
        cblas_dger(
            layout.cblas, blasint(m), blasint(n), alpha, x, blasint(incX), y, blasint(incY), a, blasint(lda))
    }

    /// The symmetric rank-one update `A ← α x xᵀ + A` of an `n × n` matrix (`dsyr`).
    ///
    /// Only `triangle` of `A` is read and written; the other triangle is left unchanged.
    /// - Complexity: O(n²), no allocation.
    @inlinable
    public static func syr(
        layout: Layout = .rowMajor, triangle: Triangle, n: Int, alpha: Double,
        x: UnsafePointer<Double>, incX: Int = 1, a: UnsafeMutablePointer<Double>, lda: Int
    ) {
        cblas_dsyr(layout.cblas, triangle.cblas, blasint(n), alpha, x, blasint(incX), a, blasint(lda))
    }

    /// `y ← α A x + β y` for a symmetric `n × n` matrix of which only `triangle` is read (`dsymv`).
    /// - Complexity: O(n²), no allocation.
    @inlinable
    public static func symv(
        layout: Layout = .rowMajor, triangle: Triangle, n: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int, x: UnsafePointer<Double>, incX: Int = 1,
        beta: Double = 0, y: UnsafeMutablePointer<Double>, incY: Int = 1
    ) {
        cblas_dsymv(
            layout.cblas, triangle.cblas, blasint(n), alpha, a, blasint(lda), x, blasint(incX),
            beta, y, blasint(incY))
    }

    /// Solves `op(A) x = b` in place (`x` holds `b` on entry) for a triangular `n × n` `A` (`dtrsv`).
    ///
    /// No singularity test is performed: a zero on the diagonal produces infinities.
    /// - Complexity: O(n²), no allocation.
    @inlinable
    public static func trsv(
        layout: Layout = .rowMajor, triangle: Triangle, transpose: Transpose = .none,
        diagonal: Diagonal = .nonUnit, n: Int, a: UnsafePointer<Double>, lda: Int,
        x: UnsafeMutablePointer<Double>, incX: Int = 1
    ) {
        cblas_dtrsv(
            layout.cblas, triangle.cblas, transpose.cblas, diagonal.cblas, blasint(n), a, blasint(lda),
            x, blasint(incX))
    }
}
