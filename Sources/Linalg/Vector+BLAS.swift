// MARK: - Level-1 BLAS on vectors

extension Vector {
    /// The dot product `Σᵢ selfᵢ otherᵢ` (`ddot`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when the lengths differ.
    /// - Complexity: O(n), no allocation.
    @inlinable
    public func dot(_ other: Vector) throws(LinalgError) -> Double {
        try checkCount(other.count, count, "a vector of length", "Vector.dot")
        guard count > 0 else { return 0 }
        return elements.withUnsafeBufferPointer { x in
            other.elements.withUnsafeBufferPointer { y in
                BLAS.dot(n: x.count, x: x.baseAddress!, y: y.baseAddress!)
            }
        }
    }

    /// The Euclidean norm `‖self‖₂ = √(Σᵢ selfᵢ²)`, computed without overflow (`dnrm2`).
    /// - Complexity: O(n), no allocation.
    @inlinable
    public var norm: Double {
        guard count > 0 else { return 0 }
        return elements.withUnsafeBufferPointer { x in BLAS.nrm2(n: x.count, x: x.baseAddress!) }
    }

    /// `self ← α x + self` (`daxpy`).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when the lengths differ.
    /// - Complexity: O(n), no allocation when the storage is uniquely referenced.
    @inlinable
    public mutating func axpy(alpha: Double, x: Vector) throws(LinalgError) {
        try checkCount(x.count, count, "a vector of length", "Vector.axpy")
        guard count > 0 else { return }
        x.elements.withUnsafeBufferPointer { xp in
            elements.withUnsafeMutableBufferPointer { yp in
                BLAS.axpy(n: yp.count, alpha: alpha, x: xp.baseAddress!, y: yp.baseAddress!)
            }
        }
    }

    /// The vector `self + α x` (`daxpy` on a copy).
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when the lengths differ.
    /// - Complexity: O(n).
    @inlinable
    public func adding(_ x: Vector, scaledBy alpha: Double = 1) throws(LinalgError) -> Vector {
        var result = self
        try result.axpy(alpha: alpha, x: x)
        return result
    }

    /// The vector `self − x`.
    ///
    /// - Throws: `LinalgError.dimensionMismatch` when the lengths differ.
    /// - Complexity: O(n).
    @inlinable
    public func subtracting(_ x: Vector) throws(LinalgError) -> Vector {
        try adding(x, scaledBy: -1)
    }

    /// `self ← α self` (`dscal`).
    /// - Complexity: O(n), no allocation when the storage is uniquely referenced.
    @inlinable
    public mutating func scale(by alpha: Double) {
        guard count > 0 else { return }
        elements.withUnsafeMutableBufferPointer { x in BLAS.scal(n: x.count, alpha: alpha, x: x.baseAddress!) }
    }

    /// The vector `α self`.
    /// - Complexity: O(n).
    @inlinable
    public func scaled(by alpha: Double) -> Vector {
        var result = self
        result.scale(by: alpha)
        return result
    }
}
