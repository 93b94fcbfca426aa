/// SquareCB: inverse-gap weighting of a regression oracle's estimates.
///
/// With `n` candidates, estimates `ŷ` and the set `B` of the `m` maximal estimates:
/// ```
/// p_a = 1 / (n + γ (ŷ_max − ŷ_a))          for a ∉ B
/// p_b = (1 − Σ_{a∉B} p_a) / m               for b ∈ B
/// ```
/// Every candidate keeps a probability of at least `1/(n + γ·gap)`; larger γ exploits more.
/// Bonuses are ignored (SquareCB is defined on the regression estimates). Foster & Rakhlin
/// let γ grow with the horizon (`γ ∝ √(nT)`); Vowpal Wabbit's `--squarecb` uses
/// `γ = gamma_scale · t^gamma_exponent`. Here γ is a fixed parameter of the explorer.
///
/// ## References
/// Foster & Rakhlin, "Beyond UCB: Optimal and efficient contextual bandits with regression
/// oracles" (ICML 2020); Abe & Long (1999) for inverse-gap weighting.
public struct SquareCB: Explorer {
    /// `"squarecb"`.
    public static let kind = "squarecb"

    /// The exploitation strength γ ≥ 0, in inverse reward units (γ = 0 is uniform).
    public var gamma: Double

    /// Creates a SquareCB explorer.
    /// - Throws: `BanditsError.invalidParameter` when `gamma` is not finite and ≥ 0.
    public init(gamma: Double) throws(BanditsError) {
        self.gamma = gamma
        try validate()
    }

    /// Writes the inverse-gap-weighted distribution.
    /// - Complexity: O(n), no allocation in the steady state.
    public func distribution(estimates: [Double], bonuses: [Double], into probabilities: inout [Double]) {
        let n = estimates.count
        resize(&probabilities, to: n)
        var best = -Double.infinity
        var ties = 0
        for i in 0..<n {
            let s = estimates[i]
            if s > best { best = s; ties = 1 } else if s == best { ties += 1 }
        }
        let count = Double(n)
        var rest = 1.0
        for i in 0..<n where estimates[i] != best {
            let p = 1 / (count + gamma * (best - estimates[i]))
            probabilities[i] = p
            rest -= p
        }
        let share = rest / Double(ties)
        for i in 0..<n where estimates[i] == best { probabilities[i] = share }
    }

    /// - Throws: `BanditsError.invalidParameter` when `gamma` is not finite and ≥ 0.
    public func validate() throws(BanditsError) {
        guard gamma.isFinite, gamma >= 0 else {
            throw .invalidParameter(field: "gamma", value: "\(gamma)", expected: "a finite number >= 0")
        }
    }
}
