import CBLAS

// MARK: - Level 3

extension BLAS {
    /// `C ← α op(A) op(B) + β C` with `op(A)` of size `m × k`, `op(B)` of size `k × n` (`dgemm`).
    /// - Complexity: O(m n k), no allocation by this wrapper.
    @inlinable
    public static func gemm(
        layout: Layout = .rowMajor, transposeA: Transpose = .none, transposeB: Transpose = .none,
        m: Int, n: Int, k: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            layout.cblas, transposeA.cblas, transposeB.cblas, blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// The symmetric rank-k update `C ← α A Aᵀ + β C` (`transpose == .none`, `A` is `n × k`)
    /// or `C ← α Aᵀ A + β C` (`transpose == .transpose`, `A` is `k × n`) (`dsyrk`).
    ///
    /// Only `triangle` of the `n × n` result `C` is written.
    /// - Complexity: O(n² k), no allocation by this wrapper.
    @inlinable
    public static func syrk(
        layout: Layout = .rowMajor, triangle: Triangle, transpose: Transpose = .none,
        n: Int, k: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(
            layout.cblas, triangle.cblas, transpose.cblas, blasint(n), blasint(k),
            alpha, a, blasint(lda), beta, c, blasint(ldc))
    }

    /// Solves `op(A) X = α B` (`side == .left`) or `X op(A) = α B` (`side == .right`) in place
    /// for a triangular `A`; `B` is `m × n` and holds `X` on return (`dtrsm`).
    ///
    /// `A` is `m × m` for `.left` and `n × n` for `.right`. No singularity test is performed.
    /// - Complexity: O(m² n) or O(m n²), no allocation by this wrapper.
    @inlinable
    public static func trsm(
        layout: Layout = .rowMajor, side: Side = .left, triangle: Triangle, transpose: Transpose = .none,
        diagonal: Diagonal = .nonUnit, m: Int, n: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        cblas_dtrsm(
            layout.cblas, side.cblas, triangle.cblas, transpose.cblas, diagonal.cblas,
            blasint(m), blasint(n), alpha, a, blasint(lda), b, blasint(ldb))
    }
}
