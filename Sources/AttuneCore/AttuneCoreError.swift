/// Where in a source document something happened: the document's name and a 1-based
/// line and column (columns count Unicode scalars, as editors do).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The document's name as given by the caller (a file path, `"request body"`, …).
    public var source: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column number, in Unicode scalars.
    public var column: Int

    /// Creates a location.
    public init(source: String, line: Int, column: Int) {
        self.source = source
        self.line = line
        self.column = column
    }

    /// `source:line:column`, the form compilers and editors understand.
    public var description: String { "\(source):\(line):\(column)" }
}

/// Errors of the `AttuneCore` module. Each case names the offending field, key or value,
/// and ``description`` says what to do about it.
///
/// JSON errors carry a JSONPath-style `path` (`$.actions[2].feature`) and, when the document
/// was parsed by ``StrictJSONDecoder``, the ``SourceLocation`` of the offending token, so
/// messages read `policies/x.json:7:19: $.explorer.epsilon: expected a number, got "0.1"`.
public enum AttuneCoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A JSON object has a key the decoded type does not know.
    ///
    /// `path` is the path of the key itself (`$.algorithm.alpah`), `suggestion` the nearest
    /// known key by edit distance, if one is close enough.
    case unknownKey(path: String, key: String, suggestion: String?, location: SourceLocation? = nil)
    /// A JSON document is malformed, a value has the wrong type or range, or a required key
    /// is missing. `path` is the path of the offending value (or of the missing key).
    case invalidJSON(path: String, message: String, location: SourceLocation? = nil)
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A distribution or algorithm parameter is out of its allowed range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A weight vector cannot define a categorical distribution.
    case invalidWeights(reason: String)

    /// A message naming the place and saying what to do.
    public var description: String {
        switch self {
        case .unknownKey(let path, let key, let suggestion, let location):
            let fix = suggestion.map { "did you mean '\($0)'? Fix the spelling" } ?? "remove it"
            return Self.prefix(location) + "\(path): unknown key '\(key)': \(fix) (unknown keys are rejected so that a typo is never silently ignored)"
        case .invalidJSON(let path, let message, let location):
            return Self.prefix(location) + "\(path): \(message)"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the file: \(reason); check the path and its permissions"
        case .invalidParameter(let name, let value, let expected):
            return "\(name) = \(value) is invalid: expected \(expected)"
        case .invalidWeights(let reason):
            return "invalid weights: \(reason); pass finite, non-negative weights with a positive sum"
        }
    }

    private static func prefix(_ location: SourceLocation?) -> String {
        location.map { "\($0): " } ?? ""
    }
}
