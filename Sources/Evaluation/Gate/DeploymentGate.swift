/// The deployment gate: promote a candidate policy over the baseline only when the log proves,
/// with high confidence, that it is better and that the proof rests on enough data.
///
/// A plain value: it reads a log and two target distributions and returns a ``Verdict``
/// with every reason; it performs no I/O. The candidate is promoted only if all hold:
///
/// 1. the lower confidence bound of the improvement `V(candidate) − V(baseline)` exceeds
///    `margin`, by one of two bounds:
///    - `.empiricalBernstein` (finite-sample, the default): each policy bounded at `δ/2` by
///      clipped importance weighting, ``EmpiricalBernstein``;
///      improvement ≥ LB(candidate) − UB(baseline) (or − the baseline's estimate);
///    - `.normal` (asymptotic): the paired difference of the two policies' per-round DR
///      terms (SNIPS without a reward model), `Δ̂ − z₁₋δ SE(Δ̂)`;
/// 2. the candidate's effective sample size is at least `minEffectiveSampleSize`;
/// 3. the candidate's largest importance weight is at most `maxWeight`;
/// 4. the candidate puts at most `maxUnsupportedMass` of its probability (averaged over
///    rounds) on actions the log never shows being taken.
public struct DeploymentGate: Sendable {
    /// Which lower bound decides.
    public enum Bound: String, Sendable, CaseIterable, Codable {
        /// Maurer–Pontil empirical Bernstein on clipped importance weights: valid for every n.
        case empiricalBernstein = "empirical_bernstein"
        /// Normal approximation on paired per-round differences: tighter, asymptotic.
        case normal
    }

    /// What the candidate's lower bound is compared with (empirical Bernstein only).
    public enum BaselineReference: String, Sendable, CaseIterable, Codable {
        /// The baseline's upper confidence bound (conservative).
        case upperBound = "upper_bound"
        /// The baseline's point estimate.
        case estimate
    }

    /// The gate's thresholds.
    public struct Configuration: Sendable, Equatable {
        /// The confidence of the decision, `1 − δ`, in (0, 1).
        public var confidence: Double
        /// The improvement the lower bound must exceed (in reward units).
        public var margin: Double
        /// The smallest acceptable effective sample size of the candidate.
        public var minEffectiveSampleSize: Double
        /// The largest acceptable raw importance weight of the candidate.
        public var maxWeight: Double
        /// The largest acceptable share of the candidate's mass on never-taken actions.
        public var maxUnsupportedMass: Double
        /// The weight cap `M` of the empirical Bernstein bounds.
        public var clipWeight: Double
        /// Known reward bounds, or `nil` to take the log's observed range.
        public var rewardRange: ClosedRange<Double>?
        /// The bound used.
        public var bound: Bound
        /// What the candidate's lower bound is compared with.
        public var baselineReference: BaselineReference

        /// Creates a configuration.
        /// - Throws: `EvaluationError.invalidParameter` naming the first bad field.
        public init(
            confidence: Double = 0.95, margin: Double = 0, minEffectiveSampleSize: Double = 100,
            maxWeight: Double = .infinity, maxUnsupportedMass: Double = 0.01, clipWeight: Double = 20,
            rewardRange: ClosedRange<Double>? = nil, bound: Bound = .empiricalBernstein,
            baselineReference: BaselineReference = .upperBound
        ) throws(EvaluationError) {
            _ = try Estimate.normalQuantile(forConfidence: confidence)
            guard margin.isFinite else { throw .invalidParameter(field: "margin", value: "\(margin)", expected: "a finite number") }
            guard minEffectiveSampleSize >= 0 else {
                throw .invalidParameter(field: "min_ess", value: "\(minEffectiveSampleSize)", expected: "a number ≥ 0")
            }
            guard maxWeight > 0 else { throw .invalidParameter(field: "max_weight", value: "\(maxWeight)", expected: "a number > 0") }
            guard (0...1).contains(maxUnsupportedMass) else {
                throw .invalidParameter(field: "max_unsupported_mass", value: "\(maxUnsupportedMass)", expected: "a share in [0, 1]")
            }
            guard clipWeight.isFinite, clipWeight > 0 else {
                throw .invalidParameter(field: "clip_weight", value: "\(clipWeight)", expected: "a finite number > 0")
            }
            if let r = rewardRange, !(r.lowerBound.isFinite && r.upperBound.isFinite) {
                throw .invalidParameter(field: "reward_range", value: "\(r)", expected: "finite bounds")
            }
            self.confidence = confidence
            self.margin = margin
            self.minEffectiveSampleSize = minEffectiveSampleSize
            self.maxWeight = maxWeight
            self.maxUnsupportedMass = maxUnsupportedMass
            self.clipWeight = clipWeight
            self.rewardRange = rewardRange
            self.bound = bound
            self.baselineReference = baselineReference
        }
    }

    /// The gate's decision with the figures behind it.
    public struct Verdict: Sendable, Equatable, Encodable {
        /// Whether to deploy the candidate.
        public var promote: Bool
        /// Every check, passed or failed, in words.
        public var reasons: [String]
        /// The candidate's and the baseline's point estimates (DR, or SNIPS without a model).
        public var candidateValue: Double
        /// The baseline's point estimate.
        public var baselineValue: Double
        /// The lower confidence bound of the improvement.
        public var improvementLowerBound: Double
        /// The candidate's effective sample size.
        public var effectiveSampleSize: Double
        /// The candidate's largest raw importance weight.
        public var maxWeight: Double
        /// The candidate's mean probability on never-taken actions.
        public var unsupportedMass: Double

        enum CodingKeys: String, CodingKey {
            case promote, reasons
            case candidateValue = "candidate_value"
            case baselineValue = "baseline_value"
            case improvementLowerBound = "improvement_lower_bound"
            case effectiveSampleSize = "effective_sample_size"
            case maxWeight = "max_weight"
            case unsupportedMass = "unsupported_mass"
        }
    }

    /// The thresholds.
    public let configuration: Configuration

    /// Creates a gate.
    public init(configuration: Configuration) { self.configuration = configuration }
}
