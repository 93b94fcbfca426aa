/// Errors of the `Linalg` module; each names the operation and the offending value.
public enum LinalgError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes do not fit the operation.
    case dimensionMismatch(operation: String, expected: String, actual: String)
    /// An input holds NaN or an infinity.
    case nonFinite(operation: String, index: Int)
    /// A matrix that must be symmetric positive definite is not (its leading minor of `order` is not positive).
    case notPositiveDefinite(operation: String, order: Int)
    /// A matrix is singular to working precision.
    case singular(operation: String)
    /// An argument is out of range.
    case invalidArgument(operation: String, message: String)
    /// LAPACK reported an error code.
    case lapack(routine: String, info: Int)

    /// What went wrong, naming the operation, and what to do about it.
    public var description: String {
        switch self {
        case .dimensionMismatch(let op, let expected, let actual):
            return "\(op): expected shape \(expected), got \(actual)"
        case .nonFinite(let op, let index):
            return "\(op): element \(index) is NaN or infinite; clean the input first"
        case .notPositiveDefinite(let op, let order):
            return "\(op): matrix is not positive definite (leading minor of order \(order)); add ridge regularization"
        case .singular(let op):
            return "\(op): matrix is singular to working precision; add regularization or remove collinear columns"
        case .invalidArgument(let op, let message):
            return "\(op): \(message)"
        case .lapack(let routine, let info):
            return "\(routine) failed with info = \(info)"
        }
    }
}
