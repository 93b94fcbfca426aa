/// A validated decision log in columnar form: what every estimator, reward model and
/// bound reads.
///
/// Round `i` offered the candidates `candidates[candidateOffsets[i]..<candidateOffsets[i+1]]`
/// (indices into ``actionIDs``), chose the one at position `chosenPositions[i]` of that list
/// with probability `propensities[i]` and earned `rewards[i]`. Its context is row `i` of
/// ``contexts`` (`contextDimension` values, row-major). Distributions are stored flat, aligned
/// with ``candidates``.
///
/// Build one with ``Builder`` or a reader (``AttuneLogReader``, ``DSJSONLogReader``,
/// ``CSVLogReader``).
public struct DecisionLog: Sendable, Equatable {
    /// Where the log came from (a file path), for messages.
    public internal(set) var source: String
    /// The action vocabulary: global action index → id.
    public internal(set) var actionIDs: [String]
    /// Names of the context features (`x0`, `x1`, … for dense contexts).
    public internal(set) var featureNames: [String]
    /// The number of context features per round.
    public internal(set) var contextDimension: Int
    /// The contexts, `count × contextDimension`, row-major.
    public internal(set) var contexts: [Double]
    /// Start of each round's candidate list in ``candidates``; `count + 1` entries.
    public internal(set) var candidateOffsets: [Int]
    /// The candidates of all rounds, as global action indices.
    public internal(set) var candidates: [Int]
    /// Position of the chosen action in each round's candidate list.
    public internal(set) var chosenPositions: [Int]
    /// Logging probability of the chosen action per round, in (0, 1].
    public internal(set) var propensities: [Double]
    /// Observed reward per round (finite).
    public internal(set) var rewards: [Double]
    /// The logging distributions aligned with ``candidates``, or empty when some round did
    /// not log its distribution.
    public internal(set) var loggingProbabilities: [Double]
    /// The target distributions aligned with ``candidates``, or empty when some round did
    /// not carry `target_probabilities`.
    public internal(set) var targetProbabilities: [Double]
    /// How many logged events each round stands for (all 1 unless events were dropped).
    public internal(set) var sampleWeights: [Double]
    /// Segment label per round (`nil` when not logged).
    public internal(set) var segments: [String?]
    /// Source line of each round (1-based), for messages.
    public internal(set) var lineNumbers: [Int]
    /// Lines skipped because their reward was missing (decisions not yet joined).
    public internal(set) var unjoinedCount: Int
    /// Lines skipped because the logger marked them (`_skipLearn`).
    public internal(set) var skippedCount: Int

    /// The number of rounds.
    public var count: Int { rewards.count }

    /// Whether every round logged its whole logging distribution.
    public var hasLoggingProbabilities: Bool { !loggingProbabilities.isEmpty || count == 0 }

    /// Whether every round carries target probabilities.
    public var hasTargetProbabilities: Bool { !targetProbabilities.isEmpty && count > 0 }

    /// The candidate range of round `i` in ``candidates`` and the aligned distributions.
    @inlinable
    public func candidateRange(_ i: Int) -> Range<Int> { candidateOffsets[i]..<candidateOffsets[i + 1] }

    /// Global action index of the action chosen in round `i`.
    @inlinable
    public func chosenAction(_ i: Int) -> Int { candidates[candidateOffsets[i] + chosenPositions[i]] }

    /// The largest number of candidates of any round.
    public var maxCandidateCount: Int {
        var m = 0
        for i in 0..<count { m = max(m, candidateOffsets[i + 1] - candidateOffsets[i]) }
        return m
    }

    /// The log restricted to the rounds in `indices` (in that order), e.g. a held-out split.
    /// - Complexity: O(|indices| · (d + K)).
    public func subset(_ indices: [Int]) -> DecisionLog {
        var s = self
        s.contexts = []; s.candidateOffsets = [0]; s.candidates = []; s.chosenPositions = []
        s.propensities = []; s.rewards = []; s.sampleWeights = []; s.segments = []; s.lineNumbers = []
        let keepLogging = !loggingProbabilities.isEmpty, keepTarget = !targetProbabilities.isEmpty
        s.loggingProbabilities = []; s.targetProbabilities = []
        let d = contextDimension
        for i in indices {
            s.contexts.append(contentsOf: contexts[(i * d)..<((i + 1) * d)])
            let r = candidateRange(i)
            s.candidates.append(contentsOf: candidates[r])
            if keepLogging { s.loggingProbabilities.append(contentsOf: loggingProbabilities[r]) }
            if keepTarget { s.targetProbabilities.append(contentsOf: targetProbabilities[r]) }
            s.candidateOffsets.append(s.candidates.count)
            s.chosenPositions.append(chosenPositions[i])
            s.propensities.append(propensities[i])
            s.rewards.append(rewards[i])
            s.sampleWeights.append(sampleWeights[i])
            s.segments.append(segments[i])
            s.lineNumbers.append(lineNumbers[i])
        }
        return s
    }

    /// Replaces the target distributions (aligned with ``candidates``), e.g. with a policy's.
    /// - Throws: `EvaluationError.shapeMismatch` when the length differs from
    ///   `candidates.count`, `EvaluationError.badLine` when a round's distribution is not a PMF.
    public mutating func setTargetProbabilities(_ probabilities: [Double]) throws(EvaluationError) {
        guard probabilities.count == candidates.count else {
            throw .shapeMismatch(what: "target probabilities", expected: candidates.count, actual: probabilities.count)
        }
        for i in 0..<count {
            let r = candidateRange(i)
            try Self.checkDistribution(probabilities[r], source: source, line: lineNumbers[i], field: "target_probabilities")
        }
        targetProbabilities = probabilities
    }

    /// Checks that `p` is a PMF: finite, non-negative, summing to 1 within 1e-6.
    static func checkDistribution(
        _ p: ArraySlice<Double>, source: String, line: Int, field: String
    ) throws(EvaluationError) {
        try p.withUnsafeBufferPointer { b throws(EvaluationError) in
            try checkDistribution(b, source: source, line: line, field: field)
        }
    }

    /// Checks that `p` is a PMF: finite, non-negative, summing to 1 within 1e-6.
    static func checkDistribution(
        _ p: UnsafeBufferPointer<Double>, source: String, line: Int, field: String
    ) throws(EvaluationError) {
        var sum = 0.0
        for k in 0..<p.count {
            let v = p[k]
            guard v.isFinite, v >= 0 else {
                throw .badLine(source: source, line: line, field: "\(field)[\(k)]",
                               reason: "\(v) is not a probability (finite, ≥ 0)")
            }
            sum += v
        }
        guard abs(sum - 1) <= 1e-6 else {
            throw .badLine(source: source, line: line, field: field,
                           reason: "the probabilities sum to \(sum), not 1")
        }
    }
}
