/// What the policy knows about the decision moment: a dense feature vector and, optionally,
/// the customer's segment.
///
/// Named features are mapped to the dense vector by a declared feature schema (see
/// `FeatureSchema`), so every vector a learner sees has the same meaning at each index.
/// Mutate `features` in place between decisions to keep hot loops allocation-free.
public struct Context: Sendable, Equatable, Codable {
    /// Dense context features, in the schema's order.
    public var features: [Double]
    /// The customer's segment (index into the segmentation model's segments), if known.
    public var segment: Int?

    /// Creates a context.
    public init(features: [Double], segment: Int? = nil) {
        self.features = features
        self.segment = segment
    }

    /// Checks the dimension and finiteness of the features.
    /// - Throws: `BanditsError.dimensionMismatch` or `BanditsError.nonFiniteFeature`,
    ///   naming `context[i]`.
    @inlinable
    public func validate(dimension: Int) throws(BanditsError) {
        guard features.count == dimension else {
            throw BanditsError.dimensionMismatch(field: "context", expected: dimension, actual: features.count)
        }
        for i in 0..<features.count where !features[i].isFinite {
            throw BanditsError.nonFiniteFeature(field: "context[\(i)]")
        }
    }
}
