// Internal checks shared by the value-level API. They run before any BLAS/LAPACK call so
// that bad shapes and non-finite values surface as typed errors instead of out-of-bounds
// reads or LAPACK error codes.

extension Matrix {
    /// Throws unless `elements.count == rows * columns` (the public `elements` can be replaced).
    @inlinable
    func checkStorage(_ operation: StaticString) throws(LinalgError) {
        guard elements.count == rows &* columns else {
            throw .dimensionMismatch(
                operation: "\(operation)", expected: "\(rows)×\(columns) = \(rows &* columns) elements",
                actual: "\(elements.count) elements")
        }
    }

    /// Throws unless the matrix is square.
    @inlinable
    func checkSquare(_ operation: StaticString) throws(LinalgError) {
        try checkStorage(operation)
        guard rows == columns else {
            throw .dimensionMismatch(operation: "\(operation)", expected: "a square matrix", actual: "\(rows)×\(columns)")
        }
    }

    /// Throws `nonFinite` with the row-major index of the first NaN or infinity.
    @inlinable
    func checkFinite(_ operation: StaticString) throws(LinalgError) {
        try checkFiniteElements(elements, operation)
    }
}

/// Throws `nonFinite` with the index of the first NaN or infinity in `values`.
@inlinable
func checkFiniteElements(_ values: [Double], _ operation: StaticString) throws(LinalgError) {
    if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw .nonFinite(operation: "\(operation)", index: index)
    }
}

/// Throws `nonFinite` with the index of the first NaN or infinity in `values`.
@inlinable
func checkFiniteElements(_ values: UnsafeBufferPointer<Double>, _ operation: StaticString) throws(LinalgError) {
    for i in values.indices where !values[i].isFinite {
        throw .nonFinite(operation: "\(operation)", index: i)
    }
}

/// Throws `dimensionMismatch` unless `actual == expected`.
@inlinable
func checkCount(_ actual: Int, _ expected: Int, _ what: StaticString, _ operation: StaticString) throws(LinalgError) {
    guard actual == expected else {
        throw .dimensionMismatch(operation: "\(operation)", expected: "\(what) of \(expected)", actual: "\(actual)")
    }
}

/// Throws `dimensionMismatch` unless `matrix` is `rows × columns`.
@inlinable
func checkShape(_ matrix: Matrix, _ rows: Int, _ columns: Int, _ what: StaticString, _ operation: StaticString) throws(LinalgError) {
    try matrix.checkStorage(operation)
    guard matrix.rows == rows, matrix.columns == columns else {
        throw .dimensionMismatch(
            operation: "\(operation)", expected: "\(what) of \(rows)×\(columns)", actual: "\(matrix.rows)×\(matrix.columns)")
    }
}
