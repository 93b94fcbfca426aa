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
        let beta = configuration.entropyBonus
        for (r, i) in rows.enumerated() {
            // Masked softmax of row r, in place in `scoreGradient` as probabilities first.
            var top = -Double.infinity
            for c in 0..<k where batch.candidateMask[i * k + c] > 0 { top = max(top, scores[r * k + c]) }
            var sum = 0.0
            for c in 0..<k {
                let e = batch.candidateMask[i * k + c] > 0 ? exp(scores[r * k + c] - top) : 0
                scoreGradient[r * k + c] = e
                sum += e
            }
            var h = 0.0
            for c in 0..<k {
                let p = scoreGradient[r * k + c] / sum
                scoreGradient[r * k + c] = p
                if p > 0 { h -= p * log(p) }
            }
            totals.entropy += h
            let a = batch.actions[i]
            let ratio = scoreGradient[r * k + a] / batch.behaviourProbabilities[i]
            let advantage = advantages[i]
            var coefficient: Double
            if ppo {
                let clippedAway = (advantage > 0 && ratio > upper) || (advantage < 0 && ratio < lower)
                if clippedAway { totals.clipped += 1 }
                // d/dθ of ρ·A is ρ·A·∇log π; the clipped branch has zero gradient.
                coefficient = clippedAway ? 0 : ratio * advantage
            } else {
                let w = min(ratio, configuration.importanceWeightCap)
                if ratio > configuration.importanceWeightCap { totals.truncated += 1 }
                coefficient = w * advantage
                if configuration.slateSize > 1 {
                    let k = Double(configuration.slateSize)
                    coefficient *= k * pow(1 - scoreGradient[r * actionCount + a], k - 1)
                }
            }
            coefficient /= Double(n)
            let entropyWeight = beta / Double(n)
            for c in 0..<k {
                let p = scoreGradient[r * k + c]
                var g = coefficient * ((c == a ? 1 : 0) - p)
                if p > 0, entropyWeight != 0 { g -= entropyWeight * p * (log(p) + h) }
                scoreGradient[r * k + c] = g
            }
        }
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
