import AttuneCore
import Bandits
import Linalg

/// Batch policy-gradient updates of a ``SoftmaxPolicy``: REINFORCE with a learned state-value
/// baseline, or the PPO clipped surrogate, with clipped importance weights for steps taken by
/// another policy.
///
/// Each ``update(_:on:using:)``:
/// 1. fits the baseline `V(x) = βᵀx` to the returns by ridge regression (when enabled);
/// 2. forms advantages `A = G − V(x)`, normalised to mean 0 and standard deviation 1 (when enabled);
/// 3. for each epoch, shuffles the steps (seeded) and for each minibatch ascends, with Adam
///    and the gradient's norm clipped, the surrogate
///
/// ```
/// ρ = π_θ(a|x) / μ(a|x)                                      (μ: behaviour probability)
/// REINFORCE:  L = mean( min(ρ, c) · A · log π_θ(a|x) ) + β · mean H(π_θ(·|x))
///             (∇L = mean( min(ρ, c) A ∇log π ) + β ∇H: the truncated-IS policy gradient)
/// PPO:        L = mean( min(ρ A, clip(ρ, 1 − ε, 1 + ε) A) ) + β · mean H(π_θ(·|x))
/// ```
/// On-policy data has `ρ = 1` at the first epoch, so REINFORCE is the plain likelihood-ratio gradient.
/// For slates of `K` items sampled from the softmax, the top-K correction multiplies each
/// REINFORCE term by `λ_K = K (1 − π_θ(a|x))^(K−1)`, the derivative of the probability that
/// `a` appears in the slate with respect to `π_θ(a|x)`.
/// Scores and score gradients of a minibatch go through the scorer's batched `gemm` passes.
///
/// ## References
/// Williams (1992), REINFORCE; Schulman et al., "Proximal Policy Optimization Algorithms",
/// arXiv:1707.06347 (2017); Ionides, "Truncated importance sampling", JCGS 17(2), 2008;
/// Chen et al., "Top-K off-policy correction for a REINFORCE recommender system", WSDM 2019.
public struct PolicyGradientLearner: Sendable {
    /// The surrogate objective.
    public enum Objective: String, Sendable, Equatable, Codable {
        /// Likelihood-ratio gradient with truncated importance weights.
        case reinforce
        /// PPO's clipped surrogate.
        case ppo
    }

    /// Hyper-parameters; the throwing `init` names the bad field.
    public struct Configuration: Sendable, Equatable, Codable {
        /// The surrogate.
        public var objective: Objective
        /// Adam step size.
        public var learningRate: Double
        /// Passes over each batch.
        public var epochs: Int
        /// Steps per gradient step.
        public var minibatchSize: Int
        /// Entropy bonus weight `β`.
        public var entropyBonus: Double
        /// Maximum Euclidean norm of a minibatch gradient.
        public var gradientClip: Double
        /// PPO clip range `ε`.
        public var ppoClip: Double
        /// Truncation `c` of importance weights (REINFORCE).
        public var importanceWeightCap: Double
        /// Whether advantages are normalised per batch.
        public var normalizeAdvantages: Bool
        /// Ridge of the baseline regression; `nil` uses the batch-mean return as the baseline.
        public var baselineRidge: Double?
        /// Slate size `K` of the top-K correction (1: none): the REINFORCE term of an item
        /// shown in a slate of `K` sampled items is multiplied by `K (1 − π(a|x))^(K−1)`.
        public var slateSize: Int

