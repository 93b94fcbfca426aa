/// One complete offline evaluation: reward model, every requested estimator, intervals,
/// support and warnings, for one target on one log. What `attune evaluate` runs.
public struct OfflineEvaluation: Sendable {
    /// The estimator ids accepted by ``Configuration/estimators``, in report order.
    public static let estimatorNames = ["dm", "ips", "clipped_ips", "snips", "dr", "sndr", "switch_dr", "dr_os"]

    /// What to run.
    public struct Configuration: Sendable, Equatable {
        /// Estimator ids (see ``OfflineEvaluation/estimatorNames``).
        public var estimators: [String]
        /// Confidence level of the intervals, in (0, 1).
        public var confidence: Double
        /// The reward model for DM and the DR family.
        public var rewardModel: RewardModel.Configuration
        /// Bootstrap replicates for percentile intervals; 0 keeps the normal intervals.
        public var bootstrapReplicates: Int
        /// Seed of the bootstrap.
        public var seed: UInt64
        /// Weight cap of clipped IPS.
        public var clipWeight: Double
        /// Threshold `τ` of Switch-DR.
        public var switchThreshold: Double
        /// Shrinkage `λ` of DR-os.
        public var shrinkageLambda: Double

        /// Creates a configuration; `estimators` may be `["all"]`.
        /// - Throws: `EvaluationError.invalidParameter` for an unknown estimator id or a bad value.
        public init(
            estimators: [String] = ["all"], confidence: Double = 0.95, rewardModel: RewardModel.Configuration? = nil,
            bootstrapReplicates: Int = 0, seed: UInt64 = 0, clipWeight: Double = 20, switchThreshold: Double = 20,
            shrinkageLambda: Double = 100
        ) throws(EvaluationError) {
            var names: [String] = []
            for name in estimators {
                if name == "all" { names.append(contentsOf: OfflineEvaluation.estimatorNames); continue }
                guard OfflineEvaluation.estimatorNames.contains(name) else {
                    throw .invalidParameter(field: "estimators", value: name,
                                            expected: "one of \(OfflineEvaluation.estimatorNames.joined(separator: ", ")) or all")
                }
                if !names.contains(name) { names.append(name) }
            }
            guard !names.isEmpty else { throw .invalidParameter(field: "estimators", value: "", expected: "at least one estimator") }
            _ = try Estimate.normalQuantile(forConfidence: confidence)
            guard bootstrapReplicates == 0 || bootstrapReplicates >= 2 else {
                throw .invalidParameter(field: "bootstrap", value: "\(bootstrapReplicates)", expected: "0 (normal intervals) or ≥ 2 replicates")
            }
            self.estimators = names
            self.confidence = confidence
            if let rewardModel { self.rewardModel = rewardModel } else { self.rewardModel = try RewardModel.Configuration(seed: seed) }
            self.bootstrapReplicates = bootstrapReplicates
            self.seed = seed
            self.clipWeight = clipWeight
            self.switchThreshold = switchThreshold
            self.shrinkageLambda = shrinkageLambda
            _ = try makeEstimators()
        }

        /// The estimators, in the order of ``estimators``.
        /// - Throws: `EvaluationError.invalidParameter` for a bad hyper-parameter.
        public func makeEstimators() throws(EvaluationError) -> [any OffPolicyEstimator] {
            var result: [any OffPolicyEstimator] = []
            for name in estimators {
                switch name {
                case "dm": result.append(DirectMethod())
                case "ips": result.append(try InversePropensityScoring())
                case "clipped_ips": result.append(try InversePropensityScoring(maxWeight: clipWeight))
                case "snips": result.append(SelfNormalizedIPS())
                case "dr": result.append(DoublyRobust())
                case "sndr": result.append(SelfNormalizedDoublyRobust())
                case "switch_dr": result.append(try SwitchDoublyRobust(threshold: switchThreshold))
                default: result.append(try DoublyRobustOptimisticShrinkage(lambda: shrinkageLambda))
                }
            }
            return result
        }
    }

    /// The reward model's quality on held-out folds.
    public struct RewardModelReport: Sendable, Equatable, Encodable {
        /// `ridge` or `logistic`.
        public var kind: String
        /// Cross-fitting folds.
        public var folds: Int
        /// Held-out mean squared error of the logged action's prediction.
        public var heldOutMSE: Double
        /// The same error for the constant (mean-reward) prediction.
        public var baselineMSE: Double

        enum CodingKeys: String, CodingKey {
            case kind, folds
            case heldOutMSE = "held_out_mse"
            case baselineMSE = "baseline_mse"
        }
    }

    /// Everything one evaluation of one target found.
    public struct Report: Sendable, Equatable, Encodable {
        /// The target's name (`log`, `logging` or a policy file).
        public var target: String
        /// One estimate per requested estimator.
        public var estimates: [Estimate]
        /// The same estimators on the rounds of each logged `segment` (sorted by label, rounds
        /// without a segment last); empty when no round logged one. Normal intervals.
        public var segments: [SegmentEstimates]
        /// The reward model's held-out error, when an estimator needed one.
        public var rewardModel: RewardModelReport?
        /// Support of the target in the log.
        public var support: SupportReport
        /// The distribution of the raw importance weights `π(aᵢ|xᵢ) / μᵢ`.
        public var weightHistogram: WeightHistogram
        /// Rounds evaluated.
        public var rounds: Int
        /// Warnings of all estimates and of the support report, without repeats.
        public var warnings: [String]

