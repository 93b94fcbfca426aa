/// Sufficient statistics of (weighted, optionally discounted) ridge regression, updated online.
///
/// After the updates `(x₁, r₁, w₁), …, (x_t, r_t, w_t)` the statistics hold
///
/// ```
/// A = c λ I + Σₛ γ^(t−s) wₛ xₛ xₛᵀ      (precision, d × d, full symmetric storage)
/// b = Σₛ γ^(t−s) wₛ rₛ xₛ              (moment)
/// A⁻¹                                  (inverse, full symmetric storage)
/// θ = A⁻¹ b                            (coefficients)
/// ```
///
/// where `c` (``priorScale``) is 1 without forgetting and stays in `[1/2, 1]` with it (below).
/// `mean(of: x) = xᵀθ` is the ridge prediction and `variance(of: x) = xᵀA⁻¹x` is the width
/// LinUCB and linear Thompson sampling need. Both queries allocate nothing; `mean` is O(d),
/// `variance` O(d²).
///
/// **Without forgetting** (`γ = 1`, the default) an update is a Sherman–Morrison rank-one
/// correction of the inverse, O(d²) and allocation-free once the struct's storage is uniquely
/// referenced:
///
/// ```
/// u = A⁻¹x,   A⁻¹ ← A⁻¹ − w u uᵀ / (1 + w xᵀu),   θ ← A⁻¹ b
/// ```
///
/// Rounding accumulates slowly in a Sherman–Morrison inverse; ``refactor()`` recomputes it
/// (and `θ`) from `A` by Cholesky. Calling it every few thousand updates keeps the inverse at
/// working precision.
///
/// **With forgetting** (`0 < γ < 1`) old observations are discounted. Discounting the whole
/// of `A` is a scaling, so the inverse follows exactly in O(d²):
///
/// ```
/// A ← γA + w x xᵀ,   A⁻¹ ← (γA)⁻¹ = A⁻¹/γ, then Sherman–Morrison with x,   c ← γc
/// ```
///
/// but the prior decays with the data (`c = γ^t`), and left alone `A` would drift towards
/// singularity along directions no longer observed while `A⁻¹` grows as `γ^(−t)` until it
/// overflows. So whenever `γc` would fall below 1/2, the update restores the prior instead,
/// `A ← γA + (1 − γc)λI + w x xᵀ` (so `c = 1` again), and recomputes `A⁻¹` and `θ` by
/// Cholesky: a full-rank change that Sherman–Morrison cannot follow. The refactoring costs
/// O(d³) once every `⌈ln(1/2) / ln γ⌉` updates (every 69 for `γ = 0.99`), so updates stay
/// O(d²) amortized and allocation-free, `A⁻¹` is always the inverse of the `A` it is stored
/// with, and the prior precision never falls below `λ/2`. ``refactor()`` and ``merge(_:)``
/// restore `c = 1` too.
///
/// Statistics are additive, so shards merge exactly (``merge(_:)``).
///
/// ```
/// var stats = try RidgeStatistics(dimension: 3, ridge: 1)
/// try stats.update(with: Vector([1, 0, 2]), reward: 0.5)
/// let ucb = try stats.mean(of: x) + alpha * stats.variance(of: x).squareRoot()
/// ```
///
/// ## References
/// Sherman & Morrison, "Adjustment of an inverse matrix corresponding to a change in one
/// element of a given matrix", Ann. Math. Statist. 21(1), 1950.
/// Li, Chu, Langford & Schapire, "A contextual-bandit approach to personalized news article
/// recommendation", WWW 2010 (LinUCB).
/// Russac, Vernade & Cappé, "Weighted linear bandits for non-stationary environments",
/// NeurIPS 2019 (discounted statistics, keeping a regularization floor).
public struct RidgeStatistics: Sendable {
    /// The number of features `d`.
    public let dimension: Int
    /// The ridge penalty `λ > 0` (the prior precision of every coefficient).
    public let ridge: Double
    /// The forgetting factor `γ ∈ (0, 1]`; `1` keeps every observation at full weight.
    public let forgetting: Double
    /// The number of updates applied (merged statistics add their counts).
    public internal(set) var count: Int
    /// The share `c ∈ [1/2, 1]` of the prior `λI` currently in `precision` (1 without forgetting).
    public internal(set) var priorScale: Double
    /// `A = cλI + Σ γ^(t−s) w x xᵀ`, `d × d`, exactly symmetric.
    public internal(set) var precision: Matrix
    /// `b = Σ γ^(t−s) w r x`, length `d`.
    public internal(set) var moment: Vector
    /// `A⁻¹`, `d × d`, exactly symmetric.
    public internal(set) var inverse: Matrix
    /// `θ = A⁻¹ b`, the ridge coefficients, length `d`.
    public internal(set) var coefficients: Vector

