import AttuneCore
import Bandits
import Foundation

/// Something that trains a softmax policy of any scorer (a simulator's journeys, a logged
/// batch), so that one piece of code serves linear and MLP policy files alike.
public protocol SoftmaxPolicyTrainer {
    /// What training reports.
    associatedtype Report
    /// Trains `policy` in place.
    /// - Throws: whatever the trainer's sources throw.
    mutating func train<S: DifferentiableScorer>(_ policy: inout SoftmaxPolicy<S>) throws -> Report
}

// MARK: - Training a file's policy

extension PolicyGradientSpecification {
    /// The trained parameters of a softmax file, or the policy of `makePolicy()` from a
    /// fresh start: trains the file's softmax policy with `trainer` and returns the file with
    /// the trained parameters written into `policy.scorer.parameters`.
    /// - Parameter fromScratch: Start from an untrained scorer (zeros for a linear scorer, the
    ///   seeded initial weights of an MLP) instead of the parameters the file holds.
    /// - Returns: The trained file and the trainer's report.
    /// - Throws: `PolicyGradientError.invalidSpecification` for a file that is not a softmax
    ///   policy, and whatever `trainer` throws.
    public func trainingSoftmax<T: SoftmaxPolicyTrainer>(with trainer: inout T, fromScratch: Bool = false) throws -> (PolicyGradientSpecification, T.Report) {
        var start = self
        if fromScratch { start.policy.scorer?.parameters = nil }
        guard let scorer = start.policy.scorer, start.policy.kind == "softmax" else {
            throw PolicyGradientError.invalidSpecification(path: "$.policy.kind", problem: "'\(policy.kind)' is not a softmax policy",
                                                           fix: "train a file with \"kind\": \"softmax\"")
        }
        if scorer.kind == "mlp" {
            var policy = try start.makeMLPPolicy()
            let report = try trainer.train(&policy)
            return (withParameters(policy.scorer.parameters), report)
        }
        var policy = try start.makeLinearPolicy()
        let report = try trainer.train(&policy)
        return (withParameters(policy.scorer.parameters), report)
    }

    /// The same file with `parameters` as its softmax scorer's parameters.
    public func withParameters(_ parameters: [Double]) -> PolicyGradientSpecification {
        var copy = self
        copy.policy.scorer?.parameters = parameters
        return copy
    }

    /// The file as JSON (keys sorted, indented), readable by ``init(decoding:source:)``.
    /// - Throws: `PolicyGradientError.invalidSpecification` when a number cannot be encoded.
    public func encodedDocument() throws(PolicyGradientError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw .invalidSpecification(path: "$", problem: "cannot be encoded (\(error))", fix: "keep every parameter finite")
        }
    }

    /// FNV-1a 64 of the canonical JSON form (sorted keys): identifies the file, trained
    /// parameters included, so that a served policy's checkpoint is refused once the file
    /// has been retrained.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return PolicySnapshot.fnv1a64((try? encoder.encode(self)) ?? Data())
    }

    /// The learner's seed (`learner.seed`, 0 when absent).
    public var learnerSeed: UInt64 { learner.seed ?? 0 }
}

// MARK: - Off-policy training on a logged batch

/// Trains a softmax policy on a fixed batch of logged steps (another policy's decisions):
/// `iterations` REINFORCE updates with importance weights `min(π/μ, cap)`, each of the
/// configuration's epochs. PPO's clip is a trust region around the policy that *collected*
/// the batch, which a log of another policy is not, so the objective is always REINFORCE.
///
/// ## References
/// Ionides, "Truncated importance sampling", JCGS 17(2), 2008.
public struct LoggedBatchTrainer: SoftmaxPolicyTrainer {
    /// What training did: one learner report per iteration.
    public struct Summary: Sendable {
        /// The learner's reports, first to last.
        public var iterations: [PolicyGradientLearner.Report]
    }

    /// The logged steps (returns: rewards, or discounted returns of logged journeys).
    public var batch: TrajectoryBatch
    /// The learner's hyper-parameters (the objective is forced to REINFORCE).
    public var configuration: PolicyGradientLearner.Configuration
    /// Updates over the batch.
    public var iterations: Int
    /// Seeds the minibatch shuffling.
    public var seed: UInt64

    /// A trainer.
    /// - Throws: `PolicyGradientError.invalidParameter` for fewer than 1 iteration or an empty batch.
    public init(batch: TrajectoryBatch, configuration: PolicyGradientLearner.Configuration, iterations: Int, seed: UInt64) throws(PolicyGradientError) {
        guard iterations >= 1 else { throw .invalidParameter(field: "iterations", value: "\(iterations)", expected: "at least 1") }
        guard batch.count > 0 else { throw .invalidParameter(field: "batch", value: "0 steps", expected: "at least one logged step") }
        var c = configuration
        c.objective = .reinforce
        self.batch = batch
        self.configuration = c
        self.iterations = iterations
        self.seed = seed
    }

    /// Runs the updates.
    /// - Throws: `PolicyGradientError` when the batch does not fit the policy.
    public mutating func train<S: DifferentiableScorer>(_ policy: inout SoftmaxPolicy<S>) throws -> Summary {
        var learner = PolicyGradientLearner(configuration: configuration)
        var generator = SeededGenerator(seed: seed)
        var reports: [PolicyGradientLearner.Report] = []
        for _ in 0..<iterations {
            reports.append(try learner.update(&policy, on: batch, using: &generator))
        }
        return Summary(iterations: reports)
    }
}
