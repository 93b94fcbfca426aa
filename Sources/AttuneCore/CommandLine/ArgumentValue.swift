/// A type whose values can be read from one command-line token.
///
/// Conforming types say what a valid token looks like (``valueDescription``), so that a bad
/// token produces an error naming the option and the accepted values. Integers, `Double`,
/// `Bool` and `String` conform; a `String`-backed `CaseIterable` enum conforms by declaring
/// the conformance:
///
/// ```
/// enum Method: String, CaseIterable, ArgumentValue { case kmeans, dbscan }
/// ```
public protocol ArgumentValue: Sendable {
    /// Parses a token; `nil` when the token is not a valid value.
    init?(argument: String)

    /// What a valid token looks like, completing "expected …" (for example `an integer`).
    static var valueDescription: String { get }

    /// The complete list of accepted tokens, or empty when the set is open (numbers, paths).
    static var allowedValues: [String] { get }

    /// The token that denotes this value, shown as the default in help text.
    var argumentDescription: String { get }
}

extension ArgumentValue {
    /// Open by default: any token that parses is accepted.
    public static var allowedValues: [String] { [] }

    /// `String(describing:)` of the value.
    public var argumentDescription: String { String(describing: self) }
}

// MARK: - Enumerations

extension ArgumentValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    /// Matches a case's raw value exactly (case-sensitive, like the JSON formats).
    public init?(argument: String) {
        self.init(rawValue: argument)
    }

    /// `one of: a, b, c`.
    public static var valueDescription: String {
        "one of: " + allowedValues.joined(separator: ", ")
    }

    /// The raw values of all cases, in declaration order.
    public static var allowedValues: [String] { allCases.map(\.rawValue) }

    /// The case's raw value.
    public var argumentDescription: String { rawValue }
}

// MARK: - Standard types

extension String: ArgumentValue {
    /// Any token is a valid string.
    public init?(argument: String) {
        self = argument
    }

    /// `a string`.
    public static var valueDescription: String { "a string" }
}

extension Int: ArgumentValue {
    /// Parses a decimal integer such as `-3` or `42`.
    public init?(argument: String) {
        self.init(argument, radix: 10)
    }

    /// `an integer`.
    public static var valueDescription: String { "an integer" }
}

extension Int64: ArgumentValue {
    /// Parses a decimal integer such as `-3` or `42`.
    public init?(argument: String) {
        self.init(argument, radix: 10)
    }

    /// `an integer`.
    public static var valueDescription: String { "an integer" }
}

extension UInt: ArgumentValue {
    /// Parses a non-negative decimal integer.
    public init?(argument: String) {
        self.init(argument, radix: 10)
    }

    /// `a non-negative integer`.
    public static var valueDescription: String { "a non-negative integer" }
}

extension UInt64: ArgumentValue {
    /// Parses a non-negative decimal integer such as a seed.
    public init?(argument: String) {
        self.init(argument, radix: 10)
    }

    /// `a non-negative integer`.
    public static var valueDescription: String { "a non-negative integer" }
}

extension Double: ArgumentValue {
    /// Parses a finite decimal number (`0.95`, `1e-3`); `nan` and `inf` are rejected.
    public init?(argument: String) {
        guard let value = Double(argument), value.isFinite else { return nil }
        self = value
    }

    /// `a finite number`.
    public static var valueDescription: String { "a finite number" }
}

extension Bool: ArgumentValue {
    /// Parses `true` or `false`.
    public init?(argument: String) {
        switch argument {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }

    /// `one of: true, false`.
    public static var valueDescription: String { "one of: true, false" }

    /// `true` and `false`.
    public static var allowedValues: [String] { ["true", "false"] }
}
