/// ε-greedy: with probability ε a uniformly random candidate, otherwise the best one.
///
/// The best candidate is the argmax of the score `estimate + bonus` (the estimate for
/// scorers without a bonus), exact ties split evenly:
/// ```
/// p_a = ε/n + (1 − ε)/m · [a is one of the m maxima]
/// ```
/// With a ``LinUCB`` scorer this mixes uniform exploration into the optimistic choice;
/// set the scorer's `alpha` to 0 for classic ε-greedy over ridge estimates.
///
/// ## References
/// Sutton & Barto, "Reinforcement Learning" (2018), §2.2; Vowpal Wabbit `--epsilon`.
public struct EpsilonGreedy: Explorer {
    /// `"epsilon_greedy"`.
    public static let kind = "epsilon_greedy"

    /// Probability of exploring uniformly, in [0, 1].
    public var epsilon: Double

    /// Creates an ε-greedy explorer.
    /// - Throws: `BanditsError.invalidParameter` when `epsilon` is not in [0, 1].
    public init(epsilon: Double) throws(BanditsError) {
        self.epsilon = epsilon
        try validate()
    }

    /// Writes the ε-greedy distribution.
    /// - Complexity: O(n), no allocation in the steady state.
    public func distribution(estimates: [Double], bonuses: [Double], into probabilities: inout [Double]) {
        let n = estimates.count
        resize(&probabilities, to: n)
        let floor = epsilon / Double(n)
        for i in 0..<n { probabilities[i] = floor }
        addArgmaxMass(1 - epsilon, count: n, into: &probabilities) { estimates[$0] + bonuses[$0] }
    }

    /// - Throws: `BanditsError.invalidParameter` when `epsilon` is not in [0, 1].
    public func validate() throws(BanditsError) {
        guard epsilon.isFinite, epsilon >= 0, epsilon <= 1 else {
            throw .invalidParameter(field: "epsilon", value: "\(epsilon)", expected: "a probability in [0, 1]")
        }
    }
}
