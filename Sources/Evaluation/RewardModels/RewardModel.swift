#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Dispatch
import Linalg

/// A per-action reward model over the context: one regression per action, with an intercept.
///
/// ```
/// ridge:     q̂(x, a) = θₐᵀ[1, x],          θₐ = (XₐᵀXₐ + λI)⁻¹ Xₐᵀ rₐ
/// logistic:  q̂(x, a) = σ(θₐᵀ[1, x]),       θₐ = argmin Σ logloss + (λ/2)‖θₐ‖²   (IRLS)
/// ```
/// where `Xₐ` holds the rounds that chose `a`. Logistic regression is fitted by iteratively
/// reweighted least squares: each Newton step is the weighted ridge regression
///
/// ```
/// pᵢ = σ(ηᵢ),  wᵢ = pᵢ(1 − pᵢ),  zᵢ = ηᵢ + (rᵢ − pᵢ)/wᵢ,   θ ← (XᵀWX + λI)⁻¹ XᵀW z
/// ```
/// solved by Cholesky through Linalg (normal equations folded in blocks by `dsyrk`). An action
/// with no training round predicts the training rounds' mean reward.
///
/// ## References
/// Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed., §3.4.1
/// (ridge) and §4.4.1 (IRLS).
public struct RewardModel: Sendable, Equatable {
    /// The regression family.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// Least squares with a ridge penalty: any finite rewards.
        case ridge
        /// Logistic regression with a ridge penalty: rewards in [0, 1] (clicks, conversions).
        case logistic
    }

    /// Hyper-parameters of the reward model and of its cross-fitting.
    public struct Configuration: Sendable, Equatable {
        /// The regression family.
        public var kind: Kind
        /// The ridge penalty `λ > 0` on every coefficient (the intercept included).
        public var ridge: Double
        /// The number of cross-fitting folds `K ≥ 1` (1: fit and predict on the same rounds).
        public var folds: Int
        /// The largest number of Newton steps of logistic regression.
        public var maxIterations: Int
        /// Stop Newton steps when no coefficient moves more than this.
        public var tolerance: Double
        /// Seed of the fold assignment.
        public var seed: UInt64

        /// Creates a configuration.
        /// - Throws: `EvaluationError.invalidParameter` naming the first bad field.
        public init(kind: Kind = .ridge, ridge: Double = 1, folds: Int = 5, maxIterations: Int = 25,
                    tolerance: Double = 1e-8, seed: UInt64 = 0) throws(EvaluationError) {
            guard ridge.isFinite, ridge > 0 else {
                throw .invalidParameter(field: "ridge", value: "\(ridge)", expected: "a finite number > 0")
            }
            guard folds >= 1, folds <= 100 else {
                throw .invalidParameter(field: "folds", value: "\(folds)", expected: "an integer in 1…100")
            }
            guard maxIterations >= 1 else {
                throw .invalidParameter(field: "max_iterations", value: "\(maxIterations)", expected: "an integer ≥ 1")
            }
            guard tolerance.isFinite, tolerance > 0 else {
                throw .invalidParameter(field: "tolerance", value: "\(tolerance)", expected: "a finite number > 0")
            }
            self.kind = kind
            self.ridge = ridge
            self.folds = folds
            self.maxIterations = maxIterations
            self.tolerance = tolerance
            self.seed = seed
        }
    }

    /// The family.
    public let kind: Kind
    /// Coefficients per global action index (`[intercept, θ₁…θ_d]`), empty for actions with
    /// no training round.
    public let coefficients: [[Double]]
    /// The prediction for actions with no training round: the training mean reward.
    public let fallback: Double

    /// The prediction `q̂(x, a)` for context `x` (length `d`) and global action `a`.
    /// - Complexity: O(d), no allocation.
    @inlinable
    public func predict(_ x: UnsafeBufferPointer<Double>, action a: Int) -> Double {
        guard a >= 0, a < coefficients.count, coefficients[a].count == x.count + 1 else { return fallback }
        return coefficients[a].withUnsafeBufferPointer { theta in
            var eta = theta[0]
            for j in 0..<x.count { eta += theta[j + 1] * x[j] }
            return kind == .logistic ? 1 / (1 + exp(-eta)) : eta
        }
    }
}

extension RewardModel {
    /// Fits the model on rounds `rows` of `log`.
    /// - Throws: `EvaluationError.invalidParameter` for logistic regression on rewards outside
    ///   [0, 1]; `.numerical` when a normal-equation system cannot be solved.
    /// - Complexity: O(|rows| · d²) for ridge, times the Newton steps for logistic.
    public static func fit(log: DecisionLog, rows: [Int], configuration: Configuration) throws(EvaluationError) -> RewardModel {
        try fit(log: log, rows: rows, configuration: configuration, start: nil)
    }

    /// ``fit(log:rows:configuration:)`` with Newton steps started from `start`'s coefficients
    /// (cross-fitting warm-starts each fold from the previous one: same optimum, fewer steps).
    static func fit(log: DecisionLog, rows: [Int], configuration: Configuration, start: RewardModel?) throws(EvaluationError) -> RewardModel {
        let d = log.contextDimension
        let actionCount = log.actionIDs.count
        var byAction = [[Int]](repeating: [], count: actionCount)
        var sum = 0.0
        for i in rows { byAction[log.chosenAction(i)].append(i); sum += log.rewards[i] }
        let fallback = rows.isEmpty ? 0 : sum / Double(rows.count)
        if configuration.kind == .logistic {
            for i in rows where !(0...1).contains(log.rewards[i]) {
                throw .invalidParameter(field: "reward (line \(log.lineNumbers[i]))", value: "\(log.rewards[i])",
                                        expected: "a reward in [0, 1] for the logistic reward model; use the ridge model for other rewards")
            }
        }
        var coefficients = [[Double]](repeating: [], count: actionCount)
        if configuration.kind == .logistic {
            // Actions are independent problems: fit them on all cores, each writing its own slot.
            var results = [Result<[Double], EvaluationError>](repeating: .success([]), count: actionCount)
            let byAction = byAction
            results.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                DispatchQueue.concurrentPerform(iterations: actionCount) { a in
                    guard !byAction[a].isEmpty else { return }
                    let initial = start.flatMap { a < $0.coefficients.count && $0.coefficients[a].count == d + 1 ? $0.coefficients[a] : nil }
                    let problem = LogisticProblem(log: log, rows: byAction[a])
                    do throws(EvaluationError) {
                        out[a] = .success(try problem.fit(ridge: configuration.ridge, maxIterations: configuration.maxIterations,
                                                          tolerance: configuration.tolerance, start: initial))
                    } catch {
                        out[a] = .failure(error)
                    }
                }
            }
            for a in 0..<actionCount { coefficients[a] = try results[a].get() }
            return RewardModel(kind: configuration.kind, coefficients: coefficients, fallback: fallback)
        }
        var x = [Double](repeating: 1, count: d + 1)
        for a in 0..<actionCount where !byAction[a].isEmpty {
            switch configuration.kind {
            case .ridge:
                var equations = NormalEquations(dimension: d + 1)
                for i in byAction[a] {
                    for j in 0..<d { x[j + 1] = log.contexts[i * d + j] }
                    x.withUnsafeBufferPointer { equations.add($0, target: log.rewards[i], weight: 1) }
                }
                coefficients[a] = try equations.solve(ridge: configuration.ridge)
            case .logistic:
                break  // fitted above
            }
        }
        return RewardModel(kind: configuration.kind, coefficients: coefficients, fallback: fallback)
    }
}
