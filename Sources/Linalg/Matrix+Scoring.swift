// MARK: - Batched scoring

extension Matrix {
    /// Scores every action against one context in a single `dgemv`: with this matrix holding
    /// one coefficient row per action (`K × d`),
    ///
    /// ```
    /// scoresₖ = Σⱼ Θₖⱼ xⱼ      (scores = Θ x)
    /// ```
    ///
    /// This replaces K dot products (K calls) by one call that streams Θ once.
    /// - Parameters:
    ///   - context: `x`, `d = columns` values.
    ///   - scores: receives the `K = rows` scores.
    /// - Throws: `LinalgError.dimensionMismatch` for buffers of the wrong length.
    /// - Complexity: O(K d), no allocation.
    @inlinable
    public func scores(of context: UnsafeBufferPointer<Double>, into scores: UnsafeMutableBufferPointer<Double>) throws(LinalgError) {
        try multiply(context, into: scores)
    }

    /// The `K` scores `Θ x` of one context; see ``scores(of:into:)-(UnsafeBufferPointer<Double>,_)``.
    /// - Throws: `LinalgError.dimensionMismatch` for a context of the wrong length;
    ///   `LinalgError.nonFinite` for a non-finite context.
    /// - Complexity: O(K d), one allocation (the result).
    public func scores(of context: Vector) throws(LinalgError) -> Vector {
        try checkFiniteElements(context.elements, "Matrix.scores")
        var result = Vector(count: rows)
        try context.elements.withUnsafeBufferPointer { (x) throws(LinalgError) in
            try result.elements.withUnsafeMutableBufferPointer { (s) throws(LinalgError) in
                try scores(of: x, into: s)
            }
        }
        return result
    }

    /// Scores many contexts against every action in a single `dgemm`: with this matrix holding
    /// one coefficient row per action (`K × d`) and `contexts` one context per row (`N × d`),
    ///
    /// ```
    /// scores = X Θᵀ      (N × K: row n holds the K scores of context n)
    /// ```
    /// - Throws: `LinalgError.dimensionMismatch` when the widths differ or `scores` is not `N × K`.
    /// - Complexity: O(N K d); no allocation when `scores`' storage is uniquely referenced.
    @inlinable
    public func scores(ofContexts contexts: Matrix, into scores: inout Matrix) throws(LinalgError) {
        guard contexts.columns == columns else {
            throw .dimensionMismatch(
                operation: "Matrix.scores(ofContexts:)", expected: "contexts with \(columns) columns",
                actual: "\(contexts.rows)×\(contexts.columns)")
        }
        try Matrix.multiply(contexts, self, transposeA: .none, transposeB: .transpose, into: &scores)
    }

    /// The `N × K` scores `X Θᵀ` of `N` contexts; see ``scores(ofContexts:into:)``.
    /// - Throws: `LinalgError.dimensionMismatch` when the widths differ;
    ///   `LinalgError.nonFinite` for non-finite contexts.
    /// - Complexity: O(N K d).
    public func scores(ofContexts contexts: Matrix) throws(LinalgError) -> Matrix {
        try contexts.checkStorage("Matrix.scores(ofContexts:)")
        try contexts.checkFinite("Matrix.scores(ofContexts:)")
        var result = Matrix(rows: contexts.rows, columns: rows)
        try scores(ofContexts: contexts, into: &result)
        return result
    }
}
