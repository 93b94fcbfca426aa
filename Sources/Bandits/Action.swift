/// The identifier of an action (an offer, a price point, a piece of content), unique in its catalog.
public struct ActionID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The identifier as written in policy files and API calls.
    public let rawValue: String

    /// Creates an identifier from its string form.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// Creates an identifier from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// Decodes the value written by ``encode(to:)``.
    /// - Throws: `DecodingError` for malformed or inconsistent data.
    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    /// Encodes the complete value.
    /// - Throws: the encoder's errors.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    /// The identifier as written.
    public var description: String { rawValue }
    /// Orders identifiers by their text.
    public static func < (lhs: ActionID, rhs: ActionID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What an action changes for the customer.
public enum ActionKind: String, Sendable, Codable, CaseIterable {
    /// A promotion or offer (a coupon, free shipping, a bundle).
    case offer
    /// A price point on a product's price ladder.
    case price
    /// A piece of content for a slot (a banner, a recommendation row).
    case content
}

/// One action of a catalog.
public struct Action: Sendable, Codable, Equatable {
    /// The action's identifier.
    public var id: ActionID
    /// Offer, price or content.
    public var kind: ActionKind
    /// Numeric action features (ADF style: combined with the context by learners that use them).
    /// Empty when the learner keeps one model per action.
    public var features: [Double]
    /// Cost to the retailer when the action is taken and converts (discount spend), in the
    /// catalog's currency unit. Zero when not applicable.
    public var cost: Double
    /// For `price` actions: the price in the catalog's currency unit; `nil` otherwise.
    public var price: Double?

    /// Creates an action.
    public init(id: ActionID, kind: ActionKind = .offer, features: [Double] = [], cost: Double = 0, price: Double? = nil) {
        self.id = id
        self.kind = kind
        self.features = features
        self.cost = cost
        self.price = price
    }
}
