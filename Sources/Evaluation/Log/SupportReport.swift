/// How well the logging policy covers what a target policy needs.
///
/// Importance-weighted estimators are unbiased only where the logger gave a positive
/// probability to every action the target may take. This report measures the shortfall.
public struct SupportReport: Sendable, Equatable, Codable {
    /// Ids of actions the target gives positive probability in some round but that were
    /// never chosen anywhere in the log: nothing observed can tell what they earn.
    public var unsupportedActions: [String]
    /// Mean over rounds of the target probability on candidates the logger gave probability 0
    /// (`nil` when the log lacks logging distributions). IPS misses this share of the value.
    public var unsupportedTargetMass: Double?
    /// Number of rounds where the target puts positive mass on an action with logging
    /// probability 0 (`nil` when the log lacks logging distributions).
    public var roundsWithUnsupportedMass: Int?
    /// Share of rounds whose logged action has target probability 0 (weight 0).
    public var zeroTargetShare: Double

    enum CodingKeys: String, CodingKey {
        case unsupportedActions = "unsupported_actions"
        case unsupportedTargetMass = "unsupported_target_mass"
        case roundsWithUnsupportedMass = "rounds_with_unsupported_mass"
        case zeroTargetShare = "zero_target_share"
    }

    /// A report with the given figures (for logs whose support is measured elsewhere, such as
    /// slate logs).
    init(unsupportedActions: [String], unsupportedTargetMass: Double?, roundsWithUnsupportedMass: Int?, zeroTargetShare: Double) {
        self.unsupportedActions = unsupportedActions
        self.unsupportedTargetMass = unsupportedTargetMass
        self.roundsWithUnsupportedMass = roundsWithUnsupportedMass
        self.zeroTargetShare = zeroTargetShare
    }

    /// Measures the support of `target` (aligned with `log.candidates`) in `log`.
    /// - Throws: `EvaluationError.shapeMismatch` when `target` does not match the log.
    /// - Complexity: O(Σ K_i).
    public init(log: DecisionLog, target: [Double]) throws(EvaluationError) {
        guard target.count == log.candidates.count else {
            throw .shapeMismatch(what: "target probabilities", expected: log.candidates.count, actual: target.count)
        }
        var chosen = [Bool](repeating: false, count: log.actionIDs.count)
        var needed = [Bool](repeating: false, count: log.actionIDs.count)
        var zeroTarget = 0
        var unsupportedMass = 0.0
        var unsupportedRounds = 0
        let hasLogging = !log.loggingProbabilities.isEmpty
        for i in 0..<log.count {
            let r = log.candidateRange(i)
            chosen[log.chosenAction(i)] = true
            if target[r.lowerBound + log.chosenPositions[i]] == 0 { zeroTarget += 1 }
            var mass = 0.0
            for k in r where target[k] > 0 {
                needed[log.candidates[k]] = true
                if hasLogging, log.loggingProbabilities[k] == 0 { mass += target[k] }
            }
            unsupportedMass += mass
            if mass > 0 { unsupportedRounds += 1 }
        }
        unsupportedActions = (0..<log.actionIDs.count).filter { needed[$0] && !chosen[$0] }.map { log.actionIDs[$0] }
        unsupportedTargetMass = hasLogging ? unsupportedMass / Double(log.count) : nil
        roundsWithUnsupportedMass = hasLogging ? unsupportedRounds : nil
        zeroTargetShare = Double(zeroTarget) / Double(max(log.count, 1))
    }
}
