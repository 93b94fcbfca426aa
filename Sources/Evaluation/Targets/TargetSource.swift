import Bandits
import Foundation

/// Where a target policy's distributions come from, as named on the command line.
///
/// - `log`: the `target_probabilities` carried by every line of the log;
/// - `logging`: the logging policy itself (the log's `probabilities`), the natural baseline;
/// - a path: a policy file — a learned linear policy (``LinearPolicy``, written by
///   `attune learn`), a file of a format a ``PolicyLoader`` handles (the command line hands
///   one for `attune.policy-gradient/1` files), or an Attune policy specification
///   (`attune.policy/1`), whose `distribution(for:among:)` is applied to every logged context.
public enum TargetSource: Sendable, Equatable {
    /// Loads policy files of formats this module does not know (a module above `Evaluation`
    /// hands one in): the file's bytes and path → its policy and the feature schema that
    /// encodes raw logged contexts for it, or `nil` when the file is not of the loader's format.
    public typealias PolicyLoader = (_ data: Data, _ path: String) throws -> (policy: any Policy, schema: FeatureSchema?)?

    /// The log's `target_probabilities`.
    case logTarget
    /// The log's logging distributions.
    case logging
    /// A policy file.
    case file(String)

    /// Parses a command-line value: `log`, `logging`, or a path.
    public init(_ text: String) {
        switch text {
        case "log": self = .logTarget
        case "logging": self = .logging
        default: self = .file(text)
        }
    }

    /// A short name for messages and reports.
    public var name: String {
        switch self {
        case .logTarget: return "log"
        case .logging: return "logging"
        case .file(let path): return path
        }
    }

    /// The target distributions on every round of `log`, aligned with `log.candidates`.
    ///
    /// A policy file is tried, in order, as a learned linear policy, by `loader` (when given),
    /// then as an `attune.policy/1` specification.
    /// - Parameters:
    ///   - log: The decision log.
    ///   - loader: Loads policy files of other formats; `nil` for this module's formats only.
    /// - Throws: `EvaluationError.missingInput` when the log lacks the distributions asked
    ///   for; `.unreadableFile` or `.targetFailed` for a policy file that cannot be read,
    ///   loaded or applied.
    /// - Complexity: O(n) calls of the policy's distribution for a file, O(1) otherwise.
    public func distributions(on log: DecisionLog, loader: PolicyLoader? = nil) throws(EvaluationError) -> [Double] {
        switch self {
        case .logTarget:
            guard log.hasTargetProbabilities else {
                throw .missingInput(estimator: "evaluation", what: "`target_probabilities` on every line of the log (or a policy file)")
            }
            return log.targetProbabilities
        case .logging:
            guard !log.loggingProbabilities.isEmpty else {
                throw .missingInput(estimator: "evaluation", what: "the logging distribution (`probabilities`) on every line of the log")
            }
            return log.loggingProbabilities
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadableFile(path: path, reason: "no such file, or it cannot be read")
            }
            if let learned = try LinearPolicy.decodeIfLearned(data, source: path) {
                return try learned.distributions(on: log)
            }
            do {
                if let loader, let loaded = try loader(data, path) {
                    return try log.targetProbabilities(of: loaded.policy, schema: loaded.schema)
                }
                let specification = try PolicySpecification(decoding: data, source: path)
                let policy = try specification.makePolicy()
                return try log.targetProbabilities(of: policy, schema: specification.featureSchema)
            } catch let error as BanditsError {
                throw .targetFailed(line: 0, reason: "\(path): \(error.description)")
            } catch let error as EvaluationError {
                throw error
            } catch {
                throw .targetFailed(line: 0, reason: "\(path): \(error)")
            }
        }
    }
}