    /// `A⁻¹x` during an update (length `d`).
    @usableFromInline var scratch: [Double]
    /// `d × d`: `R = Lᵀ` with `A = Rᵀ R` in its upper triangle when ``factorIsCurrent``; empty
    /// until something needs it (sampling, refactoring, forgetting).
    @usableFromInline var workspace: [Double]
    /// Whether ``workspace`` holds the Cholesky factor of the current `precision`.
    @usableFromInline var factorIsCurrent: Bool

    /// Empty statistics: `A = λI`, `b = 0`, `θ = 0`.
    ///
    /// - Parameters:
    ///   - dimension: the number of features `d ≥ 1`.
    ///   - ridge: `λ > 0`, finite.
    ///   - forgetting: `γ ∈ (0, 1]` (`1`: no forgetting).
    /// - Throws: `LinalgError.invalidArgument` naming the parameter out of range.
    /// - Complexity: O(d²) time and memory.
    public init(dimension: Int, ridge: Double = 1, forgetting: Double = 1) throws(LinalgError) {
        guard dimension >= 1, dimension <= 1 << 15 else {
            throw .invalidArgument(
                operation: "RidgeStatistics.init", message: "dimension must be in 1...32768, got \(dimension)")
        }
        guard ridge.isFinite, ridge > 0 else {
            throw .invalidArgument(
                operation: "RidgeStatistics.init", message: "ridge must be finite and > 0, got \(ridge)")
        }
        guard forgetting.isFinite, forgetting > 0, forgetting <= 1 else {
            throw .invalidArgument(
                operation: "RidgeStatistics.init", message: "forgetting must be in (0, 1], got \(forgetting)")
        }
        self.dimension = dimension
        self.ridge = ridge
        self.forgetting = forgetting
        self.count = 0
        self.priorScale = 1
        var a = Matrix(rows: dimension, columns: dimension)
        var ainv = Matrix(rows: dimension, columns: dimension)
        for i in 0..<dimension {
            a.elements[i * dimension + i] = ridge
            ainv.elements[i * dimension + i] = 1 / ridge
        }
        self.precision = a
        self.inverse = ainv
        self.moment = Vector(count: dimension)
        self.coefficients = Vector(count: dimension)
        self.scratch = Array(repeating: 0, count: dimension)
        self.workspace = forgetting < 1 ? Array(repeating: 0, count: dimension * dimension) : []
        self.factorIsCurrent = false
    }

    // MARK: - Updates

