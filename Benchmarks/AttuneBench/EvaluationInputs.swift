import AttuneCore
import Evaluation
import Foundation

/// A seeded linear-contextual logging setup with a known target value.
///
/// ```
/// x ~ N(0, I_d),   μ(x, a) = σ(θₐᵀx + bₐ),   r ~ Bernoulli(μ(x, a))
/// logging:  π₀(a|x) = 0.8 softmax(θᵀx + b)ₐ + 0.2 / K
/// target:   π(a|x) = 0.9 · 1{a = argmax (θ + Δ)ᵀx + b} + 0.1 / K     (Δ a fixed perturbation)
/// ```
/// The true target value `E_x Σₐ π(a|x) μ(x, a)` is computed by Monte Carlo over fresh
/// contexts with the exact per-context expectation (no reward noise).
struct LinearContextualSetup: Sendable {
    let dimension: Int
    let actions: Int
    let theta: [[Double]]
    let targetTheta: [[Double]]
    let bias: [Double]

    init(dimension: Int, actions: Int, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let scale = 1 / Double(dimension).squareRoot()
        var theta: [[Double]] = [], target: [[Double]] = [], bias: [Double] = []
        for _ in 0..<actions {
            let row = (0..<dimension).map { _ in g.nextStandardNormal() * scale }
            theta.append(row)
            target.append(row.map { $0 + g.nextStandardNormal() * scale * 0.7 })
            bias.append(-0.5 + 0.3 * g.nextStandardNormal())
        }
        self.dimension = dimension
        self.actions = actions
        self.theta = theta
        self.targetTheta = target
        self.bias = bias
    }

    /// Fills the expected rewards, logging and target distributions for context `x`.
    func distributions(_ x: [Double], means: inout [Double], logging: inout [Double], target: inout [Double]) {
        var best = 0, bestScore = -Double.infinity, maxLogit = -Double.infinity
        for a in 0..<actions {
            var s = bias[a], t = bias[a]
            for j in 0..<dimension { s += theta[a][j] * x[j]; t += targetTheta[a][j] * x[j] }
            means[a] = 1 / (1 + exp(-s))
            logging[a] = s
            maxLogit = max(maxLogit, s)
            if t > bestScore { bestScore = t; best = a }
        }
        var total = 0.0
        for a in 0..<actions { logging[a] = exp(logging[a] - maxLogit); total += logging[a] }
        for a in 0..<actions {
            logging[a] = 0.8 * logging[a] / total + 0.2 / Double(actions)
            target[a] = (a == best ? 0.9 : 0) + 0.1 / Double(actions)
        }
    }

    /// The true target value by Monte Carlo over `contexts` fresh contexts, with its standard error.
    func trueTargetValue(contexts: Int, seed: UInt64) -> (value: Double, standardError: Double) {
        var g = SeededGenerator(seed: seed)
        var x = [Double](repeating: 0, count: dimension)
        var means = [Double](repeating: 0, count: actions), logging = means, target = means
        var sum = 0.0, squares = 0.0
        for _ in 0..<contexts {
            for j in 0..<dimension { x[j] = g.nextStandardNormal() }
            distributions(x, means: &means, logging: &logging, target: &target)
            var v = 0.0
            for a in 0..<actions { v += target[a] * means[a] }
            sum += v
            squares += v * v
        }
        let mean = sum / Double(contexts)
        return (mean, ((squares / Double(contexts) - mean * mean) / Double(contexts)).squareRoot())
    }

    /// Calls `body(x, action, propensity, reward, logging, target)` for `rounds` seeded rounds.
    func forEachRound(rounds: Int, seed: UInt64, _ body: ([Double], Int, Double, Double, [Double], [Double]) throws -> Void) rethrows {
        var g = SeededGenerator(seed: seed)
        var x = [Double](repeating: 0, count: dimension)
        var means = [Double](repeating: 0, count: actions), logging = means, target = means
        for _ in 0..<rounds {
            for j in 0..<dimension { x[j] = g.nextStandardNormal() }
            distributions(x, means: &means, logging: &logging, target: &target)
            let u = g.nextUniform()
            var a = 0, cumulative = logging[0]
            while u >= cumulative, a < actions - 1 { a += 1; cumulative += logging[a] }
            let reward: Double = g.nextUniform() < means[a] ? 1 : 0
            try body(x, a, logging[a], reward, logging, target)
        }
    }

    /// A log held in memory.
    func log(rounds: Int, seed: UInt64) throws -> DecisionLog {
        var builder = DecisionLog.Builder(source: "linear-contextual")
        var line = 0
        try forEachRound(rounds: rounds, seed: seed) { x, a, p, r, logging, target in
            line += 1
            try builder.append(LoggedRound(context: x, action: .index(a), propensity: p, reward: r,
                                           probabilities: logging, targetProbabilities: target), line: line)
        }
        return try builder.finish()
    }

    /// The same rounds written as Attune JSON Lines (numbers with 9 significant digits).
    func writeLog(rounds: Int, seed: UInt64, to url: URL) throws(BenchError) {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: url) else {
            throw .io(path: url.path, reason: "could not open for writing")
        }
        defer { try? handle.close() }
        var buffer = ""
        var line = 0
        // Nine significant digits, as loggers typically write (probabilities still sum to 1
        // within 1e-8, far inside the reader's 1e-6 check).
        func numbers(_ v: [Double]) -> String { v.map { String(format: "%.9g", $0) }.joined(separator: ",") }
        do {
            try forEachRound(rounds: rounds, seed: seed) { x, a, p, r, logging, target in
                buffer += #"{"event_id":"e\#(line)","context":[\#(numbers(x))],"action":\#(a),"propensity":\#(String(format: "%.9g", p)),"probabilities":[\#(numbers(logging))],"reward":\#(r),"target_probabilities":[\#(numbers(target))]}"#
                buffer += "\n"
                line += 1
                if buffer.utf8.count > 1 << 20 { try handle.write(contentsOf: Data(buffer.utf8)); buffer = "" }
            }
            try handle.write(contentsOf: Data(buffer.utf8))
        } catch {
            throw .io(path: url.path, reason: "could not write: \(error.localizedDescription)")
        }
    }
}
