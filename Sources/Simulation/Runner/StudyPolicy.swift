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

    /// The name in results and log folders.
    public var name: String
    /// How it decides.
    public var kind: Kind

    /// Creates a study policy.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
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
