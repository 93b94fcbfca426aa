#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Linalg

/// One action's penalized logistic regression, its rows packed contiguously so that every
/// Newton (IRLS) step is three BLAS calls over all rows at once:
///
/// ```
/// η = Xθ (dgemv),   G = (W½X)ᵀ(W½X) (dsyrk),   m = Xᵀ(W z) (dgemv),   θ ← (G + λI)⁻¹ m (Cholesky)
/// ```
/// with `pᵢ = σ(ηᵢ)`, `wᵢ = pᵢ(1 − pᵢ)`, `zᵢ = ηᵢ + (rᵢ − pᵢ)/wᵢ`. Packing costs one copy of
/// the rows; the steps then run at level-3 BLAS speed instead of row-by-row accumulation.
struct LogisticProblem {
    /// Coefficients per row: the intercept and the context.
    let dimension: Int
    /// Rows.
    let count: Int
    /// `X`, `count × dimension` row-major, first column 1.
    private var design: [Double]
    /// `rᵢ` in [0, 1].
    private var rewards: [Double]

    /// Packs rounds `rows` of `log` (their contexts with a leading 1, and their rewards).
    /// - Complexity: O(|rows| · d).
    init(log: DecisionLog, rows: [Int]) {
        let d = log.contextDimension, p = d + 1
        dimension = p
        count = rows.count
        design = [Double](repeating: 1, count: rows.count * p)
        rewards = [Double](repeating: 0, count: rows.count)
        design.withUnsafeMutableBufferPointer { x in
            log.contexts.withUnsafeBufferPointer { c in
                for (k, i) in rows.enumerated() {
                    for j in 0..<d { x[k * p + j + 1] = c[i * d + j] }
                    rewards[k] = log.rewards[i]
                }
            }
        }
    }

    /// Newton steps from `start` (zeros when nil) until no coefficient moves more than
    /// `tolerance` or `maxIterations` steps were taken.
    /// - Throws: `EvaluationError.numerical` when a step is not finite or `G + λI` is not
    ///   positive definite.
    /// - Complexity: O(steps · |rows| · p²).
    mutating func fit(ridge: Double, maxIterations: Int, tolerance: Double, start: [Double]?) throws(EvaluationError) -> [Double] {
        let p = dimension, m = count
        var theta = start ?? [Double](repeating: 0, count: p)
        var eta = [Double](repeating: 0, count: m)
        var weightedTargets = [Double](repeating: 0, count: m)
        var scaled = [Double](repeating: 0, count: m * p)
        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        for _ in 0..<maxIterations {
            design.withUnsafeBufferPointer { x in
                theta.withUnsafeBufferPointer { t in
                    eta.withUnsafeMutableBufferPointer { e in
                        BLAS.gemv(transpose: .none, m: m, n: p, a: x.baseAddress!, lda: p, x: t.baseAddress!, beta: 0, y: e.baseAddress!)
                    }
                }
                scaled.withUnsafeMutableBufferPointer { s in
                    weightedTargets.withUnsafeMutableBufferPointer { wz in
                        for i in 0..<m {
                            let q = 1 / (1 + exp(-eta[i]))
                            let w = max(q * (1 - q), 1e-10)
                            wz[i] = w * eta[i] + (rewards[i] - q)
                            let root = w.squareRoot()
                            for j in 0..<p { s[i * p + j] = root * x[i * p + j] }
                        }
                    }
                    gram.withUnsafeMutableBufferPointer { g in
                        BLAS.syrk(triangle: .lower, transpose: .transpose, n: p, k: m, a: s.baseAddress!, lda: p,
                                  beta: 0, c: g.baseAddress!, ldc: p)
                    }
                }
                weightedTargets.withUnsafeBufferPointer { wz in
                    moment.withUnsafeMutableBufferPointer { v in
                        BLAS.gemv(transpose: .transpose, m: m, n: p, a: x.baseAddress!, lda: p, x: wz.baseAddress!, beta: 0, y: v.baseAddress!)
                    }
                }
            }
            let next = try Self.solve(gram: gram, moment: moment, dimension: p, ridge: ridge)
            var change = 0.0
            for j in 0..<p { change = max(change, abs(next[j] - theta[j])) }
            theta = next
            guard theta.allSatisfy(\.isFinite) else { throw .numerical("logistic regression diverged") }
            if change < tolerance { break }
        }
        return theta
    }

    /// `(G + λI)⁻¹ m` from the lower triangle of `G`.
    private static func solve(gram: [Double], moment: [Double], dimension p: Int, ridge: Double) throws(EvaluationError) -> [Double] {
        do {
            var a = try Matrix(rows: p, columns: p, elements: gram)
            a.symmetrize(from: .lower)
            for j in 0..<p { a[j, j] += ridge }
            return try Cholesky(a).solve(Vector(moment)).elements
        } catch {
            throw .numerical(error.description)
        }
    }
}
