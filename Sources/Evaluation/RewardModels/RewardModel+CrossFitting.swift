#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Dispatch
import Linalg

/// Reward-model predictions for every candidate of every round, each made by a model that
/// did not see that round (K-fold cross-fitting), with the model's held-out error.
public struct CrossFittedPredictions: Sendable, Equatable {
    /// `q̂(xᵢ, a)` aligned with `log.candidates`.
    public var predictions: [Double]
    /// Mean over rounds of `(q̂(xᵢ, aᵢ) − rᵢ)²`, each round predicted by the model of the
    /// other folds.
    public var heldOutMeanSquaredError: Double
    /// The same error for a constant prediction (the other folds' mean reward): the model
    /// helps when it is below this.
    public var baselineMeanSquaredError: Double
    /// Mean held-out log loss (logistic models only; probabilities clamped to [1e-12, 1 − 1e-12]).
    public var heldOutLogLoss: Double?
    /// The fitted model of each fold (the model that predicts that fold's rounds).
    public var models: [RewardModel]
    /// The fold of each round.
    public var folds: [Int]
}

extension RewardModel {
    /// Cross-fits per-action reward models on `log` and predicts every candidate of every round.
    ///
    /// Rounds are split into `K` folds by a seeded shuffle; the model predicting fold `k` is
    /// fitted on the other folds, so DR's correction term stays unbiased by the model's
    /// over-fitting (with `K = 1` the model predicts the rounds it was fitted on). Ridge models
    /// are fitted once per fold and merged (the normal equations are additive), so their cost
    /// does not grow with `K`.
    /// - Throws: as ``fit(log:rows:configuration:)``.
    /// - Complexity: ridge O(n d² + K² A d³); logistic O(iterations · K · n d²).
    ///
    /// ## References
    /// Chernozhukov et al., "Double/debiased machine learning for treatment and structural
    /// parameters", Econometrics Journal 2018 (cross-fitting).
    public static func crossFit(log: DecisionLog, configuration: Configuration) throws(EvaluationError) -> CrossFittedPredictions {
        let n = log.count, d = log.contextDimension
        let k = min(configuration.folds, max(n, 1))
        var fold = [Int](repeating: 0, count: n)
        if k > 1 {
            var order = Array(0..<n)
            var generator = SeededGenerator(seed: configuration.seed)
            generator.shuffle(&order)
            for (j, i) in order.enumerated() { fold[i] = j % k }
        }
        var models: [RewardModel] = []
        if k == 1 {
            models = [try fit(log: log, rows: Array(0..<n), configuration: configuration)]
        } else if configuration.kind == .ridge {
            models = try mergedRidgeModels(log: log, fold: fold, folds: k, configuration: configuration)
        } else {
            models = try logisticFoldModels(log: log, fold: fold, folds: k, configuration: configuration)
        }

        var predictions = [Double](repeating: 0, count: log.candidates.count)
        var squared = 0.0, baseline = 0.0, logLoss = 0.0
        log.contexts.withUnsafeBufferPointer { contexts in
            for i in 0..<n {
                let model = models[fold[i]]
                let x = UnsafeBufferPointer(rebasing: contexts[(i * d)..<((i + 1) * d)])
                for c in log.candidateRange(i) { predictions[c] = model.predict(x, action: log.candidates[c]) }
                let q = predictions[log.candidateOffsets[i] + log.chosenPositions[i]]
                let r = log.rewards[i]
                squared += (q - r) * (q - r)
                baseline += (model.fallback - r) * (model.fallback - r)
                let p = min(max(q, 1e-12), 1 - 1e-12)
                logLoss -= r * naturalLog(p) + (1 - r) * naturalLog(1 - p)
            }
        }
        let m = Double(max(n, 1))
        return CrossFittedPredictions(
            predictions: predictions, heldOutMeanSquaredError: squared / m, baselineMeanSquaredError: baseline / m,
            heldOutLogLoss: configuration.kind == .logistic ? logLoss / m : nil, models: models, folds: fold)
    }

