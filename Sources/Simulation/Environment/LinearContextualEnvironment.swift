#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits

/// The textbook linear contextual bandit: x ~ N(0, I_d) each round, rewards linear (Gaussian)
/// or logistic (Bernoulli) in x with one parameter vector per action.
///
/// ```
/// z_k = θ_k·x + b_k
/// E[r | x, k] = σ(z_k)   (bernoulli_logistic)     or     z_k   (gaussian)
/// ```
/// Every round draws exactly d normals (``ZigguratNormal``) from the context stream and one
/// uniform (Bernoulli) or one normal (Gaussian) from the reward stream, whatever the action: with the same seeds every
/// policy sees the same contexts and the same noise, and the reward of a fixed action is the
/// same function of the round for every policy.
///
/// - Complexity: O(K·d) per round (all K scores are computed once, for the exact regret
///   `max_k E[r|x,k] − E[r|x,a]`; σ only for the actions asked about), no allocation.
public struct LinearContextualEnvironment: SimulationEnvironment {
    public let catalog: ActionCatalog
    public let contextDimension: Int
    public var slotCount: Int { 1 }
    public var segmentNames: [String] { [] }
    public var currentSegment: Int? { nil }
    /// The reward model.
    public let specification: LinearContextualSpecification
    private let theta: [Double]
    private let bias: [Double]
    private let isBernoulli: Bool
    private let noise: Double
    /// The current round's linear scores z_k = θ_k·x + b_k, one per action.
    private var scores: [Double]
    private let normal = ZigguratNormal()

    /// Builds the environment.
    /// - Throws: `SimulationError.invalidScenario` when θ or b have the wrong size.
    public init(_ specification: LinearContextualSpecification) throws(SimulationError) {
        let k = specification.actionIDs.count, d = specification.dimension
        guard specification.theta.count == k * d, specification.bias.count == k else {
            throw .invalidScenario(path: "$.linear_contextual.reward", problem: "theta must be \(k)×\(d) and bias \(k) long",
                                   fix: "give one row of theta and one bias per action")
        }
        do {
            catalog = try ActionCatalog(specification.actionIDs.map { Action(id: ActionID($0)) })
        } catch {
            throw .invalidScenario(path: "$.linear_contextual.actions", problem: "\(error)", fix: "use unique action ids")
        }
        self.specification = specification
        contextDimension = d
        theta = specification.theta
        bias = specification.bias
        isBernoulli = specification.model == .bernoulliLogistic
        noise = specification.noiseStandardDeviation
        scores = Array(repeating: 0, count: k)
    }

    public mutating func reset(using generator: inout SeededGenerator) {
        for k in 0..<scores.count { scores[k] = 0 }
    }

    public mutating func beginRound(_ round: Int, context: inout Context, candidates: inout [Int], using generator: inout SeededGenerator) -> Bool {
        let d = contextDimension, k = scores.count
        if context.features.count != d { context.features = Array(repeating: 0, count: d) }
        context.features.withUnsafeMutableBufferPointer { x in
            for j in 0..<d { x[j] = normal.next(using: &generator) }
        }
        context.segment = nil
        if candidates.count != k {
            candidates.removeAll(keepingCapacity: true)
            for a in 0..<k { candidates.append(a) }
        }
        context.features.withUnsafeBufferPointer { x in
            theta.withUnsafeBufferPointer { t in
                scores.withUnsafeMutableBufferPointer { m in
                    // Four partial sums break the add-latency chain of the dot product.
                    let blocked = d & ~3
                    for a in 0..<k {
                        let row = a * d
                        var z0 = 0.0, z1 = 0.0, z2 = 0.0, z3 = 0.0
                        var j = 0
                        while j < blocked {
                            z0 += t[row + j] * x[j]
                            z1 += t[row + j + 1] * x[j + 1]
                            z2 += t[row + j + 2] * x[j + 2]
                            z3 += t[row + j + 3] * x[j + 3]
                            j += 4
                        }
                        while j < d { z0 += t[row + j] * x[j]; j += 1 }
                        m[a] = bias[a] + ((z0 + z1) + (z2 + z3))
                    }
                }
            }
        }
        return true
    }

    /// The expected reward of score z: σ(z) or z.
    @inline(__always)
    private func mean(_ z: Double) -> Double { isBernoulli ? 1 / (1 + exp(-z)) : z }

    public func expectedReward(of action: Int, slot: Int) -> Double { mean(scores[action]) }

    /// The argmax of the linear scores (σ is increasing, so one σ suffices).
    public func bestCandidate(among candidates: [Int], slot: Int) -> (action: Int, expectedReward: Double) {
        guard var best = candidates.first else { return (-1, 0) }
        var bestScore = -Double.infinity
        for a in candidates where scores[a] > bestScore {
            bestScore = scores[a]
            best = a
        }
        return (best, mean(bestScore))
    }

    public mutating func respond(to action: Int, slot: Int, using generator: inout SeededGenerator) -> Outcome {
        if isBernoulli {
            let converted = generator.nextUniform() < mean(scores[action])
            return Outcome(reward: converted ? 1 : 0, converted: converted)
        }
        return Outcome(reward: scores[action] + noise * normal.next(using: &generator))
    }

    public mutating func endRound(using generator: inout SeededGenerator) -> Bool { false }

    /// One round per second from the Unix epoch.
    public func timestamp(ofRound round: Int) -> Double { Double(round) }
}
