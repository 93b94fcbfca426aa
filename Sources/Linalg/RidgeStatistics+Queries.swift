// MARK: - Predictions

extension RidgeStatistics {
    /// The ridge prediction `xᵀθ` for a context `x`.
    ///
    /// Values are not scanned for NaN (a non-finite context gives a non-finite mean).
    /// - Throws: `LinalgError.dimensionMismatch` when `x.count != d`.
    /// - Complexity: O(d), no allocation.
    @inlinable
    public func mean(of x: UnsafeBufferPointer<Double>) throws(LinalgError) -> Double {
        try checkCount(x.count, dimension, "a context of length", "RidgeStatistics.mean")
        return coefficients.elements.withUnsafeBufferPointer { theta in
            BLAS.dot(n: dimension, x: x.baseAddress!, y: theta.baseAddress!)
        }
    }

    /// The ridge prediction `xᵀθ`; see ``mean(of:)-(UnsafeBufferPointer<Double>)``.
    /// - Throws: `LinalgError.dimensionMismatch` when `x.count != d`.
    /// - Complexity: O(d), no allocation.
    @inlinable
    public func mean(of x: Vector) throws(LinalgError) -> Double {
        try x.elements.withUnsafeBufferPointer { (xp) throws(LinalgError) in try mean(of: xp) }
    }

    /// The quadratic form `xᵀA⁻¹x`: the posterior variance of `xᵀθ` per unit noise variance
    /// (LinUCB's width is `α √(xᵀA⁻¹x)`).
    ///
    /// Computed as `Σᵢ xᵢ² A⁻¹ᵢᵢ + 2 Σᵢ xᵢ Σ_{j<i} A⁻¹ᵢⱼ xⱼ` over the lower triangle, without a
    /// temporary vector. Clamped at 0 (rounding can make it a tiny negative number).
    /// - Throws: `LinalgError.dimensionMismatch` when `x.count != d`.
    /// - Complexity: O(d²), no allocation.
    @inlinable
    public func variance(of x: UnsafeBufferPointer<Double>) throws(LinalgError) -> Double {
        try checkCount(x.count, dimension, "a context of length", "RidgeStatistics.variance")
        let d = dimension
        let q = inverse.elements.withUnsafeBufferPointer { ainvBuffer -> Double in
            let ainv = ainvBuffer.baseAddress!, xp = x.baseAddress!
            var diagonal = 0.0, offDiagonal = 0.0
            for i in 0..<d {
                let row = ainv + i * d
                // The dot of row i (j < i) with x: BLAS for long rows, a loop for short ones.
                let partial = i >= 32 ? BLAS.dot(n: i, x: row, y: xp) : {
                    var s = 0.0
                    for j in 0..<i { s += row[j] * xp[j] }
                    return s
                }()
                offDiagonal += xp[i] * partial
                diagonal += xp[i] * xp[i] * row[i]
            }
            return diagonal + 2 * offDiagonal
        }
        return Swift.max(q, 0)
    }

    /// The quadratic form `xᵀA⁻¹x`; see ``variance(of:)-(UnsafeBufferPointer<Double>)``.
    /// - Throws: `LinalgError.dimensionMismatch` when `x.count != d`.
    /// - Complexity: O(d²), no allocation.
    @inlinable
    public func variance(of x: Vector) throws(LinalgError) -> Double {
        try x.elements.withUnsafeBufferPointer { (xp) throws(LinalgError) in try variance(of: xp) }
    }
}

// MARK: - Thompson sampling

