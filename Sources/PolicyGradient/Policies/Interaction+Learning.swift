import Bandits

extension Interaction {
    /// The position of the chosen action among `candidates`, once the interaction is fit for a
    /// one-step policy-gradient update counted `weight` times.
    ///
    /// Checks that the action is in the catalog and among the candidates, that the reward is
    /// finite, the propensity in (0, 1] and the weight finite and ≥ 0. The context and the
    /// candidates themselves are the policy's to check (they depend on its dimension and catalog).
    /// - Throws: `BanditsError.actionIndexOutOfRange`, `.invalidParameter` naming the field, or
    ///   `.nonFiniteReward`.
    func positionForLearning(among candidates: [Int], catalogCount: Int, weight: Double) throws(BanditsError) -> Int {
        guard action >= 0, action < catalogCount else {
            throw .actionIndexOutOfRange(field: "interaction.action", index: action, count: catalogCount)
        }
        guard let position = candidates.firstIndex(of: action) else {
            throw .invalidParameter(field: "interaction.action", value: "\(action)", expected: "one of the candidates \(candidates)")
        }
        guard reward.isFinite else { throw .nonFiniteReward(reward) }
        guard propensity > 0, propensity <= 1 else {
            throw .invalidParameter(field: "interaction.propensity", value: "\(propensity)", expected: "a probability in (0, 1]")
        }
        guard weight.isFinite, weight >= 0 else {
            throw .invalidParameter(field: "weight", value: "\(weight)", expected: "a finite number ≥ 0")
        }
        return position
    }
}
