import Linalg

/// A per-column affine transform `z = (x − center) / scale`, fitted on training features and
/// stored in the segment model so that assignment applies exactly the same transform.
///
/// - `standard`: center = mean, scale = population standard deviation.
/// - `robust`: center = median, scale = interquartile range (Q3 − Q1, linear interpolation),
///   insensitive to the heavy tails of spend and frequency.
/// - `none`: the identity.
/// A column with zero spread gets scale 1, so constant features map to 0 instead of NaN.
public struct Scaler: Sendable, Hashable, Codable {
    /// The scaling method.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Mean and standard deviation.
        case standard
        /// Median and interquartile range.
        case robust
        /// No scaling.
        case none
    }

    /// The method fitted.
    public let method: Method
    /// Per-column centers.
    public let center: [Double]
    /// Per-column scales (never 0).
    public let scale: [Double]

    /// Fits a scaler to the columns of `x`.
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` for an empty
    ///   matrix, ``SegmentationError/nonFiniteValue(row:column:)`` for NaN or infinities.
    /// - Complexity: O(n d) for standard, O(n d log n) for robust.
    public init(fitting x: Matrix, method: Method) throws(SegmentationError) {
        guard x.rows > 0 else { throw .insufficientData(needed: 1, available: 0, what: "scaler fit rows") }
        try Scaler.checkFinite(x)
        let n = x.rows, d = x.columns
        var center = [Double](repeating: 0, count: d)
        var scale = [Double](repeating: 1, count: d)
        var column = [Double](repeating: 0, count: n)
        for j in 0..<d {
            for i in 0..<n { column[i] = x.elements[i * d + j] }
            switch method {
            case .none: break
            case .standard:
                let mean = column.reduce(0, +) / Double(n)
                let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
                center[j] = mean
                scale[j] = variance > 0 ? variance.squareRoot() : 1
            case .robust:
                column.sort()
                center[j] = Scaler.quantile(column, 0.5)
                let iqr = Scaler.quantile(column, 0.75) - Scaler.quantile(column, 0.25)
                scale[j] = iqr > 0 ? iqr : 1
            }
        }
        self.method = method
        self.center = center
        self.scale = scale
    }

    /// The columns this scaler expects.
    public var dimension: Int { center.count }

    /// The scaled copy of `x`.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when the column
    ///   count differs from the fitted one, ``SegmentationError/nonFiniteValue(row:column:)``.
    /// - Complexity: O(n d).
    public func transform(_ x: Matrix) throws(SegmentationError) -> Matrix {
        guard x.columns == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.columns, what: "scaler input") }
        try Scaler.checkFinite(x)
        var z = x
        let d = dimension
        z.elements.withUnsafeMutableBufferPointer { e in
            for i in 0..<x.rows {
                for j in 0..<d { e[i * d + j] = (e[i * d + j] - center[j]) / scale[j] }
            }
        }
        return z
    }

    /// The scaled copy of one feature vector.
    /// - Throws: as ``transform(_:)-(Matrix)``.
    public func transform(_ x: [Double]) throws(SegmentationError) -> [Double] {
        guard x.count == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.count, what: "scaler input") }
        for (j, v) in x.enumerated() where !v.isFinite { throw .nonFiniteValue(row: 0, column: j) }
        return (0..<dimension).map { (x[$0] - center[$0]) / scale[$0] }
    }

    /// Maps scaled values back to the original units.
    public func inverse(_ z: [Double]) -> [Double] {
        (0..<min(z.count, dimension)).map { z[$0] * scale[$0] + center[$0] }
    }

    /// The `p`-quantile of sorted data by linear interpolation between order statistics.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let h = p * Double(sorted.count - 1)
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    static func checkFinite(_ x: Matrix) throws(SegmentationError) {
        let d = max(1, x.columns)
        for (k, v) in x.elements.enumerated() where !v.isFinite {
            throw .nonFiniteValue(row: k / d, column: k % d)
        }
    }
}