extension RidgeStatistics {
    /// Writes a draw `θ̃ = θ + s L⁻ᵀ z` from the Gaussian posterior `N(θ, s² A⁻¹)` into `result`,
    /// where `A = L Lᵀ` and `z` holds `d` standard normal values supplied by the caller.
    ///
    /// ```
    /// Cov(L⁻ᵀ z) = L⁻ᵀ L⁻¹ = (L Lᵀ)⁻¹ = A⁻¹
    /// ```
    /// The Cholesky factor is kept inside the statistics and reused until the next update or
    /// merge, so a policy sampling many times between updates pays O(d³) once and O(d²) per
    /// draw. With forgetting the factor is a by-product of every update.
    ///
    /// - Parameters:
    ///   - scale: `s`, the posterior scale (`v` in Agrawal & Goyal's notation), finite and ≥ 0.
    ///   - normals: `d` independent standard normal draws.
    ///   - result: receives `θ̃` (`d` values).
    /// - Throws: `LinalgError.dimensionMismatch` for buffers of the wrong length;
    ///   `LinalgError.invalidArgument` for a bad scale; `LinalgError.nonFinite` for non-finite
    ///   normals; `LinalgError.notPositiveDefinite` if rounding has made `A` indefinite.
    /// - Complexity: O(d²) with a current factor, O(d³) otherwise; no allocation after the
    ///   first factorization.
    ///
    /// ## References
    /// Agrawal & Goyal, "Thompson sampling for contextual bandits with linear payoffs",
    /// ICML 2013.
    public mutating func sampleCoefficients(
        scale: Double, normals: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>
    ) throws(LinalgError) {
        let d = dimension
        try checkCount(normals.count, d, "normals of length", "RidgeStatistics.sampleCoefficients")
        try checkCount(result.count, d, "a result of length", "RidgeStatistics.sampleCoefficients")
        guard scale.isFinite, scale >= 0 else {
            throw .invalidArgument(
                operation: "RidgeStatistics.sampleCoefficients", message: "scale must be finite and ≥ 0, got \(scale)")
        }
        if let bad = SymmetricKernels.firstNonFinite(normals.baseAddress!, count: d) {
            throw .nonFinite(operation: "RidgeStatistics.sampleCoefficients (normals)", index: bad)
        }
        try ensureFactor("RidgeStatistics.sampleCoefficients")
        let out = result.baseAddress!
        BLAS.copy(n: d, x: normals.baseAddress!, y: out)
        workspace.withUnsafeBufferPointer { l in
            // The workspace holds R = Lᵀ in its upper triangle: R y = z  ⇒  y = L⁻ᵀ z.
            BLAS.trsv(triangle: .upper, transpose: .none, n: d, a: l.baseAddress!, lda: d, x: out)
        }
        BLAS.scal(n: d, alpha: scale, x: out)
        coefficients.elements.withUnsafeBufferPointer { theta in
            BLAS.axpy(n: d, alpha: 1, x: theta.baseAddress!, y: out)
        }
    }

    /// A posterior draw as a ``Vector``; see
    /// ``sampleCoefficients(scale:normals:into:)``.
    /// - Throws: as the buffer form.
    /// - Complexity: as the buffer form, plus one allocation for the result.
    public mutating func sampleCoefficients(scale: Double, normals: Vector) throws(LinalgError) -> Vector {
        var result = Vector(count: dimension)
        try normals.elements.withUnsafeBufferPointer { (z) throws(LinalgError) in
            try result.elements.withUnsafeMutableBufferPointer { (out) throws(LinalgError) in
                try sampleCoefficients(scale: scale, normals: z, into: out)
            }
        }
        return result
    }
}

// MARK: - Merging

extension RidgeStatistics {
    /// Adds another shard's statistics to these, exactly:
    ///
    /// ```
    /// A ← A₁ + A₂ − λI,   b ← b₁ + b₂,   count ← count₁ + count₂
    /// ```
    /// (with forgetting, after restoring each side's prior to `c = 1`),
    /// then recomputes `A⁻¹` and `θ` by Cholesky. Merging the statistics of shards that each
    /// saw part of a stream equals one learner fed the whole stream (up to rounding). With
    /// forgetting, each shard's observations stay discounted by its own clock.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` for another dimension;
    ///   `LinalgError.invalidArgument` for another ridge or forgetting factor;
    ///   `LinalgError.notPositiveDefinite` if the sum is not positive definite (corrupt input).
    ///   Nothing changes when an error is thrown.
    /// - Complexity: O(d³).
    public mutating func merge(_ other: RidgeStatistics) throws(LinalgError) {
        guard other.dimension == dimension else {
            throw .dimensionMismatch(
                operation: "RidgeStatistics.merge", expected: "dimension \(dimension)", actual: "dimension \(other.dimension)")
        }
        guard other.ridge == ridge else {
            throw .invalidArgument(
                operation: "RidgeStatistics.merge", message: "ridge \(other.ridge) differs from \(ridge); merge statistics built with the same ridge")
        }
        guard other.forgetting == forgetting else {
            throw .invalidArgument(
                operation: "RidgeStatistics.merge",
                message: "forgetting \(other.forgetting) differs from \(forgetting); merge statistics built with the same forgetting factor")
        }
        var merged = self
        var other = other
        merged.restorePrior()
        other.restorePrior()
        let d = dimension
        merged.precision.elements.withUnsafeMutableBufferPointer { a in
            other.precision.elements.withUnsafeBufferPointer { o in
                BLAS.axpy(n: d * d, alpha: 1, x: o.baseAddress!, y: a.baseAddress!)
            }
            for i in 0..<d { a[i * d + i] -= ridge }
        }
        merged.moment.elements.withUnsafeMutableBufferPointer { b in
            other.moment.elements.withUnsafeBufferPointer { o in
                BLAS.axpy(n: d, alpha: 1, x: o.baseAddress!, y: b.baseAddress!)
            }
        }
        merged.count = count &+ other.count
        try merged.refactor()
        self = merged
    }

    /// The merge of two statistics; see ``merge(_:)``.
    /// - Throws: as ``merge(_:)``.
    /// - Complexity: O(d³).
    public func merging(_ other: RidgeStatistics) throws(LinalgError) -> RidgeStatistics {
        var result = self
        try result.merge(other)
        return result
    }
}
