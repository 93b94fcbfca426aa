/// The type-erased description of one declared flag, option or positional argument.
///
/// Commands do not build these directly: they declare ``Flag``, ``Option``,
/// ``RepeatedOption``, ``Argument`` and ``RepeatedArgument`` values, each of which carries
/// its specification. The parser and the help text read only specifications.
public struct ArgumentSpecification: Sendable {
    /// How the argument appears on the command line.
    public enum Kind: Sendable, Hashable {
        /// `--quiet`: present or absent, takes no value.
        case flag
        /// `--seed 42` or `--seed=42`.
        case option
        /// A bare token matched by position.
        case positional
    }

    /// The kebab-case name: `seed` for `--seed`, `scenario` for `<scenario>`.
    public let name: String
    /// The optional one-letter alias, used as `-q`.
    public let shortName: Character?
    /// Flag, option or positional argument.
    public let kind: Kind
    /// Whether the argument may be given more than once (values are collected in order).
    public let isRepeating: Bool
    /// Whether parsing fails when the argument is absent.
    public let isRequired: Bool
    /// One sentence for the help text.
    public let help: String
    /// The placeholder shown for the value in help text, without angle brackets.
    public let valueName: String
    /// The default value as a token, shown as `(default: …)`.
    public let defaultDescription: String?
    /// What a valid value looks like, completing "expected …".
    public let valueDescription: String
    /// The complete list of accepted tokens, or empty when the set is open.
    public let allowedValues: [String]
    /// Whether a token is a valid value.
    let accepts: @Sendable (String) -> Bool

    /// Creates a specification; `name` and `valueName` are converted to kebab case.
    public init(
        name: String,
        shortName: Character? = nil,
        kind: Kind,
        isRepeating: Bool = false,
        isRequired: Bool = false,
        help: String,
        valueName: String? = nil,
        defaultDescription: String? = nil,
        valueDescription: String = "",
        allowedValues: [String] = [],
        accepts: @escaping @Sendable (String) -> Bool = { _ in true }
    ) {
        let kebab = Self.kebabCased(name)
        self.name = kebab
        self.shortName = shortName
        self.kind = kind
        self.isRepeating = isRepeating
        self.isRequired = isRequired
        self.help = help
        self.valueName = valueName.map(Self.kebabCased) ?? kebab
        self.defaultDescription = defaultDescription
        self.valueDescription = valueDescription
        self.allowedValues = allowedValues
        self.accepts = accepts
    }

    /// How the argument is named in messages: `--seed` for flags and options, `<scenario>`
    /// for positional arguments.
    public var displayName: String {
        kind == .positional ? "<\(name)>" : "--\(name)"
    }

    /// Converts `policyFile` or `policy_file` to `policy-file`; kebab-case names are unchanged.
    ///
    /// A run of capitals is one word: `httpPort` → `http-port`, `maxKL` → `max-kl`.
    public static func kebabCased(_ name: String) -> String {
        var result = ""
        var previousWasLowercaseOrDigit = false
        for character in name {
            if character == "_" || character == " " {
                result.append("-")
                previousWasLowercaseOrDigit = false
            } else if character.isUppercase {
                if previousWasLowercaseOrDigit { result.append("-") }
                result.append(contentsOf: character.lowercased())
                previousWasLowercaseOrDigit = false
            } else {
                result.append(character)
                previousWasLowercaseOrDigit = character.isLowercase || character.isNumber
            }
        }
        return result
    }
}

/// A typed declaration of a flag, option or positional argument that a command lists in
/// ``CommandConfiguration/arguments``.
public protocol ArgumentDeclaration: Sendable {
    /// The type-erased description used by the parser and the help text.
    var specification: ArgumentSpecification { get }
}
