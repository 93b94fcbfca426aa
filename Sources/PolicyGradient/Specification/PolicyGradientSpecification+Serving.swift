import AttuneCore
import Bandits
import Foundation

// MARK: - Serving

extension PolicyGradientSpecification {
    /// The `attune.policy/1` view of a softmax file that a decision server needs around the
    /// model: the same id, catalog (with its eligibility rules), feature schema and reward
    /// definition, no constraints and no segmentation.
    ///
    /// Its `algorithm` and `explorer` (`linucb` with `alpha` 0 under a `softmax` explorer of
    /// temperature 1: a softmax over linear scores) describe the form of the served
    /// distribution, not how it was trained, and are never used to build the model: the server
    /// serves ``makeServingPolicy()``. Its `description` carries this file's ``fingerprint``, so
    /// the view's fingerprint changes whenever the file (trained parameters included) does.
    /// - Throws: `PolicyGradientError.invalidSpecification` for a file that is not a softmax policy.
    public func servingSpecification() throws(PolicyGradientError) -> PolicySpecification {
        guard policy.kind == "softmax", let catalog else {
            throw .invalidSpecification(path: "$.policy.kind", problem: "a '\(policy.kind)' policy does not choose among catalog actions",
                                        fix: "serve softmax policy-gradient files")
        }
        return PolicySpecification(
            id: id, description: "served from \(Self.currentFormat) (\(policy.scorer?.kind ?? "linear") softmax, fingerprint \(fingerprint))",
            catalog: catalog, featureSchema: featureSchema, algorithm: AlgorithmSpecification(kind: .linucb, alpha: 0),
            explorer: ExplorerSpecification(kind: .softmax, temperature: 1), reward: reward)
    }

    /// The policy a server runs: the file's softmax policy with its trained parameters,
    /// frozen (its `learn` only advances the model version). Each decision is sampled from, and
    /// logs, the exact softmax distribution over the request's candidates.
    /// - Throws: as ``makePolicy()``.
    public func makeServingPolicy() throws(PolicyGradientError) -> any Policy {
        try makePolicy()
    }
}
