/// One problem found in an event file: where it is and what is wrong with it.
public struct EventProblem: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number in the input (for CSV, the header is line 1).
    public var line: Int
    /// The field at fault, when one is (`"timestamp"`, `"customer_id"`, …).
    public var field: String?
    /// What is wrong, in words.
    public var reason: String

    /// Creates a problem record.
    public init(line: Int, field: String? = nil, reason: String) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// `line 12: timestamp: unparsable value "yesterday"`.
    public var description: String {
        if let field { return "line \(line): \(field): \(reason)" }
        return "line \(line): \(reason)"
    }
}

/// Errors of the `Segmentation` module. Each case carries the offending field, line or value,
/// and ``description`` says what to do about it.
public enum SegmentationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// One event line is malformed (returned by the line parsers; the readers collect these).
    case malformedEvent(EventProblem)
    /// The input had malformed lines and the error policy is `.fail`. `problems` holds the
    /// first ones (at most 10), `total` how many there were in all.
    case malformedEvents(problems: [EventProblem], total: Int)
    /// A file could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// A file could not be written.
    case unwritableFile(path: String, reason: String)
    /// A CSV header lacks a required column or is otherwise unusable.
    case invalidHeader(reason: String)
    /// A configuration value is out of its allowed range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A feature matrix has the wrong shape for the operation or the model.
    case dimensionMismatch(expected: Int, actual: Int, what: String)
    /// A feature value is NaN or infinite.
    case nonFiniteValue(row: Int, column: Int)
    /// There is not enough data for the requested operation (e.g. fewer rows than clusters).
    case insufficientData(needed: Int, available: Int, what: String)
    /// A linear-algebra routine failed.
    case linearAlgebra(String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .malformedEvent(let problem):
            return "\(problem); fix the line or run with --on-error skip"
        case .malformedEvents(let problems, let total):
            let shown = problems.map { "  \($0)" }.joined(separator: "\n")
            return "\(total) malformed event line(s); the first \(problems.count):\n\(shown)\n"
                + "fix these lines or run with --on-error skip to ignore them"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason); check the path and its permissions"
        case .unwritableFile(let path, let reason):
            return "cannot write \(path): \(reason); check that the directory exists and is writable"
        case .invalidHeader(let reason):
            return "CSV header: \(reason); the first line must name the columns (customer_id,timestamp,type,…)"
        case .invalidParameter(let name, let value, let expected):
            return "\(name) = \(value) is invalid: expected \(expected)"
        case .dimensionMismatch(let expected, let actual, let what):
            return "\(what): expected \(expected) columns, got \(actual); use the feature schema the model was fitted with"
        case .nonFiniteValue(let row, let column):
            return "feature matrix row \(row), column \(column) is NaN or infinite; clean or impute the input first"
        case .insufficientData(let needed, let available, let what):
            return "\(what): needs at least \(needed), got \(available); supply more data or lower the parameter"
        case .linearAlgebra(let message):
            return "linear algebra failure: \(message)"
        }
    }
}
