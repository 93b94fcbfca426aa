import AttuneCore

/// The `linear_contextual` environment of a scenario: contexts x ~ N(0, I_d) and, for each of
/// K actions, a linear reward model.
///
/// ```
/// bernoulli_logistic:  P(r = 1 | x, k) = σ(θ_k·x + b_k),     σ(z) = 1 / (1 + e^(−z))
/// gaussian:            r = θ_k·x + b_k + noise_sd · ε,       ε ~ N(0, 1)
/// ```
/// θ (K×d, row-major) and b (K) are given explicitly or drawn from `seed`:
/// θ_kj ~ N(0, theta_scale²) with theta_scale defaulting to 1/√d (so θ_k·x has unit
/// variance), b_k ~ N(0, bias_scale²).
public struct LinearContextualSpecification: Sendable, Equatable {
    /// The reward model.
    public enum RewardModel: String, Sendable, Equatable {
        /// Bernoulli rewards with logistic success probability.
        case bernoulliLogistic = "bernoulli_logistic"
        /// Linear mean plus Gaussian noise.
        case gaussian
    }

    /// Context dimension d.
    public var dimension: Int
    /// Action identifiers (K of them).
    public var actionIDs: [String]
    /// The reward model.
    public var model: RewardModel
    /// θ, K×d row-major.
    public var theta: [Double]
    /// b, one per action.
    public var bias: [Double]
    /// Standard deviation of the Gaussian noise (0 for Bernoulli).
    public var noiseStandardDeviation: Double

    /// Creates a specification with explicit parameters.
    public init(dimension: Int, actionIDs: [String], model: RewardModel, theta: [Double], bias: [Double], noiseStandardDeviation: Double = 0) {
        self.dimension = dimension
        self.actionIDs = actionIDs
        self.model = model
        self.theta = theta
        self.bias = bias
        self.noiseStandardDeviation = noiseStandardDeviation
    }

    /// Creates a specification with θ and b drawn from `seed`.
    public init(dimension: Int, actions: Int, model: RewardModel, seed: UInt64, thetaScale: Double? = nil,
                biasScale: Double = 0.5, noiseStandardDeviation: Double = 0) {
        var rng = SeededGenerator(seed: seed)
        let scale = thetaScale ?? 1 / Double(dimension).squareRoot()
        let theta = (0..<(actions * dimension)).map { _ in scale * rng.nextStandardNormal() }
        let bias = (0..<actions).map { _ in biasScale * rng.nextStandardNormal() }
        self.init(dimension: dimension, actionIDs: (0..<actions).map(String.init), model: model, theta: theta, bias: bias,
                  noiseStandardDeviation: noiseStandardDeviation)
    }

    init(reading r: ObjectReader) throws(SimulationError) {
        r.declareKeys(["dimension", "actions", "context", "reward"])
        let d = try r.int("dimension", in: 1...10_000, expected: "an integer in 1…10000")
        var ids: [String]
        switch try r.value("actions") {
        case .number?:
            let k = try r.int("actions", in: 1...10_000, expected: "an integer in 1…10000")
            ids = (0..<k).map(String.init)
        case .array(let a)?:
            ids = []
            for (i, v) in a.enumerated() {
                guard case .string(let s) = v, !s.isEmpty else {
                    throw r.invalid("actions", index: i, "expected an action id string", "write \"offer-a\"")
                }
                guard !ids.contains(s) else {
                    throw r.invalid("actions", index: i, "action id '\(s)' appears twice", "make ids unique")
                }
                ids.append(s)
            }
            guard !ids.isEmpty else { throw r.invalid("actions", "the list is empty", "declare at least one action") }
        default:
            throw r.invalid("actions", "expected the number of actions or a list of action ids", "write 10 or [\"a\", \"b\"]")
        }
        if let c = try r.optionalObject("context") {
            c.declareKeys(["distribution"])
            _ = try c.choice("distribution", ["standard_normal"], default: "standard_normal")
        }
        let w = try r.object("reward")
        w.declareKeys(["model", "theta", "bias", "seed", "theta_scale", "bias_scale", "noise_sd"])
        let model = RewardModel(rawValue: try w.choice("model", ["bernoulli_logistic", "gaussian"])) ?? .gaussian
        let noise = try w.double("noise_sd", default: model == .gaussian ? 1 : 0, in: 0...1e6, expected: "a number ≥ 0")
        if model == .bernoulliLogistic && w.has("noise_sd") {
            throw w.invalid("noise_sd", "Bernoulli rewards have no Gaussian noise", "remove it or use \"model\": \"gaussian\"")
        }
        let k = ids.count
        if w.has("theta") || w.has("bias") {
            if w.has("seed") || w.has("theta_scale") || w.has("bias_scale") {
                throw w.invalid("seed", "explicit theta/bias and a seed to draw them are exclusive", "give either theta and bias, or seed")
            }
            let theta = try w.matrix("theta", rows: k, columns: d)
            let bias = try w.optionalDoubles("bias", count: k) ?? Array(repeating: 0, count: k)
            self.init(dimension: d, actionIDs: ids, model: model, theta: theta, bias: bias, noiseStandardDeviation: noise)
        } else {
            guard let seed = try w.optionalInt("seed"), seed >= 0 else {
                throw w.missing("seed", "a non-negative integer to draw theta and bias from (or give \"theta\" and \"bias\")")
            }
            let thetaScale = try w.optionalDouble("theta_scale")
            if let s = thetaScale, !(s > 0) { throw w.outOfRange("theta_scale", "\(s)", "a number > 0") }
            let biasScale = try w.double("bias_scale", default: 0.5, in: 0...1e6, expected: "a number ≥ 0")
            self.init(dimension: d, actions: k, model: model, seed: UInt64(seed), thetaScale: thetaScale, biasScale: biasScale,
                      noiseStandardDeviation: noise)
            actionIDs = ids
        }
    }
}
