import Foundation

/// Softmax (Boltzmann) exploration: probabilities proportional to `exp(score / τ)`.
///
/// The score is `estimate + bonus` (the estimate for scorers without a bonus):
/// ```
/// p_a = exp((s_a − max_b s_b) / τ) / Σ_c exp((s_c − max_b s_b) / τ)
/// ```
/// Subtracting the maximum keeps the exponentials in range; every probability is > 0 unless
/// it underflows (a score gap above ~745 τ).
///
/// ## References
/// Sutton & Barto, "Reinforcement Learning" (2018), §2.8; Vowpal Wabbit `--softmax --lambda`
/// (where `lambda` = 1/τ).
public struct Softmax: Explorer {
    /// `"softmax"`.
    public static let kind = "softmax"

    /// The temperature τ > 0, in reward units: small τ approaches greedy, large τ uniform.
    public var temperature: Double

    /// Creates a softmax explorer.
    /// - Throws: `BanditsError.invalidParameter` when `temperature` is not finite and > 0.
    public init(temperature: Double) throws(BanditsError) {
        self.temperature = temperature
        try validate()
    }

    /// Writes the softmax distribution.
    /// - Complexity: O(n) exponentials, no allocation in the steady state.
    public func distribution(estimates: [Double], bonuses: [Double], into probabilities: inout [Double]) {
        let n = estimates.count
        resize(&probabilities, to: n)
        var best = -Double.infinity
        for i in 0..<n { best = max(best, estimates[i] + bonuses[i]) }
        let inverseTemperature = 1 / temperature
        var sum = 0.0
        for i in 0..<n {
            let e = exp((estimates[i] + bonuses[i] - best) * inverseTemperature)
            probabilities[i] = e
            sum += e
        }
        // sum >= 1 because the maximum contributes exp(0).
        let scale = 1 / sum
        for i in 0..<n { probabilities[i] *= scale }
    }

    /// - Throws: `BanditsError.invalidParameter` when `temperature` is not finite and > 0.
    public func validate() throws(BanditsError) {
        guard temperature.isFinite, temperature > 0 else {
            throw .invalidParameter(field: "temperature", value: "\(temperature)", expected: "a finite number > 0")
        }
    }
}
