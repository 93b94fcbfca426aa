/// The Adam optimiser: per-parameter steps from bias-corrected running moments of the gradient.
///
/// ```
/// m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
/// θ ← θ + η · m̂ / (√v̂ + ε)       m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
/// ```
/// ``ascend(_:along:)`` moves *up* the gradient (policy objectives are maximised).
///
/// ## References
/// Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
public struct Adam: Sendable, Codable, Equatable {
    /// Step size `η`.
    public var learningRate: Double
    /// First-moment decay `β₁`.
    public let beta1: Double
    /// Second-moment decay `β₂`.
    public let beta2: Double
    /// Denominator guard `ε`.
    public let epsilon: Double
    /// Steps taken.
    public private(set) var steps: Int
    var m: [Double]
    var v: [Double]

    /// An optimiser for `count` parameters.
    /// - Throws: `PolicyGradientError.invalidParameter` for `η < 0`, `β` outside [0, 1) or `ε ≤ 0`.
    public init(count: Int, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) throws(PolicyGradientError) {
        guard learningRate.isFinite, learningRate >= 0 else {
            throw .invalidParameter(field: "learning_rate", value: "\(learningRate)", expected: "a finite number ≥ 0")
        }
        for (name, b) in [("beta1", beta1), ("beta2", beta2)] where !(b >= 0 && b < 1) {
            throw .invalidParameter(field: name, value: "\(b)", expected: "a number in [0, 1)")
        }
        guard epsilon.isFinite, epsilon > 0 else { throw .invalidParameter(field: "epsilon", value: "\(epsilon)", expected: "a positive number") }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.steps = 0
        self.m = Array(repeating: 0, count: count)
        self.v = Array(repeating: 0, count: count)
    }

    /// One ascent step of `parameters` along `gradient` (same length as at `init`).
    /// - Complexity: O(count), no allocation.
    public mutating func ascend(_ parameters: inout [Double], along gradient: [Double]) {
        steps += 1
        let c1 = 1 - pow(beta1, Double(steps))
        let c2 = 1 - pow(beta2, Double(steps))
        let n = min(parameters.count, gradient.count, m.count)
        for i in 0..<n {
            let g = gradient[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            parameters[i] += learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
        }
    }

    /// Rescales `gradient` in place so that its Euclidean norm is at most `maximumNorm`.
    /// - Returns: The norm before clipping.
    /// - Complexity: O(count), no allocation.
    @discardableResult
    public static func clipNorm(_ gradient: inout [Double], to maximumNorm: Double) -> Double {
        var s = 0.0
        for g in gradient { s += g * g }
        let norm = s.squareRoot()
        if norm > maximumNorm, norm > 0 {
            let scale = maximumNorm / norm
            for i in 0..<gradient.count { gradient[i] *= scale }
        }
        return norm
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
