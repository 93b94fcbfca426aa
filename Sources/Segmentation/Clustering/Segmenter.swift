import AttuneCore
import Linalg

/// A fitted segmentation: it assigns feature rows (in the space it was fitted in) to
/// segments `0..<segmentCount`, and it is `Codable` so it can be stored and reloaded.
public protocol SegmentModel: Codable, Sendable {
    /// The number of segments.
    var segmentCount: Int { get }
    /// The number of feature columns expected.
    var dimension: Int { get }
    /// The segment of each row of `x` (−1 where the method has a noise label).
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` or
    ///   ``SegmentationError/nonFiniteValue(row:column:)``.
    func assign(_ x: Matrix) throws(SegmentationError) -> [Int]
}

/// A clustering method: `fit` learns a ``SegmentModel`` from a feature matrix.
///
/// Every stochastic step draws from the generator passed in, so the same seed gives the
/// same model.
public protocol Segmenter: Sendable {
    /// The fitted model type.
    associatedtype Model: SegmentModel
    /// Fits the method to the rows of `x`.
    /// - Throws: ``SegmentationError`` for unusable input (too few rows, NaN, …).
    func fit(_ x: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> Model
}

/// Input checks shared by the clustering methods.
enum ClusteringInput {
    /// Throws unless every element of `x` is finite and `x` has at least `minimumRows` rows.
    static func check(_ x: Matrix, minimumRows: Int, what: String) throws(SegmentationError) {
        guard x.elements.count == x.rows * x.columns, x.columns > 0 else {
            throw .dimensionMismatch(expected: max(1, x.columns), actual: x.columns, what: what)
        }
        guard x.rows >= minimumRows else {
            throw .insufficientData(needed: minimumRows, available: x.rows, what: what)
        }
        try Scaler.checkFinite(x)
    }
}
