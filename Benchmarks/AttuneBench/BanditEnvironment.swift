import AttuneCore
import Foundation

/// The seeded linear contextual bandit every learner of `attune-bench bandits` faces, Attune's
/// and the peers' alike.
///
/// Contexts are standard normal in dimension d; action k pays 1 with probability
/// ```
/// P(r = 1 | x, k) = σ(θ_k · x + b_k),   σ(z) = 1 / (1 + e^(−z))
/// ```
/// with θ_kj ~ N(0, 1/d) and b_k ~ N(0, 0.5²) drawn once from the seed. The coin flips are
/// drawn in advance too: one uniform u_t per round, and the reward of action a at round t is
/// `u_t < σ(θ_a · x_t + b_a) ? 1 : 0`, so every learner faces the same realised outcomes (the
/// learners that pick the same action at round t get the same reward).
///
/// Environments with action features (the latency setting with K = 100) also carry a feature
/// vector per action, a_k ~ N(0, 1) in dimension m (when m = d, θ_k = a_k / √d: the features
/// then describe the action's true response, as catalog features do).
///
/// ## References
/// Li, Chu, Langford & Schapire, "A contextual-bandit approach to personalized news article
/// recommendation", WWW 2010 (the linear payoff model, here through a logistic link).
struct BanditEnvironment: Sendable {
    /// Context dimension d.
    let dimension: Int
    /// Number of actions K.
    let actionCount: Int
    /// Number of rounds T.
    let rounds: Int
    /// The seed everything was drawn from.
    let seed: UInt64
    /// θ, row-major K × d.
    let coefficients: [Double]
    /// b, one intercept per action.
    let intercepts: [Double]
    /// Contexts, row-major T × d.
    let contexts: [Double]
    /// The uniform draw u_t of each round, in [0, 1).
    let uniforms: [Double]
    /// Action features, row-major K × m (empty when m = 0).
    let actionFeatures: [Double]
    /// Action feature dimension m.
    let actionFeatureDimension: Int
    /// Mean over t of max_k P(r = 1 | x_t, k): the expected reward of the optimal policy.
    let optimalAverageReward: Double
    /// Mean over t and k of P(r = 1 | x_t, k): the expected reward of the uniform policy.
    let uniformAverageReward: Double
    /// Mean over t of max_k of the realised rewards (an upper bound no policy can beat).
    let realisedBestAverageReward: Double

    // MARK: - Generation

    /// Draws an environment.
    /// - Complexity: O(T·K·d) time, O(T·d) memory.
    init(seed: UInt64, dimension d: Int, actionCount k: Int, rounds t: Int, actionFeatureDimension m: Int = 0) {
        let root = SeededGenerator(seed: seed)
        var model = root.child(1)
        var contextStream = root.child(2)
        var coinStream = root.child(3)
        self.seed = seed
        dimension = d
        actionCount = k
        rounds = t
        actionFeatureDimension = m

        var features = [Double](repeating: 0, count: k * m)
        features.withUnsafeMutableBufferPointer { model.fillStandardNormal($0) }
        var theta = [Double](repeating: 0, count: k * d)
        if m == d {
            let scale = 1 / Double(d).squareRoot()
            for i in 0..<(k * d) { theta[i] = features[i] * scale }
        } else {
            theta.withUnsafeMutableBufferPointer { model.fillStandardNormal($0) }
            let scale = 1 / Double(d).squareRoot()
            for i in 0..<(k * d) { theta[i] *= scale }
        }
        var bias = [Double](repeating: 0, count: k)
        bias.withUnsafeMutableBufferPointer { model.fillStandardNormal($0) }
        for i in 0..<k { bias[i] *= 0.5 }

        var x = [Double](repeating: 0, count: t * d)
        x.withUnsafeMutableBufferPointer { contextStream.fillStandardNormal($0) }
        var u = [Double](repeating: 0, count: t)
        for i in 0..<t { u[i] = coinStream.nextUniform() }

        coefficients = theta
        intercepts = bias
        contexts = x
        uniforms = u
        actionFeatures = features

        var optimal = 0.0, uniform = 0.0, realised = 0.0
        for round in 0..<t {
            var best = 0.0, sum = 0.0
            for action in 0..<k {
                let p = Self.probability(theta, bias, x, d: d, action: action, round: round)
                best = max(best, p)
                sum += p
            }
            optimal += best
            uniform += sum / Double(k)
            realised += u[round] < best ? 1 : 0
        }
        optimalAverageReward = optimal / Double(max(t, 1))
        uniformAverageReward = uniform / Double(max(t, 1))
        realisedBestAverageReward = realised / Double(max(t, 1))
    }