        enum CodingKeys: String, CodingKey {
            case target, estimates, segments, support, rounds, warnings
            case rewardModel = "reward_model"
            case weightHistogram = "weight_histogram"
        }
    }

    /// A target to evaluate: a name for reports and its distributions aligned with the log's
    /// candidates.
    public struct Target: Sendable, Equatable {
        /// The name shown in reports.
        public var name: String
        /// `π(a|xᵢ)` of every round, aligned with `log.candidates`.
        public var probabilities: [Double]

        /// Creates a target.
        public init(name: String, probabilities: [Double]) {
            self.name = name
            self.probabilities = probabilities
        }
    }

    /// Runs the evaluation of `target` (aligned with `log.candidates`) on `log`.
    /// - Throws: any `EvaluationError` of the reward model, estimators or bootstrap.
    /// - Complexity: O(n d² + E Σ Kᵢ + B n E).
    public static func run(log: DecisionLog, target: [Double], name: String = "target", configuration: Configuration) throws(EvaluationError) -> Report {
        let reports = try run(log: log, targets: [Target(name: name, probabilities: target)], configuration: configuration)
        return reports[0]
    }

    /// Runs the evaluation of several targets on `log`, fitting the reward model once (it
    /// depends on the log only) and giving one report per target, in order.
    /// - Throws: any `EvaluationError` of the reward model, estimators or bootstrap.
    /// - Complexity: O(n d² + T (E Σ Kᵢ + B n E)) for `T` targets.
    public static func run(log: DecisionLog, targets: [Target], configuration: Configuration) throws(EvaluationError) -> [Report] {
        let estimators = try configuration.makeEstimators()
        var model: CrossFittedPredictions?
        if estimators.contains(where: \.needsRewardModel) {
            model = try RewardModel.crossFit(log: log, configuration: configuration.rewardModel)
        }
        let modelReport = model.map {
            RewardModelReport(kind: configuration.rewardModel.kind.rawValue, folds: configuration.rewardModel.folds,
                              heldOutMSE: $0.heldOutMeanSquaredError, baselineMSE: $0.baselineMeanSquaredError)
        }
        let groups = segmentGroups(log)
        var reports: [Report] = []
        for target in targets {
            var report = try evaluate(log: log, target: target.probabilities, estimators: estimators, predictions: model?.predictions,
                                      groups: groups, configuration: configuration)
            report.target = target.name
            report.rewardModel = modelReport
            reports.append(report)
        }
        return reports
    }

    /// One target's report, given the estimators and the reward model's predictions.
    static func evaluate(
        log: DecisionLog, target: [Double], estimators: [any OffPolicyEstimator], predictions: [Double]?,
        groups: [(label: String?, rounds: [Int])], configuration: Configuration
    ) throws(EvaluationError) -> Report {
        let sampleWeights = log.sampleWeights.allSatisfy { $0 == 1 } ? [] : log.sampleWeights
        var terms: [Contributions] = []
        for e in estimators { terms.append(try e.contributions(on: log, target: target, rewardModel: predictions)) }
        var estimates: [Estimate] = []
        for t in terms { estimates.append(try Estimate(contributions: t, sampleWeights: sampleWeights, confidence: configuration.confidence)) }
        if configuration.bootstrapReplicates > 0 {
            let bootstrap = try Bootstrap(replicates: configuration.bootstrapReplicates, confidence: configuration.confidence, seed: configuration.seed)
            let intervals = try bootstrap.intervals(terms, sampleWeights: sampleWeights)
            for k in estimates.indices { estimates[k].ciLow = intervals[k].low; estimates[k].ciHigh = intervals[k].high }
        }
        let segments = try segmentEstimates(terms: terms, sampleWeights: sampleWeights, groups: groups, confidence: configuration.confidence)
        let support = try SupportReport(log: log, target: target)
        var warnings: [String] = []
        for e in estimates { for w in e.warnings where !warnings.contains(w) { warnings.append(w) } }
        if !support.unsupportedActions.isEmpty {
            warnings.append("the target gives probability to actions never taken in the log (\(support.unsupportedActions.prefix(10).joined(separator: ", "))): importance-weighted estimates miss their value")
        }
        if let mass = support.unsupportedTargetMass, mass > 0 {
            warnings.append("on average \(fmt(mass)) of the target's probability falls on actions the logger never offered: IPS-type estimates are biased down by that share of the value")
        }
        let histogram = try WeightHistogram(weights: importanceWeights(log: log, target: target))
        return Report(target: "target", estimates: estimates, segments: segments, rewardModel: nil, support: support,
                      weightHistogram: histogram, rounds: log.count, warnings: warnings)
    }
}