        /// Validated hyper-parameters.
        /// - Throws: `PolicyGradientError.invalidParameter` naming the bad field.
        public init(objective: Objective = .reinforce, learningRate: Double = 0.01, epochs: Int = 1, minibatchSize: Int = 256,
                    entropyBonus: Double = 0.01, gradientClip: Double = 1, ppoClip: Double = 0.2, importanceWeightCap: Double = 10,
                    normalizeAdvantages: Bool = true, baselineRidge: Double? = 1, slateSize: Int = 1) throws(PolicyGradientError) {
            guard learningRate.isFinite, learningRate > 0 else { throw .invalidParameter(field: "learning_rate", value: "\(learningRate)", expected: "a positive number") }
            guard epochs >= 1 else { throw .invalidParameter(field: "epochs", value: "\(epochs)", expected: "at least 1") }
            guard minibatchSize >= 1 else { throw .invalidParameter(field: "minibatch_size", value: "\(minibatchSize)", expected: "at least 1") }
            guard entropyBonus.isFinite, entropyBonus >= 0 else { throw .invalidParameter(field: "entropy_bonus", value: "\(entropyBonus)", expected: "a finite number ≥ 0") }
            guard gradientClip > 0 else { throw .invalidParameter(field: "gradient_clip", value: "\(gradientClip)", expected: "a positive number (use .infinity for none)") }
            guard ppoClip > 0, ppoClip < 1 else { throw .invalidParameter(field: "ppo_clip", value: "\(ppoClip)", expected: "a number in (0, 1)") }
            guard importanceWeightCap >= 1 else { throw .invalidParameter(field: "importance_weight_cap", value: "\(importanceWeightCap)", expected: "a number ≥ 1 (use .infinity for none)") }
            guard slateSize >= 1 else { throw .invalidParameter(field: "slate_size", value: "\(slateSize)", expected: "at least 1") }
            if let r = baselineRidge, !(r.isFinite && r > 0) { throw .invalidParameter(field: "baseline_ridge", value: "\(r)", expected: "a positive number, or none for a mean baseline") }
            self.objective = objective
            self.learningRate = learningRate
            self.epochs = epochs
            self.minibatchSize = minibatchSize
            self.entropyBonus = entropyBonus
            self.gradientClip = gradientClip
            self.ppoClip = ppoClip
            self.importanceWeightCap = importanceWeightCap
            self.normalizeAdvantages = normalizeAdvantages
            self.baselineRidge = baselineRidge
            self.slateSize = slateSize
        }
    }

    /// What one update did.
    public struct Report: Sendable, Equatable {
        /// Mean return of the batch.
        public var meanReturn: Double
        /// Mean entropy of the policy on the batch's steps (nats), at the last epoch.
        public var meanEntropy: Double
        /// Fraction of step terms PPO clipped (0 for REINFORCE), at the last epoch.
        public var clippedFraction: Double
        /// Fraction of importance weights truncated at the cap, at the last epoch.
        public var truncatedFraction: Double
        /// Largest minibatch gradient norm before clipping.
        public var maximumGradientNorm: Double
        /// Gradient steps taken.
        public var steps: Int
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// The baseline coefficients of the last update (empty before the first, or with a mean baseline).
    public private(set) var baseline: [Double] = []
    var optimizer: Adam?

    /// A learner.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// One update of `policy` on `batch` (see the type's documentation); the policy's model
    /// version advances by the number of gradient steps.
    /// - Throws: `PolicyGradientError.dimensionMismatch` when the batch's dimension or action
    ///   count differs from the policy's; `.invalidParameter` for an empty batch.
    /// - Complexity: O(epochs · n · cost of the scorer's batched passes) plus O(n d²) for the baseline.
    @discardableResult
    public mutating func update<S: DifferentiableScorer>(_ policy: inout SoftmaxPolicy<S>, on batch: TrajectoryBatch,
                                                         using generator: inout SeededGenerator) throws(PolicyGradientError) -> Report {
        try check(policy, batch)
        let advantages = try self.advantages(batch)
        if optimizer == nil || optimizer?.m.count != policy.scorer.parameters.count {
            optimizer = try Adam(count: policy.scorer.parameters.count, learningRate: configuration.learningRate)
        }
        var report = Report(meanReturn: batch.returns.reduce(0, +) / Double(batch.count), meanEntropy: 0,
                            clippedFraction: 0, truncatedFraction: 0, maximumGradientNorm: 0, steps: 0)
        var order = Array(0..<batch.count)
        var work = MinibatchWorkspace(dimension: batch.dimension, actionCount: batch.actionCount,
                                      parameterCount: policy.scorer.parameters.count, size: configuration.minibatchSize)
        for epoch in 0..<configuration.epochs {
            generator.shuffle(&order)
            var totals = MinibatchWorkspace.Totals()
            var start = 0
            while start < order.count {
                let end = min(start + configuration.minibatchSize, order.count)
                work.gradient(of: policy.scorer, batch: batch, rows: order[start..<end], advantages: advantages,
                              configuration: configuration, totals: &totals)
                let norm = Adam.clipNorm(&work.parameterGradient, to: configuration.gradientClip)
                report.maximumGradientNorm = max(report.maximumGradientNorm, norm)
                optimizer?.ascend(&policy.scorer.parameters, along: work.parameterGradient)
                policy.modelVersion += 1
                report.steps += 1
                start = end
            }
            if epoch == configuration.epochs - 1 {
                let n = Double(batch.count)
                report.meanEntropy = totals.entropy / n
                report.clippedFraction = Double(totals.clipped) / n
                report.truncatedFraction = Double(totals.truncated) / n
            }
        }
        return report
    }

