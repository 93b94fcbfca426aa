#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Linalg

/// One action's penalized logistic regression, its rows packed contiguously so that every
/// Newton (IRLS) step is a few BLAS calls per block of rows:
///
/// ```
/// η = Xθ (dgemv),   G = Σ (W½X)ᵀ(W½X) (dsyrk),   m = Σ Xᵀ(W z) (dgemv),   θ ← (G + λI)⁻¹ m (Cholesky)
/// ```
/// with `pᵢ = σ(ηᵢ)`, `wᵢ = pᵢ(1 − pᵢ)`, `zᵢ = ηᵢ + (rᵢ − pᵢ)/wᵢ`. A step streams the rows once,
/// block by block (a block's `η`, weights and scaled rows stay in cache), and a fit may use
/// only some ranges of the rows: cross-fitting packs an action's rows once, sorted by fold, and
/// fits each fold's model on the other folds' ranges.
struct LogisticProblem {
    /// Rows per block of a Newton step.
    static let blockRows = 512

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

    /// Newton steps on the packed rows in `ranges` (all rows when nil), from `start` (zeros
    /// when nil), until no coefficient moves more than `tolerance` or `maxIterations` steps
    /// were taken.
    /// - Throws: `EvaluationError.numerical` when a step is not finite or `G + λI` is not
    ///   positive definite.
    /// - Complexity: O(steps · rows · p²); memory O(block · p).
    func fit(
        ridge: Double, maxIterations: Int, tolerance: Double, start: [Double]?, ranges: [Range<Int>]? = nil
    ) throws(EvaluationError) -> [Double] {
        let p = dimension, block = Self.blockRows
        let ranges = ranges ?? [0..<count]
        var theta = start ?? [Double](repeating: 0, count: p)
        var eta = [Double](repeating: 0, count: block)
        var weightedTargets = [Double](repeating: 0, count: block)
        var scaled = [Double](repeating: 0, count: block * p)
        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        for _ in 0..<maxIterations {
            gram.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            moment.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            design.withUnsafeBufferPointer { xAll in
                rewards.withUnsafeBufferPointer { rAll in
                    theta.withUnsafeBufferPointer { t in
                        eta.withUnsafeMutableBufferPointer { e in
                            weightedTargets.withUnsafeMutableBufferPointer { wz in
                                scaled.withUnsafeMutableBufferPointer { s in
                                    gram.withUnsafeMutableBufferPointer { g in
                                        moment.withUnsafeMutableBufferPointer { v in
                                            for range in ranges {
                                                var first = range.lowerBound
                                                while first < range.upperBound {
                                                    let m = min(block, range.upperBound - first)
                                                    let x = xAll.baseAddress! + first * p
                                                    BLAS.gemv(transpose: .none, m: m, n: p, a: x, lda: p, x: t.baseAddress!, beta: 0, y: e.baseAddress!)
                                                    for i in 0..<m {
                                                        let q = 1 / (1 + exp(-e[i]))
                                                        let w = max(q * (1 - q), 1e-10)
                                                        wz[i] = w * e[i] + (rAll[first + i] - q)
                                                        let root = w.squareRoot()
                                                        for j in 0..<p { s[i * p + j] = root * x[i * p + j] }
                                                    }
                                                    BLAS.syrk(triangle: .lower, transpose: .transpose, n: p, k: m, a: s.baseAddress!, lda: p,
                                                              beta: 1, c: g.baseAddress!, ldc: p)
                                                    BLAS.gemv(transpose: .transpose, m: m, n: p, a: x, lda: p, x: wz.baseAddress!, beta: 1, y: v.baseAddress!)
                                                    first += m
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
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