    /// Logistic models for each held-out fold. Each action's rows are packed once, sorted by
    /// fold, so that a fold's training rows are the ranges of the other folds; actions are
    /// fitted on all cores, each fold warm-started from the action's previous fold (same
    /// optimum, fewer Newton steps). The same models as ``fit(log:rows:configuration:)`` on
    /// each fold's training rows, up to the Newton tolerance.
    private static func logisticFoldModels(
        log: DecisionLog, fold: [Int], folds k: Int, configuration: Configuration
    ) throws(EvaluationError) -> [RewardModel] {
        let n = log.count, actions = log.actionIDs.count
        // The first reward outside [0, 1] in the order the per-fold fits would meet it.
        let bad = (0..<n).first { fold[$0] != 0 && !(0...1).contains(log.rewards[$0]) }
            ?? (0..<n).first { !(0...1).contains(log.rewards[$0]) }
        if let i = bad {
            throw .invalidParameter(field: "reward (line \(log.lineNumbers[i]))", value: "\(log.rewards[i])",
                                    expected: "a reward in [0, 1] for the logistic reward model; use the ridge model for other rewards")
        }
        var byAction = [[Int]](repeating: [], count: actions)
        var bounds = [[Int]](repeating: [0], count: actions)  // start of each fold's rows, then the end
        var fallbacks: [Double] = []
        for f in 0..<k {
            for i in 0..<n where fold[i] == f { byAction[log.chosenAction(i)].append(i) }
            for a in 0..<actions { bounds[a].append(byAction[a].count) }
            var sum = 0.0, count = 0
            for i in 0..<n where fold[i] != f { sum += log.rewards[i]; count += 1 }
            fallbacks.append(count == 0 ? 0 : sum / Double(count))
        }
        var results = [Result<[[Double]], EvaluationError>](repeating: .success([]), count: actions)
        let rowsByAction = byAction, foldBounds = bounds
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: actions) { a in
                let rows = rowsByAction[a]
                var coefficients = [[Double]](repeating: [], count: k)
                guard !rows.isEmpty else { out[a] = .success(coefficients); return }
                let problem = LogisticProblem(log: log, rows: rows)
                var previous: [Double]?
                do throws(EvaluationError) {
                    for f in 0..<k {
                        let ranges = [0..<foldBounds[a][f], foldBounds[a][f + 1]..<rows.count].filter { !$0.isEmpty }
                        guard !ranges.isEmpty else { continue }  // no training round: the fallback
                        let theta = try problem.fit(ridge: configuration.ridge, maxIterations: configuration.maxIterations,
                                                    tolerance: configuration.tolerance, start: previous, ranges: ranges)
                        coefficients[f] = theta
                        previous = theta
                    }
                    out[a] = .success(coefficients)
                } catch {
                    out[a] = .failure(error)
                }
            }
        }
        var perAction: [[[Double]]] = []
        for a in 0..<actions { perAction.append(try results[a].get()) }
        return (0..<k).map { f in
            RewardModel(kind: .logistic, coefficients: (0..<actions).map { perAction[$0][f] }, fallback: fallbacks[f])
        }
    }

    /// Ridge models for each held-out fold from per-fold normal equations summed over the other folds.
    private static func mergedRidgeModels(
        log: DecisionLog, fold: [Int], folds k: Int, configuration: Configuration
    ) throws(EvaluationError) -> [RewardModel] {
        let d = log.contextDimension, actions = log.actionIDs.count
        var statistics: [[NormalEquations?]] = Array(repeating: Array(repeating: nil, count: actions), count: k)
        var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
        var x = [Double](repeating: 1, count: d + 1)
        for i in 0..<log.count {
            let f = fold[i], a = log.chosenAction(i)
            for j in 0..<d { x[j + 1] = log.contexts[i * d + j] }
            var equations = statistics[f][a] ?? NormalEquations(dimension: d + 1)
            statistics[f][a] = nil  // keep `equations` uniquely referenced so adding does not copy
            x.withUnsafeBufferPointer { equations.add($0, target: log.rewards[i], weight: 1) }
            statistics[f][a] = equations
            sums[f] += log.rewards[i]
            counts[f] += 1
        }
        var models: [RewardModel] = []
        let totalSum = sums.reduce(0, +), totalCount = counts.reduce(0, +)
        for held in 0..<k {
            var coefficients = [[Double]](repeating: [], count: actions)
            for a in 0..<actions {
                var merged: NormalEquations?
                for f in 0..<k where f != held {
                    guard let s = statistics[f][a] else { continue }
                    if var m = merged { m.merge(s); merged = m } else { merged = s }
                }
                guard let m = merged else { continue }
                coefficients[a] = try m.solve(ridge: configuration.ridge)
            }
            let trainingCount = totalCount - counts[held]
            let fallback = trainingCount > 0 ? (totalSum - sums[held]) / Double(trainingCount) : 0
            models.append(RewardModel(kind: .ridge, coefficients: coefficients, fallback: fallback))
        }
        return models
    }
}

/// The natural logarithm (a free function, so it is not shadowed by a parameter named `log`).
@inline(__always) func naturalLog(_ x: Double) -> Double { log(x) }
