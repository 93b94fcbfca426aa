/// The named context features of a policy and how they map to the dense context vector.
///
/// Feature `i` of `features` lands at index `i`; with `intercept` a constant 1 is appended
/// last. Each raw value `v` is scaled as `(v − center) / scale` (defaults 0 and 1).
///
/// ```
/// let schema = FeatureSchema(features: [.init(name: "age", center: 40, scale: 10)], intercept: true)
/// try schema.vector(from: ["age": 50])   // [1.0, 1.0]
/// ```
public struct FeatureSchema: Sendable, Codable, Equatable {
    /// One named feature.
    public struct Feature: Sendable, Codable, Equatable {
        /// The name used in requests (`{"name": value}`).
        public var name: String
        /// Value used when a request omits the feature; omitting it is an error when `nil`.
        public var `default`: Double?
        /// Subtracted before scaling; default 0.
        public var center: Double?
        /// Divides the centered value; > 0, default 1.
        public var scale: Double?

        /// Creates a feature.
        public init(name: String, default: Double? = nil, center: Double? = nil, scale: Double? = nil) {
            self.name = name
            self.default = `default`
            self.center = center
            self.scale = scale
        }

        /// The scaled value of raw value `v`: `(v − center) / scale`.
        @inlinable
        public func scaled(_ v: Double) -> Double { (v - (center ?? 0)) / (scale ?? 1) }
    }

    /// The features, in dense-vector order.
    public var features: [Feature]
    /// Whether a constant 1 is appended as the last component.
    public var intercept: Bool?

    /// Creates a schema.
    public init(features: [Feature], intercept: Bool? = nil) {
        self.features = features
        self.intercept = intercept
    }

    /// The length of the dense vector: the feature count, plus 1 with an intercept.
    public var dimension: Int { features.count + ((intercept ?? false) ? 1 : 0) }

    /// The dense index of feature `name`, or `nil` when the schema has no such feature.
    public func index(of name: String) -> Int? { features.firstIndex { $0.name == name } }

    /// Maps named raw values to the dense, scaled context vector.
    /// - Throws: `BanditsError.invalidSpecification` naming `context.<name>` for an unknown
    ///   name or a missing feature without default, `BanditsError.nonFiniteFeature` for NaN
    ///   or an infinity.
    /// - Complexity: O(n + f) for n given values and f features.
    public func vector(from values: [String: Double]) throws(BanditsError) -> [Double] {
        for name in values.keys.sorted() where index(of: name) == nil {
            let known = features.map(\.name).joined(separator: ", ")
            throw .invalidSpecification(path: "context.\(name)", problem: "unknown feature '\(name)'",
                                        fix: "send only the features declared in the policy's feature_schema (\(known))")
        }
        var vector: [Double] = []
        vector.reserveCapacity(dimension)
        for feature in features {
            guard let raw = values[feature.name] ?? feature.default else {
                throw .invalidSpecification(path: "context.\(feature.name)", problem: "missing feature '\(feature.name)'",
                                            fix: "send it, or give it a \"default\" in the feature_schema")
            }
            guard raw.isFinite else { throw .nonFiniteFeature(field: "context.\(feature.name)") }
            vector.append(feature.scaled(raw))
        }
        if intercept ?? false { vector.append(1) }
        return vector
    }

    /// The context for named values and an optional segment.
    /// - Throws: as ``vector(from:)``.
    public func context(from values: [String: Double], segment: Int? = nil) throws(BanditsError) -> Context {
        Context(features: try vector(from: values), segment: segment)
    }
}
