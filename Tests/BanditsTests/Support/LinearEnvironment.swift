import AttuneCore
import Bandits

/// A seeded linear bandit: standard-normal contexts with an intercept, mean reward
/// `θ_kᵀx` per action, Gaussian noise. Knows the optimal action, so regret is exact.
struct LinearEnvironment {
    let dimension: Int
    let actionCount: Int
    var coefficients: [[Double]]
    let noise: Double

    init(dimension: Int, actionCount: Int, noise: Double = 0.1, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        self.dimension = dimension
        self.actionCount = actionCount
        self.noise = noise
        coefficients = (0..<actionCount).map { _ in (0..<dimension).map { _ in rng.nextStandardNormal() / Double(dimension).squareRoot() } }
    }

    func context(_ rng: inout SeededGenerator) -> Context {
        var x = (0..<dimension - 1).map { _ in rng.nextStandardNormal() }
        x.append(1)
        return Context(features: x)
    }

    func mean(_ context: Context, _ action: Int) -> Double {
        zip(context.features, coefficients[action]).reduce(0) { $0 + $1.0 * $1.1 }
    }

    func best(_ context: Context) -> Double {
        (0..<actionCount).map { mean(context, $0) }.max() ?? 0
    }

    /// Cumulative expected regret of `policy` over `rounds` rounds (learning from noisy rewards).
    func regret<P: Policy>(of policy: inout P, rounds: Int, seed: UInt64, from start: Int = 0) throws -> Double {
        var rng = SeededGenerator(seed: seed)
        var total = 0.0
        var decision = Decision()
        let all = Array(0..<actionCount)
        for t in 0..<rounds {
            let context = self.context(&rng)
            try policy.decide(for: context, among: all, using: &rng, into: &decision)
            let expected = mean(context, decision.action)
            if t >= start { total += best(context) - expected }
            let reward = expected + noise * rng.nextStandardNormal()
            try policy.learn(from: Interaction(context: context, decision: decision, reward: reward))
        }
        return total
    }

    /// Expected cumulative regret of choosing uniformly at random, on the same contexts.
    func uniformRegret(rounds: Int, seed: UInt64) -> Double {
        var rng = SeededGenerator(seed: seed)
        var total = 0.0
        for _ in 0..<rounds {
            let context = self.context(&rng)
            let average = (0..<actionCount).map { mean(context, $0) }.reduce(0, +) / Double(actionCount)
            total += best(context) - average
        }
        return total
    }
}

/// Solves `M y = v` by Gaussian elimination with partial pivoting (test reference).
func naiveSolve(_ m: [[Double]], _ v: [Double]) -> [Double] {
    var a = m
    var b = v
    let n = v.count
    for col in 0..<n {
        let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) } ?? col
        a.swapAt(col, pivot)
        b.swapAt(col, pivot)
        for row in (col + 1)..<n {
            let f = a[row][col] / a[col][col]
            for k in col..<n { a[row][k] -= f * a[col][k] }
            b[row] -= f * b[col]
        }
    }
    var y = Array(repeating: 0.0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
        var s = b[row]
        for k in (row + 1)..<n { s -= a[row][k] * y[k] }
        y[row] = s / a[row][row]
    }
    return y
}
