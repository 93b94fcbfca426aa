import Bandits
import Evaluation

// MARK: - Gate-driven promotion

extension Engine {
    /// One check of the deployment gate, with its figures.
    public struct GateCheck: Sendable, Equatable {
        /// `improvement_lower_bound`, `effective_sample_size`, `max_weight` or `unsupported_mass`.
        public var name: String
        /// Whether the check passed.
        public var passed: Bool
        /// The candidate's figure.
        public var value: Double
        /// The threshold it is compared with.
        public var threshold: Double
        /// `>`, `>=` or `<=`: how `value` must compare with `threshold`.
        public var comparison: String
        /// The gate's own sentence, with the method and confidence.
        public var detail: String
    }

    /// What a promotion attempt found and did.
    public struct PromotionReport: Sendable, Equatable {
        /// The policy.
        public var policyID: String
        /// Whether the candidate passed the gate.
        public var passed: Bool
        /// Whether it is now served (passed and not a dry run).
        public var promoted: Bool
        /// Fingerprint of the candidate specification.
        public var candidateFingerprint: String
        /// Fingerprint of the version serving when the candidate was evaluated.
        public var servingFingerprint: String
        /// Logged rounds (closed windows) the candidate was evaluated on.
        public var rounds: Int
        /// The candidate's estimated value per decision (doubly robust, or SNIPS without a reward model).
        public var candidateValue: Double
        /// The logging policy's estimated value on the same rounds (what was served).
        public var baselineValue: Double
        /// Every gate check, in the gate's order.
        public var checks: [GateCheck]
        /// Earlier versions kept for rollback after the promotion.
        public var earlierVersions: Int
    }

    /// Promotes `candidate` to serve policy `candidate.id` only if the evaluator's deployment
    /// gate accepts it on the policy's own decision log.
    ///
    /// The candidate is replayed over the policy's logged decisions whose reward windows have
    /// closed (the most recent `promotionMaxRounds`), predicting each round before learning it
    /// (``CandidateReplay``); the gate (`DeploymentGate`, thresholds `promotionGate`) compares
    /// its distributions with the logging distributions the server actually used. When every
    /// check passes and `dryRun` is false, the candidate is served with the model the replay
    /// trained, the replaced version and its model are kept for `rollback`, the versions are
    /// recorded in the data directory and a checkpoint is written. Otherwise nothing changes.
    /// - Parameters:
    ///   - candidate: The new version (same id, feature schema and every logged action).
    ///   - dryRun: Evaluate and report without promoting.
    /// - Returns: The report; `promoted` is false when the gate refused (or on a dry run).
    /// - Throws: `EngineError.unknownPolicy`; `.invalidField` when the policy serves a prebuilt
    ///   model (``prebuiltPolicyIDs``), the candidate is the version
    ///   serving, cannot be evaluated on the log (feature schema, catalog, no closed window) or
    ///   the gate's thresholds are invalid; `.policy` when it does not build; `.storage` when
    ///   the log cannot be read; the errors of `reload` when it cannot be installed.
    /// - Complexity: O(n) candidate updates and distributions over n logged rounds, plus the
    ///   gate's O(n K) and a cross-fitted reward model.
    ///
    /// ## References
    /// Thomas, Theocharous & Ghavamzadeh (2015), high-confidence off-policy improvement.
    public func promote(_ candidate: PolicySpecification, dryRun: Bool = false) throws(EngineError) -> PromotionReport {
        let gate: DeploymentGate
        do throws(EvaluationError) {
            if let thresholds = configuration.promotionGate {
                gate = DeploymentGate(configuration: thresholds)
            } else {
                gate = DeploymentGate(configuration: try DeploymentGate.Configuration())
            }
        } catch {
            throw .invalidField(field: "promotion_gate", reason: error.description)
        }
        guard !prebuiltPolicyIDs.contains(candidate.id) else {
            throw .invalidField(field: "id", reason: "policy '\(candidate.id)' serves a model built from its own file when the server started (a policy-gradient file); gate the retrained file offline with 'attune gate' and restart to serve it")
        }
        let report = try history.withLock { (h: inout VersionHistory) throws(EngineError) -> PromotionReport in
            let serving = try policy(named: candidate.id)
            guard candidate.fingerprint != serving.specification.fingerprint else {
                throw .invalidField(field: "policy", reason: "the candidate is the version already serving (fingerprint \(candidate.fingerprint))")
            }
            var replay = try CandidateReplay(candidate: candidate, serving: serving.specification)
            for logged in try closedRounds(of: candidate.id) { try replay.append(logged) }
            guard replay.count > 0 else {
                throw .invalidField(field: "log", reason: "policy '\(candidate.id)' has no logged decision whose reward window has closed; serve it longer before promoting a candidate")
            }
            let log = try replay.finish()
            let verdict: DeploymentGate.Verdict
            do throws(EvaluationError) {
                // A reward model sharpens the point estimates (doubly robust); the bounds do not need one.
                let model = try? RewardModel.crossFit(log: log, configuration: RewardModel.Configuration())
                verdict = try gate.decide(log: log, candidate: replay.target, baseline: log.loggingProbabilities, rewardModel: model?.predictions)
            } catch {
                throw .invalidField(field: "log", reason: "the gate cannot evaluate the candidate: \(error.description)")
            }
            var report = PromotionReport(
                policyID: candidate.id, passed: verdict.promote, promoted: false, candidateFingerprint: candidate.fingerprint,
                servingFingerprint: serving.specification.fingerprint, rounds: log.count, candidateValue: verdict.candidateValue,
                baselineValue: verdict.baselineValue, checks: Self.checks(verdict, gate.configuration),
                earlierVersions: h.earlier[candidate.id]?.count ?? 0)
            guard verdict.promote, !dryRun else { return report }
            let change = try replace(with: candidate, model: replay.model, history: &h)
            recordVersions(h)
            report.promoted = true
            report.earlierVersions = change.earlierVersions
            return report
        }
        // The checkpoint holds models by version: write one now, so that a crash before the next
        // scheduled checkpoint still restores the promoted model (a failure shows on /readyz).
        if report.promoted { try? checkpoint() }
        return report
    }

    /// The policy's logged decisions with a closed window, in journal order (the latest `promotionMaxRounds`).
    private func closedRounds(of policyID: String) throws(EngineError) -> ArraySlice<LoggedDecision> {
        ArraySlice(try store.closedDecisions(policyID: policyID, limit: max(configuration.promotionMaxRounds, 1)))
    }

    /// The gate's four checks as figures, in the gate's order (its sentences carry the method).
    static func checks(_ verdict: DeploymentGate.Verdict, _ c: DeploymentGate.Configuration) -> [GateCheck] {
        let figures: [(String, Double, Double, String)] = [
            ("improvement_lower_bound", verdict.improvementLowerBound, c.margin, ">"),
            ("effective_sample_size", verdict.effectiveSampleSize, c.minEffectiveSampleSize, ">="),
            ("max_weight", verdict.maxWeight, c.maxWeight, "<="),
            ("unsupported_mass", verdict.unsupportedMass, c.maxUnsupportedMass, "<="),
        ]
        return figures.enumerated().map { i, f in
            let sentence = i < verdict.reasons.count ? verdict.reasons[i] : ""
            return GateCheck(name: f.0, passed: sentence.hasPrefix("pass"), value: f.1, threshold: f.2, comparison: f.3,
                             detail: sentence)
        }
    }
}
