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
    /// - Throws: `PolicyGradientError.invalidSpecification` for a file without a catalog.
    public func servingSpecification() throws(PolicyGradientError) -> PolicySpecification {
        guard let catalog else {
            throw .invalidSpecification(path: "$.catalog", problem: "a '\(policy.kind)' policy without a catalog does not choose among catalog actions",
                                        fix: "list the actions (or, for a Gaussian price, its price points) in \"catalog\"")
        }
        return PolicySpecification(
            id: id, description: "served from \(Self.currentFormat) (\(servedFamily), fingerprint \(fingerprint))",
            catalog: catalog, featureSchema: featureSchema, algorithm: AlgorithmSpecification(kind: .linucb, alpha: 0),
            explorer: ExplorerSpecification(kind: .softmax, temperature: 1), reward: reward)
    }

    /// The policy a server runs: the file's policy with its trained parameters (a softmax, or
    /// a Gaussian price over the catalog's price points). Each decision is sampled from, and
    /// logs, the policy's exact distribution over the request's candidates.
    /// - Throws: as ``makePolicy()``.
    public func makeServingPolicy() throws(PolicyGradientError) -> any Policy {
        try makePolicy()
    }

    /// The family of the served policy as a server reports it: `softmax_policy_gradient` or
    /// `gaussian_price_policy_gradient`.
    public var servedAlgorithm: String {
        policy.kind == "gaussian_price" ? "gaussian_price_policy_gradient" : "softmax_policy_gradient"
    }

    /// The served distribution's form, in words, for the serving view's description.
    private var servedFamily: String {
        policy.kind == "gaussian_price" ? "Gaussian price over the catalog's price points" : "\(policy.scorer?.kind ?? "linear") softmax"
    }
}
