/// The outcome of one decision: the chosen action and the exact distribution it was drawn from.
///
/// `probabilities` is aligned with the candidate list passed to the policy; actions that were
/// not candidates have probability exactly 0 by construction. `propensity` is the probability
/// of the chosen action under that distribution, which is what the evaluator needs.
public struct Decision: Sendable, Equatable, Codable {
    /// Catalog index of the chosen action.
    public var action: Int
    /// Position of the chosen action in the candidate list.
    public var position: Int
    /// The candidates (catalog indices), in the order the probabilities refer to.
    public var candidates: [Int]
    /// Probability of each candidate; a valid PMF.
    public var probabilities: [Double]
    /// Probability of the chosen action: `probabilities[position]` (0 for an empty decision).
    public var propensity: Double { probabilities.indices.contains(position) ? probabilities[position] : 0 }
    /// The model version that made the decision (increases with every learned interaction).
    public var modelVersion: Int

    /// Creates a decision.
    public init(action: Int, position: Int, candidates: [Int], probabilities: [Double], modelVersion: Int) {
        self.action = action
        self.position = position
        self.candidates = candidates
        self.probabilities = probabilities
        self.modelVersion = modelVersion
    }

    /// An empty decision to be filled by `Policy.decide(for:among:using:into:)`; reuse one per
    /// loop so that deciding allocates nothing in the steady state.
    public init() {
        self.init(action: 0, position: 0, candidates: [], probabilities: [], modelVersion: 0)
    }

    enum CodingKeys: String, CodingKey {
        case action, position, candidates, probabilities
        case modelVersion = "model_version"
    }
}

/// One logged round, fed back to the learner: the context, the candidates, what was chosen
/// with which probabilities, and the reward that followed.
public struct Interaction: Sendable, Equatable, Codable {
    /// The decision context.
    public var context: Context
    /// Candidate catalog indices, aligned with `probabilities`.
    public var candidates: [Int]
    /// Catalog index of the chosen action.
    public var action: Int
    /// The logging distribution over `candidates` (empty when unknown).
    public var probabilities: [Double]
    /// Probability of the chosen action under the logging policy, in (0, 1].
    public var propensity: Double
    /// The observed reward (finite).
    public var reward: Double

    /// Creates an interaction.
    public init(context: Context, candidates: [Int], action: Int, probabilities: [Double] = [], propensity: Double = 1, reward: Double) {
        self.context = context
        self.candidates = candidates
        self.action = action
        self.probabilities = probabilities
        self.propensity = propensity
        self.reward = reward
    }

    /// An interaction built from the decision that produced it.
    public init(context: Context, decision: Decision, reward: Double) {
        self.init(context: context, candidates: decision.candidates, action: decision.action,
                  probabilities: decision.probabilities, propensity: decision.propensity, reward: reward)
    }
}
