import Bandits
import Evaluation

/// A candidate version of a policy replayed over the policy's own decision log, in journal
/// order, the way it would have run had it been serving: on each logged round it first gives
/// its distribution over the logged candidates (the target the gate evaluates), then learns
/// from the logged interaction (context, chosen action, propensity, joined reward).
///
/// This is progressive validation: every round is predicted before it is learned from, so the
/// estimate is not flattered by training on the rounds it is judged on, and the model at the
/// end (``model``) is what the promoted version serves, with the log already learned.
/// A plain value: no I/O, the rounds come from the event store's export.
///
/// ```
/// var replay = try CandidateReplay(candidate: spec, serving: current)
/// for logged in rounds { try replay.append(logged) }
/// let verdict = try DeploymentGate(configuration: c).decide(log: try replay.finish(), candidate: replay.target, baseline: log.loggingProbabilities)
/// ```
///
/// ## References
/// Blum, Kalai & Langford (1999), progressive validation; Li, Chu, Langford & Wang (2011),
/// unbiased offline evaluation of contextual-bandit algorithms.
struct CandidateReplay: Sendable {
    /// The candidate's model, trained on the rounds appended so far.
    private(set) var model: any Policy
    /// The candidate's distributions, aligned with the log's candidates (round by round).
    private(set) var target: [Double] = []
    private var builder: DecisionLog.Builder
    private var mapping: [String: Int]
    private var distribution: [Double] = []
    private var candidates: [Int] = []

    /// Prepares the replay.
    /// - Throws: `EngineError.policy` when the candidate does not build; `.invalidField(field:
    ///   "feature_schema", …)` when its feature schema differs from the serving version's (the
    ///   log holds contexts encoded by the serving schema, which the candidate could not read).
    init(candidate: PolicySpecification, serving: PolicySpecification) throws(EngineError) {
        guard candidate.featureSchema == serving.featureSchema else {
            throw .invalidField(field: "feature_schema", reason: "differs from the serving version's; the log holds contexts encoded with the serving schema, so the candidate cannot be evaluated on it: keep the feature schema (or reload the file to serve it without the gate)")
        }
        do throws(BanditsError) { model = try candidate.makePolicy() } catch { throw .policy(error) }
        mapping = Dictionary(model.catalog.actions.enumerated().map { ($1.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        builder = DecisionLog.Builder(source: "policy '\(serving.id)' decision log")
    }

    /// The number of rounds appended.
    var count: Int { builder.count }

    /// Predicts, then learns, one logged round whose window has closed.
    /// - Throws: `EngineError.invalidField(field: "catalog", …)` when a logged candidate is
    ///   missing from the candidate's catalog; `.invalidField(field: "log", …)` when the round
    ///   is rejected by the evaluator's checks or refused by the candidate.
    /// - Complexity: one distribution and one update of the candidate.
    mutating func append(_ logged: LoggedDecision) throws(EngineError) {
        guard let outcome = logged.outcome else { return }
        let d = logged.decision
        candidates.removeAll(keepingCapacity: true)
        for id in d.candidateIDs {
            guard let j = mapping[id] else {
                throw .invalidField(field: "catalog", reason: "the log has decisions among '\(id)' (event \(d.eventID)), which the candidate's catalog lacks; keep every served action in the candidate")
            }
            candidates.append(j)
        }
        let context = Context(features: d.context, segment: d.segment)
        do throws(BanditsError) {
            try model.distribution(for: context, among: candidates, into: &distribution)
        } catch {
            throw .invalidField(field: "log", reason: "the candidate refuses the context of event \(d.eventID): \(error.description)")
        }
        do throws(EvaluationError) {
            try builder.append(LoggedRound(
                context: d.context, actions: d.candidateIDs, action: .index(d.position), propensity: d.propensity,
                reward: outcome.reward, probabilities: d.probabilities, segment: d.segment.map { String($0) }, eventID: d.eventID),
                line: builder.count + 1)
        } catch {
            throw .invalidField(field: "log", reason: "event \(d.eventID): \(error.description)")
        }
        target.append(contentsOf: distribution)
        // The log's reward teaches the candidate only after its prediction was recorded.
        let interaction = Interaction(context: context, candidates: candidates, action: candidates[d.position],
                                      probabilities: d.probabilities, propensity: d.propensity, reward: outcome.reward)
        do throws(BanditsError) { try model.learn(from: interaction) } catch {
            throw .invalidField(field: "log", reason: "the candidate cannot learn event \(d.eventID): \(error.description)")
        }
    }

    /// The log of the appended rounds, in the evaluator's layout (aligned with ``target``).
    /// - Throws: `EngineError.invalidField(field: "log", …)` when the evaluator rejects it.
    func finish() throws(EngineError) -> DecisionLog {
        do throws(EvaluationError) { return try builder.finish() } catch {
            throw .invalidField(field: "log", reason: error.description)
        }
    }
}
