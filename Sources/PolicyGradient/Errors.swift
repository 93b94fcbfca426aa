import AttuneCore
import Bandits

/// Errors of the `PolicyGradient` module. Each case names the offending field or value, and
/// ``description`` says what to do about it.
///
/// The policies themselves conform to `Bandits.Policy` and throw `BanditsError` from its
/// requirements; learners, batches and specification files throw this type.
public enum PolicyGradientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A hyper-parameter or argument is out of its allowed range.
    case invalidParameter(field: String, value: String, expected: String)
    /// A vector or batch has the wrong length.
    case dimensionMismatch(field: String, expected: Int, actual: Int)
    /// A number that must be finite (feature, reward, probability) is not.
    case nonFinite(field: String)
    /// A policy-gradient specification file is invalid: `path` is the JSON path of the
    /// offending field, `problem` what is wrong and `fix` what to write instead.
    case invalidSpecification(path: String, problem: String, fix: String)
    /// An error of the decision core (catalog, snapshot) while building or updating a policy.
    case bandits(BanditsError)

    /// A message naming the problem and saying what to do.
    public var description: String {
        switch self {
        case .invalidParameter(let field, let value, let expected):
            return "\(field) = \(value) is invalid: expected \(expected)"
        case .dimensionMismatch(let field, let expected, let actual):
            return "\(field): expected \(expected) values, got \(actual); pass vectors of the policy's declared dimension"
        case .nonFinite(let field):
            return "\(field) is NaN or infinite: pass finite numbers"
        case .invalidSpecification(let path, let problem, let fix):
            return "\(path): \(problem); \(fix)"
        case .bandits(let error):
            return error.description
        }
    }
}

/// Policy-gradient errors are caused by what the user supplied (a policy file, a log), so the
/// command-line tool reports them with exit code 64 and their description.
extension PolicyGradientError: InputError {}
