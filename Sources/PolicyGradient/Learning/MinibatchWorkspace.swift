#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffers of one minibatch gradient: gathered features, scores, score gradients and the
/// parameter gradient; sized once per update so the inner loop allocates nothing.
struct MinibatchWorkspace {
    struct Totals {
        var entropy = 0.0
        var clipped = 0
        var truncated = 0
    }

    let dimension: Int
    let actionCount: Int
    var features: [Double]
    var scores: [Double]
    var scoreGradient: [Double]
    var parameterGradient: [Double]
    var scorerWorkspace = ScorerWorkspace()

    init(dimension: Int, actionCount: Int, parameterCount: Int, size: Int) {
        self.dimension = dimension
        self.actionCount = actionCount
        features = Array(repeating: 0, count: size * dimension)
        scores = Array(repeating: 0, count: size * actionCount)
        scoreGradient = Array(repeating: 0, count: size * actionCount)
        parameterGradient = Array(repeating: 0, count: parameterCount)
    }

    /// The mean surrogate gradient over `rows` of `batch` into ``parameterGradient``.
    mutating func gradient<S: DifferentiableScorer>(of scorer: S, batch: TrajectoryBatch, rows: ArraySlice<Int>, advantages: [Double],
                                                    configuration: PolicyGradientLearner.Configuration, totals: inout Totals) {
        let d = dimension, k = actionCount, n = rows.count
        for (r, i) in rows.enumerated() {
            for j in 0..<d { features[r * d + j] = batch.features[i * d + j] }
        }
        features.withUnsafeBufferPointer { x in
            scores.withUnsafeMutableBufferPointer { s in
                scorer.scores(x, rows: n, into: s, workspace: &scorerWorkspace)
            }
        }
        let ppo = configuration.objective == .ppo
        let lower = 1 - configuration.ppoClip, upper = 1 + configuration.ppoClip
        let cap = configuration.importanceWeightCap, slate = configuration.slateSize
        let entropyWeight = configuration.entropyBonus / Double(n)
        var entropy = 0.0, clipped = 0, truncated = 0
        // Unsafe buffers: the per-row loop runs for every step of every epoch, and indexing the
        // arrays through `self` paid a bounds and uniqueness check per element.
        batch.candidateMask.withUnsafeBufferPointer { mask in
        batch.actions.withUnsafeBufferPointer { actions in
        batch.behaviourProbabilities.withUnsafeBufferPointer { behaviour in
        advantages.withUnsafeBufferPointer { advantageOf in
        scores.withUnsafeBufferPointer { score in
        scoreGradient.withUnsafeMutableBufferPointer { g in
            for (r, i) in rows.enumerated() {
                let row = r * k, maskRow = i * k
                // Masked softmax of row r: probabilities into g, log-probabilities from the scores
                // (log p = s − max − log Σ), so no logarithm per action.
                var top = -Double.infinity
                for c in 0..<k where mask[maskRow + c] > 0 { top = max(top, score[row + c]) }
                var sum = 0.0
                for c in 0..<k {
                    let e = mask[maskRow + c] > 0 ? exp(score[row + c] - top) : 0
                    g[row + c] = e
                    sum += e
                }
                let logSum = log(sum), inverse = 1 / sum
                var h = 0.0
                for c in 0..<k where mask[maskRow + c] > 0 {
                    let p = g[row + c] * inverse
                    g[row + c] = p
                    if p > 0 { h -= p * (score[row + c] - top - logSum) }
                }
                entropy += h
                let a = actions[i]
                let pa = g[row + a]
                let ratio = pa / behaviour[i]
                let advantage = advantageOf[i]
                var coefficient: Double
                if ppo {
                    let clippedAway = (advantage > 0 && ratio > upper) || (advantage < 0 && ratio < lower)
                    if clippedAway { clipped += 1 }
                    // d/dθ of ρ·A is ρ·A·∇log π; the clipped branch has zero gradient.
                    coefficient = clippedAway ? 0 : ratio * advantage
                } else {
                    let w = min(ratio, cap)
                    if ratio > cap { truncated += 1 }
                    coefficient = w * advantage
                    if slate > 1 {
                        let size = Double(slate)
                        coefficient *= size * pow(1 - pa, size - 1)
                    }
                }
                coefficient /= Double(n)
                for c in 0..<k {
                    let p = g[row + c]
                    var value = coefficient * ((c == a ? 1 : 0) - p)
                    if p > 0, entropyWeight != 0 { value -= entropyWeight * p * ((score[row + c] - top - logSum) + h) }
                    g[row + c] = value
                }
            }
        }
        }
        }
        }
        }
        }
        totals.entropy += entropy
        totals.clipped += clipped
        totals.truncated += truncated
        for j in 0..<parameterGradient.count { parameterGradient[j] = 0 }
        features.withUnsafeBufferPointer { x in
            scoreGradient.withUnsafeBufferPointer { g in
                parameterGradient.withUnsafeMutableBufferPointer { out in
                    scorer.accumulateGradient(x, rows: n, scoreGradient: g, into: out, workspace: &scorerWorkspace)
                }
            }
        }
    }
}
