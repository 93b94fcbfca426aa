import AttuneCore
import Bandits
import Synchronization

/// One loaded policy: its specification and the serving copy of its model, with the random
/// generator and decision guard (frequency caps, budgets) that decisions mutate.
///
/// The background learner owns a second copy of the model and publishes it here after
/// learning; deciding never waits for learning, only for this short lock.
final class LivePolicy: Sendable {
    struct Serving: Sendable {
        var policy: any Policy
        var generator: SeededGenerator
        var decisionGuard: DecisionGuard
        var decision = Decision()
        /// The kill switch: when set, this catalog index is served instead of the policy's choice.
        var fallbackAction: Int?
    }

    let id: String
    let specification: PolicySpecification
    let rule: RewardJoiner.Rule
    let catalog: ActionCatalog
    let serving: Mutex<Serving>

    init(specification: PolicySpecification, seed: UInt64) throws(EngineError) {
        do throws(BanditsError) {
            let policy = try specification.makePolicy()
            id = specification.id
            self.specification = specification
            catalog = policy.catalog
            let reward = specification.reward
            let aggregation: RewardJoiner.Aggregation
            switch reward.aggregation ?? .sum {
            case .sum: aggregation = .sum
            case .first: aggregation = .first
            case .last: aggregation = .last
            case .max: aggregation = .max
            }
            rule = RewardJoiner.Rule(windowSeconds: reward.windowSeconds, aggregation: aggregation,
                                     defaultReward: reward.defaultReward ?? 0)
            let decisionGuard = try DecisionGuard(specification.constraints, catalog: policy.catalog)
            serving = Mutex(Serving(policy: policy, generator: SeededGenerator(seed: seed), decisionGuard: decisionGuard))
        } catch {
            throw .policy(error)
        }
    }

    /// The serving model (a copy: value semantics).
    var model: any Policy { serving.withLock { $0.policy } }

    /// Replaces the serving model with one the learner updated.
    func publish(_ model: any Policy) {
        serving.withLock { $0.policy = model }
    }
}
