import AttuneCore

/// Errors of the `Bandits` module. Each case names the offending field or value, and
/// ``description`` says what to do about it.
public enum BanditsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The catalog has no action.
    case emptyCatalog
    /// Two actions of a catalog share an identifier.
    case duplicateAction(ActionID)
    /// An action id is not in the policy's catalog.
    case unknownAction(ActionID)
    /// A catalog index is outside `0..<count`.
    case actionIndexOutOfRange(field: String, index: Int, count: Int)
    /// Every candidate is excluded or ineligible.
    case noEligibleAction
    /// A vector has the wrong length.
    case dimensionMismatch(field: String, expected: Int, actual: Int)
    /// A feature is NaN or infinite.
    case nonFiniteFeature(field: String)
    /// A reward is NaN or infinite.
    case nonFiniteReward(Double)
    /// A context's segment is missing or outside `0..<count` for a policy with per-segment state.
    case unknownSegment(Int?, count: Int)
    /// A probability distribution is not a valid PMF (negative, non-finite, or not summing to 1).
    case invalidDistribution(field: String, reason: String)
    /// A hyper-parameter is out of its allowed range.
    case invalidParameter(field: String, value: String, expected: String)
    /// A snapshot cannot be restored into this policy.
    case snapshotMismatch(reason: String)
    /// A snapshot's bytes are damaged (checksum or format).
    case corruptSnapshot(reason: String)
    /// A numerical routine failed (a matrix lost positive definiteness, …).
    case numerical(String)
    /// A policy specification is invalid: `path` is the JSON path of the offending field,
    /// `problem` what is wrong with it and `fix` what to write instead.
    case invalidSpecification(path: String, problem: String, fix: String)

    /// A message naming the problem and saying what to do.
    public var description: String {
        switch self {
        case .emptyCatalog:
            return "the action catalog is empty: declare at least one action"
        case .duplicateAction(let id):
            return "action id '\(id)' appears twice in the catalog: action ids must be unique"
        case .unknownAction(let id):
            return "unknown action '\(id)': use an id declared in the policy's catalog"
        case .actionIndexOutOfRange(let field, let index, let count):
            return "\(field): action index \(index) is outside 0..<\(count)"
        case .noEligibleAction:
            return "no eligible action: every candidate is excluded, ineligible, capped or out of budget; pass at least one allowed action"
        case .dimensionMismatch(let field, let expected, let actual):
            return "\(field): expected \(expected) values, got \(actual); send vectors of the policy's declared dimension"
        case .nonFiniteFeature(let field):
            return "\(field) is NaN or infinite: send finite numbers (impute or drop missing values first)"
        case .nonFiniteReward(let value):
            return "reward \(value) is not finite: rewards must be finite numbers"
        case .unknownSegment(let segment, let count):
            let given = segment.map { "segment \($0)" } ?? "a context without a segment"
            return "\(given) cannot be scored: this policy keeps \(count) segments; send context.segment in 0..<\(count)"
        case .invalidDistribution(let field, let reason):
            return "\(field) is not a valid probability distribution: \(reason)"
        case .invalidParameter(let field, let value, let expected):
            return "\(field) = \(value) is invalid: expected \(expected)"
        case .snapshotMismatch(let reason):
            return "snapshot does not match this policy: \(reason); restore it with the policy file it was taken from"
        case .corruptSnapshot(let reason):
            return "snapshot is damaged: \(reason); restore an earlier checkpoint"
        case .numerical(let message):
            return "numerical failure: \(message)"
        case .invalidSpecification(let path, let problem, let fix):
            return "\(path): \(problem); \(fix)"
        }
    }
}

/// Bandits errors are caused by what the user supplied (a policy file, a request), so the
/// command-line tool reports them with exit code 64 and their description.
extension BanditsError: InputError {}
