/// A dense vector of `Double`s stored contiguously.
///
/// `Vector` is a thin value wrapper over `[Double]`: copies share storage until one of them
/// is mutated (copy-on-write), so passing vectors around is cheap. BLAS-backed operations
/// live in `Vector+BLAS.swift`.
///
/// ```
/// var v = Vector([1, 2, 3])
/// v[0] = 4
/// let n = v.norm            // √(16 + 4 + 9)
/// ```
public struct Vector: Equatable, Sendable, Codable {
    /// The elements, in order.
    public var elements: [Double]

    /// Creates a vector holding `elements`.
    /// - Complexity: O(1) (the array's storage is shared, not copied).
    @inlinable
    public init(_ elements: [Double]) {
        self.elements = elements
    }

    /// Creates a vector of `count` copies of `repeating`.
    ///
    /// A negative `count` is treated as zero.
    /// - Complexity: O(count).
    @inlinable
    public init(count: Int, repeating value: Double = 0) {
        self.elements = Array(repeating: value, count: Swift.max(count, 0))
    }

    /// The number of elements.
    @inlinable
    public var count: Int { elements.count }

    /// The element at position `index` (0-based).
    ///
    /// Like `Array`, an out-of-range index is a programming error and traps.
    @inlinable
    public subscript(index: Int) -> Double {
        get { elements[index] }
        set { elements[index] = newValue }
    }

    /// Whether every element is finite (no NaN, no infinity).
    /// - Complexity: O(count).
    @inlinable
    public var isFinite: Bool {
        elements.allSatisfy { $0.isFinite }
    }
}

// MARK: - Codable

extension Vector {
    /// Encodes the vector as a plain JSON array of numbers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(elements)
    }

    /// Decodes a vector from a plain JSON array of numbers.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.elements = try container.decode([Double].self)
    }
}

// MARK: - ExpressibleByArrayLiteral

extension Vector: ExpressibleByArrayLiteral {
    /// Creates a vector from an array literal: `let v: Vector = [1, 2, 3]`.
    @inlinable
    public init(arrayLiteral elements: Double...) {
        self.elements = elements
    }
}
