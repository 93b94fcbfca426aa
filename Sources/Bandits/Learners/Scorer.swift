import AttuneCore

/// The learning half of a contextual bandit: estimates each candidate's reward from the
/// context and updates itself from observed rewards. An ``Explorer`` turns its scores into
/// the distribution a ``ContextualBandit`` samples from.
///
/// Scorers work on raw memory so that a decide/learn loop allocates nothing: the bandit
/// owns the output and scratch buffers and passes them in. Candidates are catalog indices.
///
/// Two kinds of scorer exist:
/// - deterministic scorers (``LinUCB``, a plain ridge regression with `alpha = 0`;
///   ``SharedLinUCB``, ``HybridLinUCB``, ``UCB1``) write an estimate and an optimistic bonus
///   per candidate; ``posteriorSampleCount`` is 0;
/// - posterior samplers (``LinearThompsonSampling``, ``BetaBernoulliThompson``) also write
///   `posteriorSampleCount` posterior draws of every candidate's score; the bandit applies
///   its explorer to each draw and averages, so the logged distribution is the exact one it
///   samples from (see ``ContextualBandit``).
///
/// A scorer is `Codable`: its encoding is its complete state, which is what snapshots hold.
public protocol Scorer: Sendable, Codable, Equatable {
    /// The hyper-parameters that define the model (not its learned state); part of the
    /// policy's fingerprint, so a snapshot is only restored into the same configuration.
    associatedtype Configuration: Sendable, Codable, Equatable

    /// The algorithm id, `snake_case` (e.g. `"linucb"`).
    static var kind: String { get }
    /// The hyper-parameters.
    var configuration: Configuration { get }
    /// Number of actions the scorer models (the catalog size).
    var actionCount: Int { get }
    /// Length of the context vectors it reads.
    var contextDimension: Int { get }
    /// Doubles of scratch memory ``scores(features:segment:candidates:estimates:bonuses:scratch:)``
    /// and ``sampleScores(features:segment:candidates:sampleCount:using:samples:scratch:)`` need
    /// for `candidateCount` candidates.
    func scratchCount(candidateCount: Int) -> Int
    /// Posterior draws per decision (0 for deterministic scorers).
    var posteriorSampleCount: Int { get }

    /// Writes the reward estimate and the optimistic bonus (≥ 0, 0 when the scorer has none)
    /// of each candidate.
    ///
    /// - Parameters:
    ///   - features: The context vector, `contextDimension` finite values (already checked).
    ///   - segment: The customer's segment (already checked by ``validate(segment:)``).
    ///   - candidates: Catalog indices, each in `0..<actionCount` (already checked).
    ///   - estimates: Receives one estimate per candidate.
    ///   - bonuses: Receives one bonus per candidate.
    ///   - scratch: At least `scratchCount(candidateCount:)` doubles of working memory.
    /// - Complexity: scorer-specific; no allocation.
    func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>)

    /// Writes `sampleCount` posterior draws of every candidate's score, row-major
    /// (`samples[m * n + i]` is draw `m` of candidate `i`, n = `candidates.count`).
    ///
    /// The draws depend only on the model state, the inputs and `generator`.
    /// Deterministic scorers write their estimates plus bonuses in every row.
    /// - Complexity: scorer-specific; no allocation.
    func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>)

    /// Updates the model with one observation: `action` was taken in context `features`
    /// (segment `segment`) and earned `reward`, counted `weight` times.
    ///
    /// Inputs are already checked for dimension and finiteness.
    /// - Throws: `BanditsError.invalidParameter` when the reward is outside the range the
    ///   model accepts (e.g. [0, 1] for Beta–Bernoulli).
    /// - Complexity: scorer-specific; no allocation in the steady state.
    mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action: Int, reward: Double, weight: Double
    ) throws(BanditsError)

    /// Checks the segment of a context.
    /// - Throws: `BanditsError.unknownSegment` when the scorer keeps per-segment state and
    ///   `segment` is missing or out of range.
    func validate(segment: Int?) throws(BanditsError)
}

extension Scorer {
    /// No posterior sampling by default.
    public var posteriorSampleCount: Int { 0 }

    /// Segments are ignored by default.
    public func validate(segment: Int?) throws(BanditsError) {}

    /// Deterministic scorers: every row holds `estimate + bonus`.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard sampleCount > 0, n > 0, let base = samples.baseAddress else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { bonuses in
            scores(features: features, segment: segment, candidates: candidates,
                   estimates: UnsafeMutableBufferPointer(start: base, count: n), bonuses: bonuses, scratch: scratch)
            for i in 0..<n { base[i] += bonuses[i] }
        }
        for m in 1..<sampleCount {
            for i in 0..<n { base[m * n + i] = base[i] }
        }
    }
}
