/// How the server runs one policy (set per policy in the serve configuration, not the policy file).
///
/// | mode | serves | learns |
/// | --- | --- | --- |
/// | `online` | the policy's decision | from every joined reward |
/// | `apprentice` | the baseline action (probability 1) | the policy, from the baseline's rewards; agreement and estimated value are reported |
/// | `logging` | the policy's decision, with its exploration | nothing (the model stays as loaded) |
public struct PolicyMode: Sendable, Equatable {
    /// The mode's name.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// Decide with the policy and learn online.
        case online
        /// Serve the baseline action, learn the policy beside it.
        case apprentice
        /// Decide with the policy (exploring), learn nothing.
        case logging
    }

    /// The mode.
    public var kind: Kind
    /// The catalog id of the action served in apprentice mode (required there, refused elsewhere).
    public var baselineAction: String?

    /// Creates a mode.
    public init(_ kind: Kind, baselineAction: String? = nil) {
        self.kind = kind
        self.baselineAction = baselineAction
    }

    /// Online learning, the default.
    public static let online = PolicyMode(.online)

    /// Whether joined rewards update the model.
    public var learns: Bool { kind != .logging }
}

/// Apprentice-mode figures of one policy since start.
public struct ApprenticeFigures: Sendable, Equatable {
    /// The served baseline action.
    public var baselineAction: String
    /// Decisions where the baseline was served and compared with the policy's own choice.
    public var decisions: Int
    /// Of those, decisions where the policy would have chosen the baseline too.
    public var agreements: Int
    /// Joined rounds used for the value estimates.
    public var rounds: Int
    /// Mean reward of the served baseline over those rounds.
    public var baselineValue: Double
    /// Inverse-propensity estimate of the policy's value over those rounds, with its standard error:
    ///
    /// ```
    /// V̂ = (1/n) Σ π(a_i | x_i) · r_i / p_i
    /// ```
    ///
    /// where `a_i` is the served baseline, `p_i = 1` its logged probability and `π` the policy
    /// before learning round i. The baseline never explores, so rewards of the other actions are
    /// unseen: for non-negative rewards this is a lower bound of the policy's value.
    public var estimatedValue: Double
    /// Standard error of `estimatedValue` (sample standard deviation / √n).
    public var standardError: Double

    /// Agreement rate in [0, 1] (0 before any decision).
    public var agreementRate: Double { decisions > 0 ? Double(agreements) / Double(decisions) : 0 }
}

/// Running sums of the apprentice figures.
struct ApprenticeTally: Sendable {
    var decisions = 0
    var agreements = 0
    var rounds = 0
    var baselineSum = 0.0
    var valueSum = 0.0
    var valueSquares = 0.0

    mutating func addRound(baselineReward: Double, term: Double) {
        rounds += 1
        baselineSum += baselineReward
        valueSum += term
        valueSquares += term * term
    }

    func figures(baselineAction: String) -> ApprenticeFigures {
        let n = Double(rounds)
        let mean = rounds > 0 ? valueSum / n : 0
        let variance = rounds > 1 ? max(0, (valueSquares - n * mean * mean) / (n - 1)) : 0
        return ApprenticeFigures(baselineAction: baselineAction, decisions: decisions, agreements: agreements, rounds: rounds,
                                 baselineValue: rounds > 0 ? baselineSum / n : 0, estimatedValue: mean,
                                 standardError: rounds > 0 ? (variance / n).squareRoot() : 0)
    }
}
