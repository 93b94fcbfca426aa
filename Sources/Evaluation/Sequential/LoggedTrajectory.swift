/// One logged decision of a trajectory (a customer's journey), with what sequential
/// estimators need: both policies' probabilities of the logged action, the reward, when it
/// happened, and optionally a model's values.
public struct LoggedStep: Sendable, Equatable {
    /// The logging policy's probability of the logged action, in (0, 1].
    public var propensity: Double
    /// The evaluated policy's probability of the logged action, in [0, 1].
    public var targetProbability: Double
    /// The observed reward.
    public var reward: Double
    /// The discount exponent of the step (its index, or the time elapsed since the
    /// trajectory's start in the discount's unit, e.g. weeks).
    public var time: Double
    /// `q̂(s_t, a_t)`: a model's value of the logged action from this step on (doubly robust).
    public var modelActionValue: Double
    /// `v̂(s_t) = Σ_a π(a|s_t) q̂(s_t, a)`: the model's value of the evaluated policy from this step on.
    public var modelStateValue: Double

    /// Creates a step; model values default to 0 (no model).
    public init(propensity: Double, targetProbability: Double, reward: Double, time: Double,
                modelActionValue: Double = 0, modelStateValue: Double = 0) {
        self.propensity = propensity
        self.targetProbability = targetProbability
        self.reward = reward
        self.time = time
        self.modelActionValue = modelActionValue
        self.modelStateValue = modelStateValue
    }
}

/// The logged steps of one trajectory, in time order.
public struct LoggedTrajectory: Sendable, Equatable {
    /// The steps, oldest first.
    public var steps: [LoggedStep]

    /// Creates a trajectory.
    public init(steps: [LoggedStep]) { self.steps = steps }
}

/// Checks trajectories and the discount for the sequential estimators.
/// - Throws: `EvaluationError.emptyLog` without trajectories, `.invalidParameter` naming the
///   trajectory and step of a bad probability, reward, time or model value, or a discount
///   outside (0, 1].
func validateTrajectories(_ trajectories: [LoggedTrajectory], discount: Double) throws(EvaluationError) {
    guard !trajectories.isEmpty else { throw .emptyLog(source: "trajectories") }
    guard discount > 0, discount <= 1 else {
        throw .invalidParameter(field: "discount", value: "\(discount)", expected: "a number in (0, 1]")
    }
    for (i, trajectory) in trajectories.enumerated() {
        var last = -Double.infinity
        for (t, s) in trajectory.steps.enumerated() {
            let at = "trajectories[\(i)].steps[\(t)]"
            guard s.propensity > 0, s.propensity <= 1 else {
                throw .invalidParameter(field: "\(at).propensity", value: "\(s.propensity)", expected: "a probability in (0, 1]")
            }
            guard s.targetProbability >= 0, s.targetProbability <= 1 else {
                throw .invalidParameter(field: "\(at).target_probability", value: "\(s.targetProbability)", expected: "a probability in [0, 1]")
            }
            guard s.reward.isFinite, s.modelActionValue.isFinite, s.modelStateValue.isFinite else {
                throw .invalidParameter(field: "\(at)", value: "reward \(s.reward), model \(s.modelActionValue)/\(s.modelStateValue)", expected: "finite numbers")
            }
            guard s.time.isFinite, s.time >= last else {
                throw .invalidParameter(field: "\(at).time", value: "\(s.time)", expected: "finite times in non-decreasing order")
            }
            last = s.time
        }
    }
}
