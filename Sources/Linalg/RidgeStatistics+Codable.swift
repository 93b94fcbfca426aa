// MARK: - Equatable

extension RidgeStatistics: Equatable {
    /// Equal when the parameters, the count and the four statistics (`A`, `b`, `A⁻¹`, `θ`) are
    /// element-wise equal; internal scratch storage is ignored.
    public static func == (lhs: RidgeStatistics, rhs: RidgeStatistics) -> Bool {
        lhs.dimension == rhs.dimension && lhs.ridge == rhs.ridge && lhs.forgetting == rhs.forgetting
            && lhs.count == rhs.count && lhs.priorScale == rhs.priorScale && lhs.precision == rhs.precision && lhs.moment == rhs.moment
            && lhs.inverse == rhs.inverse && lhs.coefficients == rhs.coefficients
    }
}

// MARK: - Codable

extension RidgeStatistics: Codable {
    private enum CodingKeys: String, CodingKey {
        case dimension, ridge, forgetting, count, priorScale = "prior_scale", precision, moment, inverse, coefficients
    }

    /// Encodes `{"dimension", "ridge", "forgetting", "count", "prior_scale", "precision",
    /// "moment", "inverse", "coefficients"}`.
    ///
    /// The inverse and the coefficients are stored rather than recomputed on decoding, so a
    /// restored learner scores bit-for-bit like the one that was saved.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dimension, forKey: .dimension)
        try container.encode(ridge, forKey: .ridge)
        try container.encode(forgetting, forKey: .forgetting)
        try container.encode(count, forKey: .count)
        try container.encode(priorScale, forKey: .priorScale)
        try container.encode(precision, forKey: .precision)
        try container.encode(moment, forKey: .moment)
        try container.encode(inverse, forKey: .inverse)
        try container.encode(coefficients, forKey: .coefficients)
    }

    /// Decodes and validates statistics written by ``encode(to:)``.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the field when a parameter is out of
    ///   range, a shape does not match the dimension, a value is not finite, or the count is
    ///   negative.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let dimension = try container.decode(Int.self, forKey: .dimension)
        let ridge = try container.decode(Double.self, forKey: .ridge)
        let forgetting = try container.decode(Double.self, forKey: .forgetting)
        func corrupt(_ key: CodingKeys, _ message: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: container.codingPath + [key], debugDescription: message))
        }
        do {
            try self.init(dimension: dimension, ridge: ridge, forgetting: forgetting)
        } catch {
            throw corrupt(.dimension, error.description)
        }
        let count = try container.decode(Int.self, forKey: .count)
        guard count >= 0 else { throw corrupt(.count, "count must be ≥ 0, got \(count)") }
        // Absent in documents written without forgetting: the whole prior is then present.
        let priorScale = try container.decodeIfPresent(Double.self, forKey: .priorScale) ?? 1
        guard priorScale >= RidgeStatistics.priorScaleFloor, priorScale <= 1 else {
            throw corrupt(.priorScale, "prior_scale must be in [\(RidgeStatistics.priorScaleFloor), 1], got \(priorScale)")
        }
        let d = dimension
        let matrices: [(CodingKeys, Matrix)] = [
            (.precision, try container.decode(Matrix.self, forKey: .precision)),
            (.inverse, try container.decode(Matrix.self, forKey: .inverse)),
        ]
        for (key, m) in matrices {
            guard m.rows == d, m.columns == d else { throw corrupt(key, "expected \(d)×\(d), got \(m.rows)×\(m.columns)") }
            guard m.isFinite else { throw corrupt(key, "holds NaN or an infinity") }
        }
        let vectors: [(CodingKeys, Vector)] = [
            (.moment, try container.decode(Vector.self, forKey: .moment)),
            (.coefficients, try container.decode(Vector.self, forKey: .coefficients)),
        ]
        for (key, v) in vectors {
            guard v.count == d else { throw corrupt(key, "expected \(d) values, got \(v.count)") }
            guard v.isFinite else { throw corrupt(key, "holds NaN or an infinity") }
        }
        self.count = count
        self.priorScale = priorScale
        self.precision = matrices[0].1
        self.inverse = matrices[1].1
        self.moment = vectors[0].1
        self.coefficients = vectors[1].1
    }
}
