import AttuneCore

/// Errors of the `Evaluation` module. Each case names the offending line, field or value,
/// and ``description`` says what to do about it.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible, InputError {
    /// A log line cannot be used: `line` is 1-based, `field` the offending field (empty when
    /// the line as a whole is malformed), `reason` what is wrong with it.
    case badLine(source: String, line: Int, field: String, reason: String)
    /// A log file could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The log holds no usable round (every line was skipped, or the file is empty).
    case emptyLog(source: String)
    /// An output file (a report, a learned policy) could not be written.
    case unwritableFile(path: String, reason: String)
    /// An estimator needs something the inputs do not provide (a reward model, target
    /// probabilities, logging probabilities).
    case missingInput(estimator: String, what: String)
    /// Inputs of different lengths were combined (a target for another log, predictions for
    /// another candidate layout).
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// A configuration value is out of range.
    case invalidParameter(field: String, value: String, expected: String)
    /// A numerical routine failed (a singular system, a fit that did not converge).
    case numerical(String)
    /// A target policy could not produce a distribution for a logged round.
    case targetFailed(line: Int, reason: String)

    /// A message naming the place and saying what to do.
    public var description: String {
        switch self {
        case .badLine(let source, let line, let field, let reason):
            let place = field.isEmpty ? "" : " \(field):"
            return "\(source):\(line):\(place) \(reason); fix or remove this line"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the log: \(reason); check the path and its permissions"
        case .unwritableFile(let path, let reason):
            return "\(path): cannot write the file: \(reason); check that its directory exists and is writable"
        case .emptyLog(let source):
            return "\(source): no usable round (empty file, or every line skipped or without a reward); pass a log with joined rewards"
        case .missingInput(let estimator, let what):
            return "\(estimator) needs \(what); provide it or choose another estimator"
        case .shapeMismatch(let what, let expected, let actual):
            return "\(what): expected \(expected) values, got \(actual); build it from the same log"
        case .invalidParameter(let field, let value, let expected):
            return "\(field) = \(value) is invalid: expected \(expected)"
        case .numerical(let message):
            return "numerical failure: \(message); try a larger ridge penalty or fewer features"
        case .targetFailed(let line, let reason):
            return "line \(line): the target policy could not score this round: \(reason); check that the policy matches the log's actions and context dimension"
        }
    }
}
