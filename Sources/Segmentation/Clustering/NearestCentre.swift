import Linalg

/// Nearest-centre search by blocked matrix products.
///
/// Squared distances are expanded as
/// ```
/// ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²
/// ```
/// so the cross terms of a block of rows against all centres come from one `gemm`
/// (`X_block · Cᵀ`). Rows go in blocks of ``blockRows`` to bound the scratch memory to
/// `blockRows × k` doubles whatever `n` is. The expansion can lose digits when a point is
/// very close to a centre, so distances are clamped at 0; callers that report inertia
/// recompute it directly.
struct NearestCentre {
    /// Rows per gemm block.
    static let blockRows = 2_048

    let k: Int
    let d: Int
    private var products: [Double]
    private var centreNorms: [Double]

    init(k: Int, d: Int) {
        self.k = k
        self.d = d
        products = [Double](repeating: 0, count: NearestCentre.blockRows * k)
        centreNorms = [Double](repeating: 0, count: k)
    }

    /// Labels and squared distances of rows `range` of `x` against `centres` (k × d, row-major).
    /// `rowNorms[i]` must hold `‖xᵢ‖²`. Results go to `labels[i]` and `distances[i]`.
    /// - Complexity: O(|range| k d) through gemm, no allocation.
    mutating func assign(
        x: UnsafePointer<Double>, rowNorms: UnsafePointer<Double>, range: Range<Int>,
        centres: UnsafePointer<Double>, labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Double>
    ) {
        let k = self.k, d = self.d
        centreNorms.withUnsafeMutableBufferPointer { cn in
            for j in 0..<k { cn[j] = BLAS.dot(n: d, x: centres + j * d, y: centres + j * d) }
        }
        products.withUnsafeMutableBufferPointer { pp in
            guard let p = pp.baseAddress else { return }
            centreNorms.withUnsafeBufferPointer { cn in
                var start = range.lowerBound
                while start < range.upperBound {
                    let rows = min(NearestCentre.blockRows, range.upperBound - start)
                    BLAS.gemm(
                        transposeA: .none, transposeB: .transpose, m: rows, n: k, k: d, alpha: -2,
                        a: x + start * d, lda: d, b: centres, ldb: d, beta: 0, c: p, ldc: k)
                    for r in 0..<rows {
                        let row = p + r * k
                        var best = 0
                        var bestValue = row[0] + cn[0]
                        for j in 1..<max(1, k) {
                            let v = row[j] + cn[j]
                            if v < bestValue {
                                bestValue = v
                                best = j
                            }
                        }
                        labels[start + r] = Int32(best)
                        distances[start + r] = max(0, bestValue + rowNorms[start + r])
                    }
                    start += rows
                }
            }
        }
    }

    /// `‖xᵢ‖²` for every row of an `n × d` row-major matrix.
    static func rowNorms(_ x: Matrix) -> [Double] {
        var norms = [Double](repeating: 0, count: x.rows)
        let d = x.columns
        x.elements.withUnsafeBufferPointer { e in
            guard let base = e.baseAddress else { return }
            for i in 0..<x.rows { norms[i] = BLAS.dot(n: d, x: base + i * d, y: base + i * d) }
        }
        return norms
    }
}
