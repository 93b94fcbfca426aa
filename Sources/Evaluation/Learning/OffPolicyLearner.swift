import AttuneCore
import Linalg

/// Off-policy learning of a ``LinearPolicy`` from a decision log, without deploying anything.
///
/// The bandit problem is reduced to one regression per action on *pseudo-rewards* that are
/// unbiased for every action's reward, not only the logged one (cost-sensitive
/// classification by regression, as in Vowpal Wabbit's `--cb` reductions):
///
/// ```
/// IPS:  Γᵢ(a) = 1{a = aᵢ} rᵢ / μᵢ
/// DR:   Γᵢ(a) = q̂(xᵢ, a) + 1{a = aᵢ} (rᵢ − q̂(xᵢ, a)) / μᵢ
/// θₐ = (XₐᵀXₐ + λI)⁻¹ Xₐᵀ Γ(a)         (rows: rounds offering a; Cholesky via Linalg)
/// ```
/// The learned scores `θₐᵀ[1, x]` estimate each action's reward; the policy acts greedily
/// or by a softmax on them. A seeded share of the log is held out and the learned policy is
/// evaluated on it with SNIPS, DR and IPS next to the logging policy's observed mean reward.
///
/// ## References
/// Dudík, Langford & Li, "Doubly robust policy evaluation and learning", ICML 2011, §4;
/// Beygelzimer & Langford, "The offset tree for learning with partial labels", KDD 2009.
public struct OffPolicyLearner: Sendable {
    /// The pseudo-reward used for the regressions.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Inverse propensity pseudo-rewards.
        case ips
        /// Doubly robust pseudo-rewards (cross-fitted reward model).
        case dr
    }

    /// Hyper-parameters of learning.
    public struct Configuration: Sendable, Equatable {
        /// The pseudo-reward.
        public var method: Method
        /// Ridge penalty `λ > 0` of the per-action regressions.
        public var ridge: Double
        /// Greedy or softmax.
        public var kind: LinearPolicy.Kind
        /// Softmax temperature.
        public var temperature: Double
        /// Exploration floor of the learned policy.
        public var epsilon: Double
        /// Share of rounds held out for evaluation, in [0, 0.9].
        public var holdoutShare: Double
        /// The reward model for DR pseudo-rewards and the held-out DR estimate.
        public var rewardModel: RewardModel.Configuration
        /// Seed of the hold-out split.
        public var seed: UInt64

        /// Creates a configuration.
        /// - Throws: `EvaluationError.invalidParameter` naming the first bad field.
        public init(method: Method = .dr, ridge: Double = 1, kind: LinearPolicy.Kind = .greedy, temperature: Double = 1,
                    epsilon: Double = 0, holdoutShare: Double = 0.2, rewardModel: RewardModel.Configuration? = nil,
                    seed: UInt64 = 0) throws(EvaluationError) {
            guard ridge.isFinite, ridge > 0 else { throw .invalidParameter(field: "ridge", value: "\(ridge)", expected: "a finite number > 0") }
            guard (0...0.9).contains(holdoutShare) else {
                throw .invalidParameter(field: "holdout", value: "\(holdoutShare)", expected: "a share in [0, 0.9]")
            }
            guard (0...1).contains(epsilon) else { throw .invalidParameter(field: "epsilon", value: "\(epsilon)", expected: "a probability in [0, 1]") }
            guard kind == .greedy || (temperature.isFinite && temperature > 0) else {
                throw .invalidParameter(field: "temperature", value: "\(temperature)", expected: "a finite number > 0")
            }
            self.method = method
            self.ridge = ridge
            self.kind = kind
            self.temperature = temperature
            self.epsilon = epsilon
            self.holdoutShare = holdoutShare
            if let rewardModel { self.rewardModel = rewardModel } else { self.rewardModel = try RewardModel.Configuration(seed: seed) }
            self.seed = seed
        }
    }

    /// A learned policy and how it fares on the held-out rounds.
    public struct Result: Sendable {
        /// The learned policy.
        public var policy: LinearPolicy
        /// Estimates of the learned policy on the held-out rounds (empty without a hold-out).
        public var heldOutEstimates: [Estimate]
        /// The logging policy's mean observed reward on the held-out rounds.
        public var loggingValue: Estimate?
        /// Rounds used for learning.
        public var trainingRounds: Int
        /// Rounds held out.
        public var heldOutRounds: Int
    }

    /// The configuration.
    public let configuration: Configuration

    /// Creates a learner.
    public init(configuration: Configuration) { self.configuration = configuration }

    /// Learns a policy from `log`.
    /// - Throws: `EvaluationError.emptyLog` when a split is empty; `.numerical` when a
    ///   regression cannot be solved; errors of the reward model and estimators.
    /// - Complexity: O(n K d² + K d³).
    public func learn(from log: DecisionLog) throws(EvaluationError) -> Result {
        let c = configuration
        var order = Array(0..<log.count)
        var generator = SeededGenerator(seed: c.seed)
        generator.shuffle(&order)
        let heldCount = Int((Double(log.count) * c.holdoutShare).rounded())
        let training = log.subset(Array(order[heldCount...]).sorted())
        guard training.count > 0 else { throw .emptyLog(source: log.source) }

        var q: [Double]?
        if c.method == .dr { q = try RewardModel.crossFit(log: training, configuration: c.rewardModel).predictions }
        let coefficients = try fitCoefficients(training, q: q)
        let policy = try LinearPolicy(
            kind: c.kind, temperature: c.temperature, epsilon: c.epsilon, actions: log.actionIDs, featureNames: log.featureNames,
            coefficients: coefficients,
            training: ["method": c.method.rawValue, "rounds": String(training.count), "ridge": String(c.ridge), "source": log.source])

        guard heldCount >= 2 else {
            return Result(policy: policy, heldOutEstimates: [], loggingValue: nil, trainingRounds: training.count, heldOutRounds: 0)
        }
        let held = log.subset(Array(order[..<heldCount]).sorted())
        let target = try policy.distributions(on: held)
        let model = try RewardModel.crossFit(log: held, configuration: c.rewardModel).predictions
        var estimates: [Estimate] = []
        for e: any OffPolicyEstimator in [SelfNormalizedIPS(), DoublyRobust(), try InversePropensityScoring()] {
            estimates.append(try e.estimate(on: held, target: target, rewardModel: model))
        }
        let observed = Contributions(estimator: "logging", direct: held.rewards, weights: [Double](repeating: 1, count: held.count))
        return Result(policy: policy, heldOutEstimates: estimates, loggingValue: try Estimate(contributions: observed),
                      trainingRounds: training.count, heldOutRounds: held.count)
    }

    /// Per-action ridge regressions of the pseudo-rewards.
    private func fitCoefficients(_ log: DecisionLog, q: [Double]?) throws(EvaluationError) -> [[Double]] {
        let d = log.contextDimension, p = d + 1
        var rowsByAction = [[Int]](repeating: [], count: log.actionIDs.count)  // candidate slots per action
        for i in 0..<log.count { for k in log.candidateRange(i) { rowsByAction[log.candidates[k]].append(k) } }
        var roundOfSlot = [Int](repeating: 0, count: log.candidates.count)
        for i in 0..<log.count { for k in log.candidateRange(i) { roundOfSlot[k] = i } }
        var result: [[Double]] = []
        for slots in rowsByAction {
            guard !slots.isEmpty else { result.append([Double](repeating: 0, count: p)); continue }
            var x = Matrix(rows: slots.count, columns: p)
            var y = Vector(count: slots.count)
            for (row, k) in slots.enumerated() {
                let i = roundOfSlot[k]
                x[row, 0] = 1
                for j in 0..<d { x[row, j + 1] = log.contexts[i * d + j] }
                let base = q?[k] ?? 0
                let chosen = k == log.candidateOffsets[i] + log.chosenPositions[i]
                y[row] = base + (chosen ? (log.rewards[i] - base) / log.propensities[i] : 0)
            }
            do {
                var gram = try x.gram()
                for j in 0..<p { gram[j, j] += configuration.ridge }
                let rhs = try x.multiplied(by: y, transposing: .transpose)
                result.append(try Cholesky(gram).solve(rhs).elements)
            } catch {
                throw .numerical(error.description)
            }
        }
        return result
    }
}
