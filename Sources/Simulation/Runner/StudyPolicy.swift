import Bandits

/// A policy as the runner sees it: a name and how to make a fresh instance for each run.
public struct StudyPolicy: Sendable {
    /// How the policy decides.
    public enum Kind: Sendable {
        /// Uniform over the candidates.
        case random
        /// The candidate with the highest expected reward under the simulator's truth.
        case oracle
        /// Each fixed action is run, and the one with the highest total reward on each seed
        /// is reported (a hindsight reference, not a deployable policy).
        case bestFixed
        /// Always the catalog action with this index.
        case fixed(Int)
        /// A learner, made fresh for every run.
        case learner(@Sendable () throws -> any Policy)
    }

    /// What a policy is, for the study's comparisons.
    public enum Family: String, Sendable, Equatable, Codable {
        /// A built-in baseline (random, fixed, oracle, best fixed).
        case baseline
        /// A contextual bandit of an `attune.policy/1` file: myopic, learning online.
        case bandit
        /// A policy-gradient policy of an `attune.policy-gradient/1` file, trained for the
        /// long-run return before the study and frozen during it.
        case policyGradient = "policy_gradient"
    }

    /// The name in results and log folders.
    public var name: String
    /// How it decides.
    public var kind: Kind
    /// What it is (learners default to ``Family/bandit``, the others to ``Family/baseline``).
    public var family: Family

    /// Creates a study policy.
    public init(name: String, kind: Kind, family: Family? = nil) {
        self.name = name
        self.kind = kind
        if let family {
            self.family = family
        } else if case .learner = kind {
            self.family = .bandit
        } else {
            self.family = .baseline
        }
    }
}

extension StudyPolicy.Kind {
    /// The oracle and the best fixed action in hindsight use the truth or the future.
    public var isReference: Bool {
        switch self {
        case .oracle, .bestFixed: return true
        default: return false
        }
    }
}
