import Linalg

/// Textbook linear algebra on `[Double]` row-major arrays, written for clarity, not speed:
/// the references the BLAS/LAPACK-backed routines of `Linalg` are tested against.
///
/// Every function works on plain loops over `Double` (no BLAS), so a bug in a wrapper's
/// layout, transposition or stride cannot hide in the reference too.
public enum NaiveLinearAlgebra {
    /// `C = α op(A) op(B) + β C` by the triple loop; `op(A)` is `m × k`, `op(B)` is `k × n`.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        alpha: Double = 1, beta: Double = 0, c: Matrix? = nil
    ) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var result = c ?? Matrix(rows: m, columns: n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let aip = transposeA ? a[p, i] : a[i, p]
                    let bpj = transposeB ? b[j, p] : b[p, j]
                    s += aip * bpj
                }
                result[i, j] = alpha * s + (beta == 0 ? 0 : beta * result[i, j])
            }
        }
        return result
    }

    /// `y = α op(A) x + β y` by the double loop.
    public static func gemv(_ a: Matrix, transpose: Bool = false, _ x: Vector, alpha: Double = 1, beta: Double = 0, y: Vector? = nil) -> Vector {
        let m = transpose ? a.columns : a.rows
        let k = transpose ? a.rows : a.columns
        var result = y ?? Vector(count: m)
        for i in 0..<m {
            var s = 0.0
            for p in 0..<k { s += (transpose ? a[p, i] : a[i, p]) * x[p] }
            result[i] = alpha * s + (beta == 0 ? 0 : beta * result[i])
        }
        return result
    }

    /// `A + α x yᵀ`.
    public static func ger(_ a: Matrix, alpha: Double, _ x: Vector, _ y: Vector) -> Matrix {
        var result = a
        for i in 0..<a.rows { for j in 0..<a.columns { result[i, j] += alpha * x[i] * y[j] } }
        return result
    }

    /// The lower-triangular `L` with `A = L Lᵀ` (Cholesky–Banachiewicz), or `nil` when a pivot
    /// is not positive.
    public static func cholesky(_ a: Matrix) -> Matrix? {
        let n = a.rows
        var l = Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i, j]
                for p in 0..<j { s -= l[i, p] * l[j, p] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i, i] = s.squareRoot()
                } else {
                    l[i, j] = s / l[j, j]
                }
            }
        }
        return l
    }

    /// `A⁻¹` by Gauss–Jordan elimination with partial pivoting, or `nil` when a pivot is zero.
    public static func inverse(_ a: Matrix) -> Matrix? {
        let n = a.rows
        var m = a
        var inv = Matrix.identity(n)
        for col in 0..<n {
            var pivot = col
            for r in col..<n where abs(m[r, col]) > abs(m[pivot, col]) { pivot = r }
            guard m[pivot, col] != 0 else { return nil }
            if pivot != col {
                for j in 0..<n {
                    let t = m[col, j]; m[col, j] = m[pivot, j]; m[pivot, j] = t
                    let u = inv[col, j]; inv[col, j] = inv[pivot, j]; inv[pivot, j] = u
                }
            }
            let p = m[col, col]
            for j in 0..<n { m[col, j] /= p; inv[col, j] /= p }
            for r in 0..<n where r != col {
                let f = m[r, col]
                guard f != 0 else { continue }
                for j in 0..<n { m[r, j] -= f * m[col, j]; inv[r, j] -= f * inv[col, j] }
            }
        }
        return inv
    }

    /// The solution of `A x = b` through ``inverse(_:)``.
    public static func solve(_ a: Matrix, _ b: Vector) -> Vector? {
        guard let inv = inverse(a) else { return nil }
        return gemv(inv, b)
    }

    /// `op(T)⁻¹ b` for a triangular `T` by substitution.
    public static func triangularSolve(_ t: Matrix, lower: Bool, transpose: Bool, unitDiagonal: Bool = false, _ b: Vector) -> Vector {
        let n = t.rows
        func at(_ i: Int, _ j: Int) -> Double { transpose ? t[j, i] : t[i, j] }
        // op(T) is lower when (lower && !transpose) || (!lower && transpose).
        let effectiveLower = lower != transpose
        var x = b
        let order: [Int] = effectiveLower ? Array(0..<n) : Array((0..<n).reversed())
        for i in order {
            var s = x[i]
            let range: [Int] = effectiveLower ? Array(0..<i) : Array((i + 1)..<n)
            for j in range { s -= at(i, j) * x[j] }
            x[i] = unitDiagonal ? s : s / at(i, i)
        }
        return x
    }

    /// The 1-norm condition number `‖A‖₁ ‖A⁻¹‖₁` (∞ when singular).
    public static func conditionNumber(_ a: Matrix) -> Double {
        guard let inv = inverse(a) else { return .infinity }
        return norm1(a) * norm1(inv)
    }

    /// The 1-norm (largest absolute column sum).
    public static func norm1(_ a: Matrix) -> Double {
        var best = 0.0
        for j in 0..<a.columns {
            var s = 0.0
            for i in 0..<a.rows { s += abs(a[i, j]) }
            best = max(best, s)
        }
        return best
    }

    /// The largest absolute element-wise difference (∞ for different shapes).
    public static func maxAbsDifference(_ a: Matrix, _ b: Matrix) -> Double {
        guard a.rows == b.rows, a.columns == b.columns else { return .infinity }
        return zip(a.elements, b.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// The largest absolute element-wise difference (∞ for different lengths).
    public static func maxAbsDifference(_ a: Vector, _ b: Vector) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a.elements, b.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// The largest absolute element.
    public static func maxAbs(_ a: Matrix) -> Double { a.elements.reduce(0) { max($0, abs($1)) } }
}
