/// A complete slate evaluation: every slot-wise estimator, intervals and per-segment
/// estimates on one ``SlateLog`` (what `attune evaluate` runs on a log with `slots`).
public enum SlateEvaluation {
    /// The estimator ids, in report order.
    public static let estimatorNames = ["iips", "rips", "sips"]

    /// The estimators named in `names` (`"all"` for every one), in the order of
    /// ``estimatorNames``.
    /// - Throws: `EvaluationError.invalidParameter` for an unknown id.
    public static func estimators(_ names: [String]) throws(EvaluationError) -> [any SlateEstimator] {
        var chosen = Set<String>()
        for name in names {
            if name == "all" { chosen.formUnion(estimatorNames); continue }
            guard estimatorNames.contains(name) else {
                throw .invalidParameter(field: "estimators", value: name,
                                        expected: "for a slate log, one of \(estimatorNames.joined(separator: ", ")) or all")
            }
            chosen.insert(name)
        }
        var result: [any SlateEstimator] = []
        if chosen.contains("iips") { result.append(IndependentItemIPS()) }
        if chosen.contains("rips") { result.append(RewardInteractionIPS()) }
        if chosen.contains("sips") { result.append(StandardSlateIPS()) }
        guard !result.isEmpty else { throw .invalidParameter(field: "estimators", value: "", expected: "at least one estimator") }
        return result
    }

    /// The report of `estimators` on `log`: one estimate each (bootstrap intervals when
    /// `bootstrapReplicates > 0`), the per-segment estimates and the histogram of slate weights.
    /// - Throws: `EvaluationError.invalidParameter` for a bad confidence or replicate count.
    /// - Complexity: O(E · total slots + B n E).
    public static func run(
        log: SlateLog, estimators: [any SlateEstimator], confidence: Double = 0.95, bootstrapReplicates: Int = 0, seed: UInt64 = 0
    ) throws(EvaluationError) -> OfflineEvaluation.Report {
        let terms = estimators.map { $0.contributions(on: log) }
        var estimates: [Estimate] = []
        for t in terms { estimates.append(try Estimate(contributions: t, confidence: confidence)) }
        if bootstrapReplicates > 0 {
            let intervals = try Bootstrap(replicates: bootstrapReplicates, confidence: confidence, seed: seed).intervals(terms)
            for k in estimates.indices { estimates[k].ciLow = intervals[k].low; estimates[k].ciHigh = intervals[k].high }
        }
        let segments = try OfflineEvaluation.segmentEstimates(terms: terms, sampleWeights: [], groups: OfflineEvaluation.segmentGroups(log.segments),
                                                              confidence: confidence)
        var warnings: [String] = []
        for e in estimates { for w in e.warnings where !warnings.contains(w) { warnings.append(w) } }
        let slateWeights = StandardSlateIPS().contributions(on: log).weights
        let zero = slateWeights.filter { $0 == 0 }.count
        let support = SupportReport(unsupportedActions: [], unsupportedTargetMass: nil, roundsWithUnsupportedMass: nil,
                                    zeroTargetShare: Double(zero) / Double(max(log.count, 1)))
        return OfflineEvaluation.Report(
            target: "log", estimates: estimates, segments: segments, rewardModel: nil, support: support,
            weightHistogram: try WeightHistogram(weights: slateWeights), rounds: log.count, warnings: warnings)
    }
}