    /// Adds one observation: context `x`, reward `r`, importance weight `w`.
    ///
    /// ```
    /// γ = 1:           A ← A + w x xᵀ,                  b ← b + w r x,   A⁻¹ by Sherman–Morrison
    /// γ < 1, γc ≥ 1/2: A ← γA + w x xᵀ,                 b ← γb + w r x,  A⁻¹/γ by Sherman–Morrison
    /// γ < 1, γc < 1/2: A ← γA + (1 − γc)λI + w x xᵀ,    b ← γb + w r x,  A⁻¹ by Cholesky
    /// ```
    /// then `θ ← A⁻¹ b`. Nothing changes when an error is thrown.
    ///
    /// - Parameters:
    ///   - x: the context, `d` finite values.
    ///   - reward: the observed reward, finite.
    ///   - weight: the observation's weight `w ≥ 0`, finite (importance weights, repeated
    ///     observations); `0` only advances the forgetting clock.
    /// - Throws: `LinalgError.dimensionMismatch` when `x.count != d`; `LinalgError.nonFinite`
    ///   when `x` or `reward` holds NaN or an infinity (index `d` for the reward) or `w‖x‖²`
    ///   overflows; `LinalgError.invalidArgument` for a negative or non-finite weight.
    /// - Complexity: O(d²) and no allocation; with forgetting, one update in
    ///   `⌈ln(1/2) / ln γ⌉` is O(d³) (storage shared with a copy is duplicated once on the
    ///   first mutation).
    public mutating func update(with x: UnsafeBufferPointer<Double>, reward: Double, weight: Double = 1) throws(LinalgError) {
        let d = dimension
        try checkCount(x.count, d, "a context of length", "RidgeStatistics.update")
        guard let xp = x.baseAddress else { return }
        if let bad = SymmetricKernels.firstNonFinite(xp, count: d) {
            throw .nonFinite(operation: "RidgeStatistics.update (context)", index: bad)
        }
        guard reward.isFinite else { throw .nonFinite(operation: "RidgeStatistics.update (reward)", index: d) }
        guard weight.isFinite, weight >= 0 else {
            throw .invalidArgument(
                operation: "RidgeStatistics.update", message: "weight must be finite and ≥ 0, got \(weight)")
        }
        let squaredNorm = BLAS.dot(n: d, x: xp, y: xp)
        guard (weight * squaredNorm).isFinite, (weight * reward * squaredNorm.squareRoot()).isFinite else {
            throw .nonFinite(operation: "RidgeStatistics.update (context too large)", index: 0)
        }
        if forgetting == 1 {
            updateShermanMorrison(xp, reward: reward, weight: weight, discount: 1)
        } else if forgetting * priorScale >= Self.priorScaleFloor {
            updateShermanMorrison(xp, reward: reward, weight: weight, discount: forgetting)
            priorScale *= forgetting
        } else {
            try updateRestoringPrior(xp, reward: reward, weight: weight)
        }
        count += 1
    }

    /// Adds one observation given as a ``Vector``; see ``update(with:reward:weight:)-(UnsafeBufferPointer<Double>,_,_)``.
    ///
    /// - Throws: as the buffer form.
    /// - Complexity: as the buffer form.
    public mutating func update(with x: Vector, reward: Double, weight: Double = 1) throws(LinalgError) {
        try x.elements.withUnsafeBufferPointer { (xp) throws(LinalgError) in
            try update(with: xp, reward: reward, weight: weight)
        }
    }

    /// The share of the prior below which a forgetting update restores it.
    @usableFromInline static let priorScaleFloor = 0.5

