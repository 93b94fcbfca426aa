/// Pure exploitation: all mass on the candidate with the highest estimate.
///
/// Exact ties share the mass evenly (so the reported distribution is the one sampled from).
/// Bonuses are ignored; use ``OptimisticArgmax`` for UCB.
///
/// ```
/// p_a = 1/m  if estimate_a is one of the m maxima, else 0
/// ```
public struct Greedy: Explorer {
    /// `"greedy"`.
    public static let kind = "greedy"

    /// Creates the greedy explorer.
    public init() {}

    /// Writes the greedy distribution.
    /// - Complexity: O(n), no allocation in the steady state.
    public func distribution(estimates: [Double], bonuses: [Double], into probabilities: inout [Double]) {
        let n = estimates.count
        resize(&probabilities, to: n)
        for i in 0..<n { probabilities[i] = 0 }
        addArgmaxMass(1, count: n, into: &probabilities) { estimates[$0] }
    }

    /// Greedy has no parameters.
    public func validate() throws(BanditsError) {}
}

/// The explorer of upper-confidence-bound learners: all mass on the candidate with the
/// highest optimistic score `estimate + bonus`, exact ties split evenly.
///
/// With ``LinUCB`` the bonus is `α √(xᵀA⁻¹x)`; with ``UCB1`` it is `c √(2 ln t / n_a)`.
///
/// ```
/// p_a = 1/m  if estimate_a + bonus_a is one of the m maxima, else 0
/// ```
///
/// ## References
/// Auer, Cesa-Bianchi & Fischer, "Finite-time analysis of the multiarmed bandit problem" (2002);
/// Li, Chu, Langford & Schapire, "A contextual-bandit approach to personalized news article
/// recommendation" (2010).
public struct OptimisticArgmax: Explorer {
    /// `"optimistic_argmax"`.
    public static let kind = "optimistic_argmax"

    /// Creates the optimistic argmax explorer.
    public init() {}

    /// Writes the optimistic argmax distribution.
    /// - Complexity: O(n), no allocation in the steady state.
    public func distribution(estimates: [Double], bonuses: [Double], into probabilities: inout [Double]) {
        let n = estimates.count
        resize(&probabilities, to: n)
        for i in 0..<n { probabilities[i] = 0 }
        addArgmaxMass(1, count: n, into: &probabilities) { estimates[$0] + bonuses[$0] }
    }

    /// Optimistic argmax has no parameters.
    public func validate() throws(BanditsError) {}
}
