/// One round's fields as views into storage owned elsewhere (a ``LoggedRound``'s arrays, or
/// the columns a reader parsed a batch of lines into): what ``DecisionLog/Builder`` checks
/// and stores, so that every reader goes through the same checks.
struct RoundFields {
    /// Context features: a dense vector, or the values of `featureNames`.
    var context: UnsafeBufferPointer<Double>
    /// Names of the features in `context`, or `nil` for a dense vector.
    var featureNames: [String]?
    /// The candidate action ids, or `nil` for the indices 0…K−1 of the distributions.
    var actions: [String]?
    /// The chosen action.
    var action: LoggedRound.ChosenAction
    /// Probability of the chosen action under the logging policy.
    var propensity: Double
    /// The observed reward, `nil` when not joined.
    var reward: Double?
    /// The logging distribution, if logged.
    var probabilities: UnsafeBufferPointer<Double>?
    /// The target distribution, if given.
    var targetProbabilities: UnsafeBufferPointer<Double>?
    /// The segment label, if logged.
    var segment: String?
    /// How many logged events the round stands for.
    var sampleWeight: Double
    /// Whether the logger marked the round as not to be learned from.
    var isSkipped: Bool
}

/// What ``DecisionLog/Builder/check(_:line:source:defaultCandidateCount:)`` found about a round.
enum CheckedRound: Sendable, Equatable {
    /// Marked by the logger as not to be learned from: counted, left out.
    case skipped
    /// No reward yet: counted, left out.
    case unjoined
    /// Valid on its own: `candidateCount` candidates, the chosen one at `position`.
    case accepted(candidateCount: Int, position: Int)
}

extension LoggedRound {
    /// Calls `body` with views of this round's fields.
    func withFields<R>(_ body: (RoundFields) throws(EvaluationError) -> R) throws(EvaluationError) -> R {
        try context.withUnsafeBufferPointer { c throws(EvaluationError) in
            try Self.withOptionalBuffer(probabilities) { p throws(EvaluationError) in
                try Self.withOptionalBuffer(targetProbabilities) { t throws(EvaluationError) in
                    try body(RoundFields(
                        context: c, featureNames: featureNames, actions: actions, action: action, propensity: propensity,
                        reward: reward, probabilities: p, targetProbabilities: t, segment: segment,
                        sampleWeight: sampleWeight, isSkipped: isSkipped))
                }
            }
        }
    }

    private static func withOptionalBuffer<R>(
        _ values: [Double]?, _ body: (UnsafeBufferPointer<Double>?) throws(EvaluationError) -> R
    ) throws(EvaluationError) -> R {
        guard let values else { return try body(nil) }
        return try values.withUnsafeBufferPointer { b throws(EvaluationError) in try body(b) }
    }
}
