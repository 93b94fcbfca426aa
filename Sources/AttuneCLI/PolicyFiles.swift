import Bandits
import Evaluation
import Foundation
import PolicyGradient

/// The one place the command line tells policy-file formats apart for the evaluator: an
/// `attune.policy-gradient/1` file becomes its live policy (the softmax, or the Gaussian over
/// the file's price points) here, since `Evaluation` does not depend on `PolicyGradient`;
/// every other file is left to `Evaluation`'s own formats.
enum PolicyFiles {
    /// The loader `attune evaluate` and `attune gate` hand to `TargetSource`: a
    /// policy-gradient file → its policy and feature schema; `nil` for other formats.
    /// - Throws: `PolicyGradientError.invalidSpecification` naming the JSON path of a bad file.
    static func policyGradientLoader(_ data: Data, path: String) throws -> (policy: any Policy, schema: FeatureSchema?)? {
        guard PolicyGradientSpecification.isPolicyGradientDocument(data) else { return nil }
        let specification = try PolicyGradientSpecification(decoding: data, source: path)
        return (try specification.makePolicy(), specification.featureSchema)
    }

    /// The target's distributions on every round of `log`, for any policy-file format.
    /// - Throws: as `TargetSource.distributions(on:loader:)`.
    static func distributions(of target: TargetSource, on log: DecisionLog) throws(EvaluationError) -> [Double] {
        try target.distributions(on: log, loader: policyGradientLoader)
    }
}
