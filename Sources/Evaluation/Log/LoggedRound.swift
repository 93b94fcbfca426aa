/// One logged decision as a reader found it, before it joins a ``DecisionLog``.
///
/// Readers fill what their format carries; ``DecisionLog/Builder`` validates the values
/// (propensity in (0, 1], finite reward and features, valid distributions over the
/// candidates) and resolves action ids to the log's action vocabulary.
public struct LoggedRound: Sendable, Equatable {
    /// How the chosen action is named: by position in the candidate list or by id.
    public enum ChosenAction: Sendable, Equatable {
        /// 0-based position in the candidate list (`actions`, or the distributions' indices).
        case index(Int)
        /// An action id that must appear in `actions`.
        case id(String)
    }

    /// Context features: a dense vector, or values of the named features in `featureNames`.
    public var context: [Double]
    /// Names of the features in `context`, or `nil` for a dense vector whose meaning is its
    /// position.
    public var featureNames: [String]?
    /// The candidate action ids, or `nil` when the candidates are the indices 0…K−1 of the
    /// distributions.
    public var actions: [String]?
    /// The chosen action.
    public var action: ChosenAction
    /// Probability of the chosen action under the logging policy, in (0, 1].
    public var propensity: Double
    /// The observed reward, or `nil` when it was never joined (such rounds are skipped).
    public var reward: Double?
    /// The logging policy's whole distribution over the candidates, if logged.
    public var probabilities: [Double]?
    /// The evaluated policy's distribution over the same candidates, if given.
    public var targetProbabilities: [Double]?
    /// The customer's segment label, if logged.
    public var segment: String?
    /// The decision's event id, if logged.
    public var eventID: String?
    /// How many logged events this round stands for: `1 / (1 − pdrop)` when the logger kept
    /// each event with probability `1 − pdrop`.
    public var sampleWeight: Double
    /// Whether the logger marked the event as not to be learned from (DSJSON `_skipLearn`).
    public var isSkipped: Bool

    /// Creates a round.
    public init(
        context: [Double], featureNames: [String]? = nil, actions: [String]? = nil, action: ChosenAction,
        propensity: Double, reward: Double?, probabilities: [Double]? = nil, targetProbabilities: [Double]? = nil,
        segment: String? = nil, eventID: String? = nil, sampleWeight: Double = 1, isSkipped: Bool = false
    ) {
        self.context = context
        self.featureNames = featureNames
        self.actions = actions
        self.action = action
        self.propensity = propensity
        self.reward = reward
        self.probabilities = probabilities
        self.targetProbabilities = targetProbabilities
        self.segment = segment
        self.eventID = eventID
        self.sampleWeight = sampleWeight
        self.isSkipped = isSkipped
    }
}
