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
    /// How the server runs the policy.
    let mode: PolicyMode
    /// The catalog index of the apprentice baseline.
    let baseline: Int?
    /// Apprentice agreement and value sums.
    let apprentice = Mutex(ApprenticeTally())
    /// Decisions logged per action since this version was loaded (indices of `catalog`).
    let decisionCounts: AtomicCounters
    /// The catalog's action ids in catalog order: shared by every record that offers the
    /// whole catalog, so such a decision copies no id list.
    let catalogIDs: [String]

    /// - Parameter model: The model to serve instead of `specification.makePolicy()` (a policy
    ///   of another file format, such as a trained policy-gradient policy, described for the
    ///   engine by `specification`); its catalog and context dimension must match `specification`'s.
    init(specification: PolicySpecification, seed: UInt64, mode: PolicyMode = .online, model: (any Policy)? = nil) throws(EngineError) {
        let field = "modes.\(specification.id)"
        switch (mode.kind, mode.baselineAction) {
        case (.apprentice, nil):
            throw .invalidField(field: field + ".baseline", reason: "apprentice mode serves a baseline action: name one of the policy's catalog ids")
        case (.apprentice, let action?):
            guard let index = specification.catalog.firstIndex(where: { $0.id == action }) else {
                throw .unknownAction(field: field + ".baseline", id: action)
            }
            baseline = index
        case (_, .some):
            throw .invalidField(field: field + ".baseline", reason: "a baseline is used only in apprentice mode; remove it or set \"mode\": \"apprentice\"")
        case (_, nil):
            baseline = nil
        }
        self.mode = mode
        do throws(BanditsError) {
            let policy: any Policy
            if let model { policy = model } else { policy = try specification.makePolicy() }
            if model != nil {
                guard policy.catalog.actions.map(\.id.rawValue) == specification.catalog.map(\.id) else {
                    throw BanditsError.invalidParameter(field: "\(specification.id).catalog", value: "\(policy.catalog.actions.map(\.id.rawValue))",
                                                        expected: "the served model's catalog: \(specification.catalog.map(\.id))")
                }
                guard policy.contextDimension == specification.featureSchema.dimension else {
                    throw BanditsError.dimensionMismatch(field: "\(specification.id).feature_schema", expected: policy.contextDimension,
                                                         actual: specification.featureSchema.dimension)
                }
            }
            id = specification.id
            self.specification = specification
            catalog = policy.catalog
            decisionCounts = AtomicCounters(count: policy.catalog.count)
            catalogIDs = policy.catalog.actions.map(\.id.rawValue)
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

    /// The action ids of catalog indices `candidates`, in their order.
    func ids(of candidates: [Int]) -> [String] {
        if candidates.count == catalogIDs.count, candidates.indices.allSatisfy({ candidates[$0] == $0 }) { return catalogIDs }
        return candidates.map { catalogIDs[$0] }
    }

    /// The serving model (a copy: value semantics).
    var model: any Policy { serving.withLock { $0.policy } }

    /// Replaces the serving model with one the learner updated. The new model keeps the
    /// serving one's work buffers: the learner publishes hundreds of times a second, and
    /// buffers allocated anew on the next decision each time cost 1.5% of an event loop.
    func publish(_ model: any Policy) {
        var model = model
        serving.withLock { s in
            model.adoptWorkBuffers(from: s.policy)
            s.policy = model
        }
    }
}
