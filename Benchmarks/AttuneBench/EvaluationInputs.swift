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

    /// The true target value by Monte Carlo over `contexts` fresh contexts, with its standard
    /// error (16 seeded streams, on all cores).
    func trueTargetValue(contexts: Int, seed: UInt64) -> (value: Double, standardError: Double) {
        let streams = 16
        var sums = [Double](repeating: 0, count: 2 * streams)
        sums.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: streams) { k in
                var g = SeededGenerator(seed: seed).child(UInt64(k))
                var x = [Double](repeating: 0, count: dimension)
                var means = [Double](repeating: 0, count: actions), logging = means, target = means
                var sum = 0.0, squares = 0.0
                for _ in 0..<(contexts / streams) {
                    for j in 0..<dimension { x[j] = g.nextStandardNormal() }
                    distributions(x, means: &means, logging: &logging, target: &target)
                    var v = 0.0
                    for a in 0..<actions { v += target[a] * means[a] }
                    sum += v
                    squares += v * v
                }
                out[2 * k] = sum
                out[2 * k + 1] = squares
            }
        }
        let m = Double(contexts / streams * streams)
        let sum = stride(from: 0, to: 2 * streams, by: 2).reduce(0.0) { $0 + sums[$1] }
        let squares = stride(from: 1, to: 2 * streams, by: 2).reduce(0.0) { $0 + sums[$1] }
        let mean = sum / m
        return (mean, ((squares / m - mean * mean) / m).squareRoot())
    }

    /// The exact mean reward `μ(xᵢ, a)` of every candidate of every round of `log` (as read
    /// back from a file), aligned with `log.candidates`: for measuring, never for fitting.
    func exactMeans(for log: DecisionLog) -> [Double] {
        var x = [Double](repeating: 0, count: dimension)
        var means = [Double](repeating: 0, count: actions), logging = means, target = means
        var result = [Double](repeating: 0, count: log.candidates.count)
        for i in 0..<log.count {
            for j in 0..<dimension { x[j] = log.contexts[i * dimension + j] }
            distributions(x, means: &means, logging: &logging, target: &target)
            for c in log.candidateRange(i) { result[c] = means[Int(log.actionIDs[log.candidates[c]]) ?? 0] }
        }
        return result
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
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        var scratch = [CChar](repeating: 0, count: 64)
        var line = 0
        // Nine significant digits, as loggers typically write (probabilities still sum to 1
        // within 1e-8, far inside the reader's 1e-6 check); printf's `%.9g` straight into the
        // buffer (String(format:) costs microseconds a number).
        func number(_ v: Double) {
            let length = scratch.withUnsafeMutableBufferPointer { b in
                withVaList([v]) { vsnprintf(b.baseAddress!, 64, "%.9g", $0) }
            }
            scratch.withUnsafeBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: 64) { buffer.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length))) }
            }
        }
        func text(_ s: String) { buffer.append(contentsOf: s.utf8) }
        func numbers(_ v: [Double]) {
            for (k, x) in v.enumerated() {
                if k > 0 { buffer.append(UInt8(ascii: ",")) }
                number(x)
            }
        }
        do {
            try forEachRound(rounds: rounds, seed: seed) { x, a, p, r, logging, target in
                text(#"{"event_id":"e\#(line)","context":["#)
                numbers(x)
                text(#"],"action":\#(a),"propensity":"#)
                number(p)
                text(#","probabilities":["#)
                numbers(logging)
                text(#"],"reward":\#(r),"target_probabilities":["#)
                numbers(target)
                text("]}\n")
                line += 1
                if buffer.count > 1 << 20 { try handle.write(contentsOf: Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            }
            try handle.write(contentsOf: Data(buffer))
        } catch {
            throw .io(path: url.path, reason: "could not write: \(error.localizedDescription)")
        }
    }
}