    /// The surrogate's gradient at the policy's current parameters over the whole batch,
    /// without changing anything (advantages as in ``update(_:on:using:)``; no clipping of the norm).
    /// - Throws: as ``update(_:on:using:)``.
    public mutating func gradient<S: DifferentiableScorer>(of policy: SoftmaxPolicy<S>, on batch: TrajectoryBatch) throws(PolicyGradientError) -> [Double] {
        try check(policy, batch)
        let advantages = try self.advantages(batch)
        var work = MinibatchWorkspace(dimension: batch.dimension, actionCount: batch.actionCount,
                                      parameterCount: policy.scorer.parameters.count, size: batch.count)
        var totals = MinibatchWorkspace.Totals()
        work.gradient(of: policy.scorer, batch: batch, rows: Array(0..<batch.count)[...], advantages: advantages,
                      configuration: configuration, totals: &totals)
        return work.parameterGradient
    }

    func check<S: DifferentiableScorer>(_ policy: SoftmaxPolicy<S>, _ batch: TrajectoryBatch) throws(PolicyGradientError) {
        guard batch.count > 0 else { throw .invalidParameter(field: "batch", value: "0 steps", expected: "at least one step") }
        guard batch.dimension == policy.contextDimension else { throw .dimensionMismatch(field: "batch.features", expected: policy.contextDimension, actual: batch.dimension) }
        guard batch.actionCount == policy.catalog.count else { throw .dimensionMismatch(field: "batch.actions", expected: policy.catalog.count, actual: batch.actionCount) }
    }

    /// `A = G − V(x)`, normalised when configured; fits and stores the baseline.
    mutating func advantages(_ batch: TrajectoryBatch) throws(PolicyGradientError) -> [Double] {
        let n = batch.count, d = batch.dimension
        var a = batch.returns
        if let ridge = configuration.baselineRidge {
            baseline = try Self.fitBaseline(batch, ridge: ridge)
            for i in 0..<n {
                var v = 0.0
                for j in 0..<d { v += baseline[j] * batch.features[i * d + j] }
                a[i] -= v
            }
        } else {
            let mean = a.reduce(0, +) / Double(n)
            for i in 0..<n { a[i] -= mean }
        }
        if configuration.normalizeAdvantages, n > 1 {
            let mean = a.reduce(0, +) / Double(n)
            var s = 0.0
            for v in a { s += (v - mean) * (v - mean) }
            let sd = (s / Double(n - 1)).squareRoot()
            for i in 0..<n { a[i] = sd > 1e-12 ? (a[i] - mean) / sd : 0 }
        }
        return a
    }

    /// Ridge regression of the returns on the features: `β = (XᵀX + λI)⁻¹ Xᵀ G`.
    static func fitBaseline(_ batch: TrajectoryBatch, ridge: Double) throws(PolicyGradientError) -> [Double] {
        let n = batch.count, d = batch.dimension
        var gram = Matrix(rows: d, columns: d)
        var moment = Array(repeating: 0.0, count: d)
        batch.features.withUnsafeBufferPointer { x in
            gram.elements.withUnsafeMutableBufferPointer { g in
                BLAS.syrk(triangle: .upper, transpose: .transpose, n: d, k: n, a: x.baseAddress!, lda: d, beta: 0, c: g.baseAddress!, ldc: d)
            }
            batch.returns.withUnsafeBufferPointer { y in
                moment.withUnsafeMutableBufferPointer { m in
                    BLAS.gemv(transpose: .transpose, m: n, n: d, a: x.baseAddress!, lda: d, x: y.baseAddress!, beta: 0, y: m.baseAddress!)
                }
            }
        }
        gram.symmetrize(from: .upper)
        for j in 0..<d { gram[j, j] += ridge }
        do {
            let factor = try Cholesky(gram)
            try moment.withUnsafeMutableBufferPointer { m throws(LinalgError) in try factor.solve(m) }
        } catch {
            throw .invalidParameter(field: "baseline", value: "\(error)", expected: "a well-conditioned feature matrix (raise baseline_ridge)")
        }
        return moment
    }
}