    /// The Sherman–Morrison step, after discounting `A` by `γ` (`discount`, 1 for none);
    /// inputs already validated.
    ///
    /// With `u = A⁻¹x` and `c = w / (1 + w xᵀu)`, the correction `−c u uᵀ` is applied as
    /// `−v vᵀ` with `v = √c · u` (and `A`'s `+w xxᵀ` as `+v vᵀ` with `v = √w · x`), which keeps
    /// the full storage exactly symmetric in one pass (see `SymmetricKernels.symmetricRankOne`).
    /// Full symmetric storage also lets the products use `dgemv`, faster than `dsymv` here.
    @usableFromInline
    mutating func updateShermanMorrison(_ x: UnsafePointer<Double>, reward: Double, weight: Double, discount: Double) {
        let d = dimension
        factorIsCurrent = false
        if discount != 1 {
            // (γA)⁻¹ = A⁻¹/γ: both stay exactly symmetric under a uniform scaling.
            precision.elements.withUnsafeMutableBufferPointer { BLAS.scal(n: d * d, alpha: discount, x: $0.baseAddress!) }
            inverse.elements.withUnsafeMutableBufferPointer { BLAS.scal(n: d * d, alpha: 1 / discount, x: $0.baseAddress!) }
            moment.elements.withUnsafeMutableBufferPointer { BLAS.scal(n: d, alpha: discount, x: $0.baseAddress!) }
        }
        guard weight > 0 else {
            if discount != 1 { recomputeCoefficients() }
            return
        }
        inverse.elements.withUnsafeMutableBufferPointer { ainvBuffer in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                let ainv = ainvBuffer.baseAddress!, u = scratchBuffer.baseAddress!
                // u = A⁻¹x; the denominator 1 + w xᵀA⁻¹x ≥ 1 for a positive definite A.
                BLAS.gemv(m: d, n: d, a: ainv, lda: d, x: x, y: u)
                let denominator = 1 + weight * BLAS.dot(n: d, x: x, y: u)
                BLAS.scal(n: d, alpha: (weight / denominator).squareRoot(), x: u)
                SymmetricKernels.symmetricRankOne(ainv, n: d, u, subtract: true)
            }
        }
        precision.elements.withUnsafeMutableBufferPointer { aBuffer in
            let a = aBuffer.baseAddress!
            if weight == 1 {
                SymmetricKernels.symmetricRankOne(a, n: d, x, subtract: false)
            } else {
                scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                    let v = scratchBuffer.baseAddress!
                    BLAS.copy(n: d, x: x, y: v)
                    BLAS.scal(n: d, alpha: weight.squareRoot(), x: v)
                    SymmetricKernels.symmetricRankOne(a, n: d, v, subtract: false)
                }
            }
        }
        moment.elements.withUnsafeMutableBufferPointer { b in
            BLAS.axpy(n: d, alpha: weight * reward, x: x, y: b.baseAddress!)
        }
        recomputeCoefficients()
    }

    /// The discounted step that restores the prior: `A ← γA + (1 − γc)λI + w xxᵀ`, then Cholesky.
    @usableFromInline
    mutating func updateRestoringPrior(_ x: UnsafePointer<Double>, reward: Double, weight: Double) throws(LinalgError) {
        let d = dimension, gamma = forgetting, floor = (1 - forgetting * priorScale) * ridge
        if workspace.count != d * d { workspace = Array(repeating: 0, count: d * d) }
        factorIsCurrent = false
        // The new A is formed in the inverse's storage (the old inverse is not needed: it is
        // recomputed below) and factored in a copy, so `precision` changes only on success.
        let order = precision.elements.withUnsafeBufferPointer { a in
            inverse.elements.withUnsafeMutableBufferPointer { next in
                workspace.withUnsafeMutableBufferPointer { w in
                    let n = next.baseAddress!, ws = w.baseAddress!
                    BLAS.copy(n: d * d, x: a.baseAddress!, y: n)
                    BLAS.scal(n: d * d, alpha: gamma, x: n)
                    for i in 0..<d { n[i * d + i] += floor }
                    if weight > 0 {
                        BLAS.syr(triangle: .lower, n: d, alpha: weight, x: x, a: n, lda: d)
                        SymmetricKernels.mirrorLowerToUpper(n, n: d)
                    }
                    BLAS.copy(n: d * d, x: n, y: ws)
                    return SymmetricKernels.choleskyUpper(ws, n: d)
                }
            }
        }
        if order != 0 {
            // A ≥ λI in exact arithmetic, so only extreme rounding gets here; rebuild the
            // inverse from the unchanged precision so the statistics stay consistent.
            try? refactor()
            throw .notPositiveDefinite(operation: "RidgeStatistics.update", order: order)
        }
        swap(&precision.elements, &inverse.elements)
        priorScale = 1
        moment.elements.withUnsafeMutableBufferPointer { b in
            BLAS.scal(n: d, alpha: gamma, x: b.baseAddress!)
            if weight > 0 { BLAS.axpy(n: d, alpha: weight * reward, x: x, y: b.baseAddress!) }
        }
        factorIsCurrent = true
        inverseFromFactor()
    }

    /// `θ ← A⁻¹ b` (`dgemv` over the full symmetric storage).
    @usableFromInline
    mutating func recomputeCoefficients() {
        let d = dimension
        inverse.elements.withUnsafeBufferPointer { ainv in
            moment.elements.withUnsafeBufferPointer { b in
                coefficients.elements.withUnsafeMutableBufferPointer { theta in
                    BLAS.gemv(m: d, n: d, a: ainv.baseAddress!, lda: d, x: b.baseAddress!, y: theta.baseAddress!)
                }
            }
        }
    }

    /// `A⁻¹` from the current factor in ``workspace`` (potri), made symmetric, then `θ`.
    @usableFromInline
    mutating func inverseFromFactor() {
        let d = dimension
        workspace.withUnsafeBufferPointer { w in
            inverse.elements.withUnsafeMutableBufferPointer { ainv in
                BLAS.copy(n: d * d, x: w.baseAddress!, y: ainv.baseAddress!)
                // potri cannot fail on a factor potrf accepted (its diagonal is positive).
                _ = SymmetricKernels.inverseFromUpperFactor(ainv.baseAddress!, n: d)
                SymmetricKernels.mirrorUpperToLower(ainv.baseAddress!, n: d)
            }
        }
        recomputeCoefficients()
    }

    /// Factors the current `precision` into ``workspace`` unless already done.
    @usableFromInline
    mutating func ensureFactor(_ operation: StaticString) throws(LinalgError) {
        if factorIsCurrent { return }
        let d = dimension
        if workspace.count != d * d { workspace = Array(repeating: 0, count: d * d) }
        let order = precision.elements.withUnsafeBufferPointer { a in
            workspace.withUnsafeMutableBufferPointer { w in
                BLAS.copy(n: d * d, x: a.baseAddress!, y: w.baseAddress!)
                return SymmetricKernels.choleskyUpper(w.baseAddress!, n: d)
            }
        }
        guard order == 0 else { throw .notPositiveDefinite(operation: "\(operation)", order: order) }
        factorIsCurrent = true
    }

    /// Adds the decayed share of the prior back, `A ← A + (1 − c)λI`, so that `c = 1`
    /// (`A⁻¹` and `θ` are then stale until refactored).
    @usableFromInline
    mutating func restorePrior() {
        guard priorScale != 1 else { return }
        let d = dimension, missing = (1 - priorScale) * ridge
        precision.elements.withUnsafeMutableBufferPointer { a in
            for i in 0..<d { a[i * d + i] += missing }
        }
        priorScale = 1
        factorIsCurrent = false
    }

    /// Recomputes `A⁻¹` and `θ` from `A` by Cholesky, clearing the rounding that
    /// Sherman–Morrison updates accumulate; with forgetting, first restores the full prior
    /// (`A ← A + (1 − c)λI`, `c = 1`).
    ///
    /// ```
    /// A = L Lᵀ (potrf),   A⁻¹ = L⁻ᵀ L⁻¹ (potri),   θ = A⁻¹ b
    /// ```
    /// - Throws: `LinalgError.notPositiveDefinite` if rounding has made `A` indefinite (it is
    ///   at least `λI/2` in exact arithmetic).
    /// - Complexity: O(d³), no allocation after the first call.
    public mutating func refactor() throws(LinalgError) {
        restorePrior()
        factorIsCurrent = false
        try ensureFactor("RidgeStatistics.refactor")
        inverseFromFactor()
    }
}