    // MARK: - Rewards

    /// P(r = 1 | x_t, a) = σ(θ_a · x_t + b_a).
    @inline(__always)
    func probability(action: Int, round: Int) -> Double {
        Self.probability(coefficients, intercepts, contexts, d: dimension, action: action, round: round)
    }

    /// The realised reward of `action` at `round`: 1 when u_t < P(r = 1 | x_t, a), else 0.
    @inline(__always)
    func reward(action: Int, round: Int) -> Double {
        uniforms[round] < probability(action: action, round: round) ? 1 : 0
    }

    @inline(__always)
    private static func probability(_ theta: [Double], _ bias: [Double], _ x: [Double], d: Int, action: Int, round: Int) -> Double {
        var z = bias[action]
        let t = action * d, c = round * d
        for j in 0..<d { z += theta[t + j] * x[c + j] }
        return 1 / (1 + exp(-z))
    }

    // MARK: - Files

    /// Writes the environment under `directory` for the peers and returns the JSON
    /// description's path.
    ///
    /// `environment.json` holds the metadata, θ, b, the action features and the reference
    /// averages; `contexts.f64` (T × d) and `uniforms.f64` (T) are raw little-endian float64,
    /// row-major, read with `numpy.fromfile(path, dtype="<f8")`.
    /// - Throws: `BenchError.io` when a file cannot be written.
    func write(to directory: URL) throws(BenchError) -> URL {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory.path, reason: "cannot create the folder: \(error)")
        }
        let contextsURL = directory.appendingPathComponent("contexts.f64")
        let uniformsURL = directory.appendingPathComponent("uniforms.f64")
        try Self.writeLittleEndian(contexts, to: contextsURL)
        try Self.writeLittleEndian(uniforms, to: uniformsURL)
        func rows(_ flat: [Double], _ width: Int) -> [[Double]] {
            guard width > 0 else { return [] }
            return stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
        }
        let description: [String: Any] = [
            "format": "attune.bench.bandit-environment/1",
            "model": "bernoulli, P(r=1|x,k) = sigmoid(theta[k] . x + bias[k]); reward of a at t = 1 if uniforms[t] < P",
            "seed": seed,
            "dimension": dimension,
            "actions": actionCount,
            "rounds": rounds,
            "theta": rows(coefficients, dimension),
            "bias": intercepts,
            "action_feature_dimension": actionFeatureDimension,
            "action_features": rows(actionFeatures, actionFeatureDimension),
            "contexts": ["path": contextsURL.path, "dtype": "<f8", "shape": [rounds, dimension]],
            "uniforms": ["path": uniformsURL.path, "dtype": "<f8", "shape": [rounds]],
            "optimal_average_reward": optimalAverageReward,
            "uniform_average_reward": uniformAverageReward,
            "realised_best_average_reward": realisedBestAverageReward,
        ]
        let url = directory.appendingPathComponent("environment.json")
        do {
            let data = try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])
            try data.write(to: url)
        } catch {
            throw .io(path: url.path, reason: "cannot write the environment description: \(error)")
        }
        return url
    }

    private static func writeLittleEndian(_ values: [Double], to url: URL) throws(BenchError) {
        // Every platform Attune builds on is little-endian; the byte swap keeps the file format
        // independent of that anyway.
        var data = Data(count: values.count * 8)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self)
            }
        }
        do {
            try data.write(to: url)
        } catch {
            throw .io(path: url.path, reason: "cannot write: \(error)")
        }
    }
}
