import AttuneCore
@testable import Evaluation

/// A small logging setup whose true target value is known exactly: contexts drawn from a
/// finite set, Bernoulli rewards with known means, known logging and target distributions.
struct SyntheticSetup {
    /// Context vectors (one per context type).
    var contexts: [[Double]]
    /// Probability of each context type.
    var contextProbabilities: [Double]
    /// Mean reward per (context type, action).
    var means: [[Double]]
    /// Logging distribution per context type.
    var logging: [[Double]]
    /// Target distribution per context type.
    var target: [[Double]]

    /// Three context types, three actions; the target prefers what pays in each context.
    static let standard = SyntheticSetup(
        contexts: [[1, 0], [0, 1], [1, 1]],
        contextProbabilities: [0.5, 0.3, 0.2],
        means: [[0.2, 0.5, 0.7], [0.6, 0.3, 0.1], [0.4, 0.8, 0.3]],
        logging: [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [1.0 / 3, 1.0 / 3, 1.0 / 3]],
        target: [[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])

    /// `V(π) = Σₓ P(x) Σₐ π(a|x) μ(x, a)`, exactly.
    var trueTargetValue: Double { value(of: target) }

    /// The value of any per-context-type policy.
    func value(of policy: [[Double]]) -> Double {
        var v = 0.0
        for x in 0..<contexts.count {
            for a in 0..<means[x].count { v += contextProbabilities[x] * policy[x][a] * means[x][a] }
        }
        return v
    }

    /// A seeded log of `n` rounds carrying logging and target probabilities (optionally
    /// another target per context type).
    func log(rounds n: Int, seed: UInt64, target other: [[Double]]? = nil) throws -> DecisionLog {
        var g = SeededGenerator(seed: seed)
        let policy = other ?? target
        var builder = DecisionLog.Builder(source: "synthetic")
        for line in 1...n {
            let x = try g.nextCategorical(weights: contextProbabilities)
            let a = try g.nextCategorical(weights: logging[x])
            let r: Double = g.nextUniform() < means[x][a] ? 1 : 0
            try builder.append(
                LoggedRound(context: contexts[x], action: .index(a), propensity: logging[x][a], reward: r,
                            probabilities: logging[x], targetProbabilities: policy[x]),
                line: line)
        }
        return try builder.finish()
    }

    /// The exact mean reward per candidate of every round of `log` (a perfect reward model).
    func perfectPredictions(for log: DecisionLog) -> [Double] {
        var q: [Double] = []
        for i in 0..<log.count {
            let x = contexts.firstIndex(of: Array(log.contexts[(i * 2)..<(i * 2 + 2)])) ?? 0
            q.append(contentsOf: means[x])
        }
        return q
    }
}
