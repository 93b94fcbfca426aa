extension SeededGenerator {
    private enum CodingKeys: String, CodingKey {
        case seed, s0, s1, s2, s3
    }

    /// Restores a generator saved with `encode(to:)` (checkpoints), so that it continues the
    /// same stream.
    /// - Throws: `DecodingError.dataCorrupted` when the state is all zero (xoshiro256** would
    ///   then output only zeros; no generator reaches that state).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let state = (
            try container.decode(UInt64.self, forKey: .s0), try container.decode(UInt64.self, forKey: .s1),
            try container.decode(UInt64.self, forKey: .s2), try container.decode(UInt64.self, forKey: .s3)
        )
        guard state.0 | state.1 | state.2 | state.3 != 0 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: container.codingPath,
                debugDescription: "the generator state is all zero; restore it from a saved checkpoint or create it from a seed"))
        }
        self.init(seed: try container.decode(UInt64.self, forKey: .seed), state: state)
    }

    /// Saves the seed and the full state: `{"seed", "s0", "s1", "s2", "s3"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seed, forKey: .seed)
        let (s0, s1, s2, s3) = state
        try container.encode(s0, forKey: .s0)
        try container.encode(s1, forKey: .s1)
        try container.encode(s2, forKey: .s2)
        try container.encode(s3, forKey: .s3)
    }
}
