/// A dense row-major matrix of `Double`s stored contiguously.
///
/// Element `(i, j)` lives at `elements[i * columns + j]`; the leading dimension handed to
/// BLAS for a row-major `Matrix` is `max(1, columns)`. BLAS-backed operations live in
/// `Matrix+BLAS.swift`, LAPACK-backed ones in `Matrix+LAPACK.swift` and `Cholesky.swift`.
///
/// ```
/// var a = try Matrix(rows: 2, columns: 2, elements: [4, 1, 1, 3])
/// a[0, 1] = 2
/// let at = a.transposed()
/// ```
///
/// `elements` is public for zero-copy interoperation; code that replaces it must keep
/// `elements.count == rows * columns`. Every throwing operation of this module re-checks
/// that invariant and reports `LinalgError.dimensionMismatch` instead of reading out of bounds.
public struct Matrix: Equatable, Sendable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The elements in row-major order (`rows * columns` of them).
    public var elements: [Double]

    /// Creates a `rows × columns` matrix filled with `repeating`.
    ///
    /// Negative sizes are treated as zero.
    /// - Complexity: O(rows · columns).
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        let r = Swift.max(rows, 0), c = Swift.max(columns, 0)
        self.rows = r
        self.columns = c
        self.elements = Array(repeating: value, count: r * c)
    }

    /// Creates a `rows × columns` matrix from its elements in row-major order.
    ///
    /// - Throws: `LinalgError.invalidArgument` when a size is negative,
    ///   `LinalgError.dimensionMismatch` when `elements.count != rows * columns`.
    /// - Complexity: O(1).
    @inlinable
    public init(rows: Int, columns: Int, elements: [Double]) throws(LinalgError) {
        guard rows >= 0, columns >= 0 else {
            throw .invalidArgument(
                operation: "Matrix.init", message: "sizes must be non-negative, got \(rows)×\(columns)")
        }
        let (product, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, elements.count == product else {
            throw .dimensionMismatch(
                operation: "Matrix.init", expected: "\(rows)×\(columns) = \(overflow ? "overflow" : String(product)) elements",
                actual: "\(elements.count) elements")
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// Creates a matrix from an array of equally long rows.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when the rows differ in length.
    /// - Complexity: O(rows · columns).
    public init(rowArrays: [[Double]]) throws(LinalgError) {
        let c = rowArrays.first?.count ?? 0
        var flat: [Double] = []
        flat.reserveCapacity(rowArrays.count * c)
        for (i, row) in rowArrays.enumerated() {
            guard row.count == c else {
                throw .dimensionMismatch(
                    operation: "Matrix.init(rowArrays:)", expected: "row \(i) of length \(c)",
                    actual: "length \(row.count)")
            }
            flat.append(contentsOf: row)
        }
        self.rows = rowArrays.count
        self.columns = c
        self.elements = flat
    }

    /// The `n × n` identity matrix (a negative `n` gives the empty matrix).
    /// - Complexity: O(n²).
    @inlinable
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<m.rows { m.elements[i * m.columns + i] = 1 }
        return m
    }

    /// A square matrix with `diagonal` on its diagonal and zeros elsewhere.
    /// - Complexity: O(n²).
    public static func diagonal(_ diagonal: Vector) -> Matrix {
        var m = Matrix(rows: diagonal.count, columns: diagonal.count)
        for i in 0..<diagonal.count { m.elements[i * m.columns + i] = diagonal[i] }
        return m
    }

    /// The element at `(row, column)` (0-based).
    ///
    /// Out-of-range indices are a programming error and trap, like `Array`'s subscript.
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// Whether the matrix is square.
    @inlinable
    public var isSquare: Bool { rows == columns }

    /// Whether every element is finite (no NaN, no infinity).
    /// - Complexity: O(rows · columns).
    @inlinable
    public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }

    /// The leading dimension of the row-major storage as BLAS expects it: `max(1, columns)`.
    @inlinable
    public var leadingDimension: Int { Swift.max(1, columns) }

    /// The transpose `Aᵀ` (a `columns × rows` matrix).
    /// - Complexity: O(rows · columns).
    public func transposed() -> Matrix {
        var t = Matrix(rows: columns, columns: rows)
        guard rows > 0, columns > 0, elements.count == rows * columns else { return t }
        // Blocked so that both the reads and the writes stay in cache for large matrices.
        let block = 32
        elements.withUnsafeBufferPointer { src in
            t.elements.withUnsafeMutableBufferPointer { dst in
                var i0 = 0
                while i0 < rows {
                    let i1 = Swift.min(i0 + block, rows)
                    var j0 = 0
                    while j0 < columns {
                        let j1 = Swift.min(j0 + block, columns)
                        for i in i0..<i1 {
                            for j in j0..<j1 { dst[j * rows + i] = src[i * columns + j] }
                        }
                        j0 = j1
                    }
                    i0 = i1
                }
            }
        }
        return t
    }

    /// Row `index` as a vector.
    /// - Complexity: O(columns).
    public func row(_ index: Int) -> Vector {
        Vector(Array(elements[(index * columns)..<((index + 1) * columns)]))
    }

    /// Column `index` as a vector.
    /// - Complexity: O(rows).
    public func column(_ index: Int) -> Vector {
        Vector((0..<rows).map { elements[$0 * columns + index] })
    }

    /// The diagonal `(a₀₀, a₁₁, …)` as a vector.
    /// - Complexity: O(min(rows, columns)).
    public var diagonal: Vector {
        Vector((0..<Swift.min(rows, columns)).map { elements[$0 * columns + $0] })
    }

    /// Copies one triangle onto the other so the matrix becomes exactly symmetric.
    ///
    /// `from: .upper` copies the upper triangle onto the lower one, `.lower` the reverse.
    /// Does nothing on a non-square matrix.
    /// - Complexity: O(n²), no allocation when the storage is uniquely referenced.
    public mutating func symmetrize(from triangle: BLAS.Triangle) {
        guard rows == columns, elements.count == rows * columns else { return }
        let n = rows
        elements.withUnsafeMutableBufferPointer { a in
            for i in 0..<n {
                for j in (i + 1)..<Swift.max(i + 1, n) {
                    switch triangle {
                    case .upper: a[j * n + i] = a[i * n + j]
                    case .lower: a[i * n + j] = a[j * n + i]
                    }
                }
            }
        }
    }
}

// MARK: - Codable

extension Matrix: Codable {
    private enum CodingKeys: String, CodingKey {
        case rows, columns, elements
    }

    /// Encodes `{"rows", "columns", "elements"}` with the elements in row-major order.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        try container.encode(elements, forKey: .elements)
    }

    /// Decodes `{"rows", "columns", "elements"}`, rejecting inconsistent shapes.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when a size is negative or the number of
    ///   elements is not `rows * columns`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode(Int.self, forKey: .rows)
        let columns = try container.decode(Int.self, forKey: .columns)
        let elements = try container.decode([Double].self, forKey: .elements)
        do {
            try self.init(rows: rows, columns: columns, elements: elements)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: container.codingPath + [CodingKeys.elements], debugDescription: error.description))
        }
    }
}
