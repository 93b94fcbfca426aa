import Bandits

// MARK: - Reload and rollback

extension Engine {
    /// What a reload or rollback did.
    public struct VersionChange: Sendable, Equatable {
        /// The policy.
        public var policyID: String
        /// Fingerprint of the specification now served.
        public var fingerprint: String
        /// Fingerprint of the one it replaced.
        public var previousFingerprint: String
        /// Earlier versions kept for rollback.
        public var earlierVersions: Int
    }

    /// How many earlier versions of each policy are kept for rollback.
    static let historyDepth = 5

    /// Serves a new version of a loaded policy (an unchanged specification, by fingerprint, is
    /// left serving with its learned model): a fresh model from the new specification (its
    /// prior), the same mode, the kill switch carried over. The replaced version and its learned
    /// model are kept for `rollback`. Decisions of the old version whose windows close later
    /// teach the new model when their contexts fit it (a failure is recorded otherwise).
    /// - Throws: `EngineError.unknownPolicy`; `.invalidField` when the id differs, when the
    ///   kill switch's action is missing from the new catalog, or when the mode's baseline is;
    ///   `.policy` when the specification does not build. The old version keeps serving then.
    public func reload(_ specification: PolicySpecification) throws(EngineError) -> VersionChange {
        try history.withLock { (h: inout [String: [(specification: PolicySpecification, model: any Policy)]]) throws(EngineError) -> VersionChange in
            if let current = policies[specification.id], current.specification.fingerprint == specification.fingerprint {
                // The same version: keep serving it with what it has learned.
                return VersionChange(policyID: specification.id, fingerprint: specification.fingerprint,
                                     previousFingerprint: specification.fingerprint, earlierVersions: h[specification.id]?.count ?? 0)
            }
            let (previous, previousModel) = try install(specification, model: nil)
            h[specification.id, default: []].append((previous.specification, previousModel))
            if let n = h[specification.id]?.count, n > Self.historyDepth { h[specification.id]?.removeFirst(n - Self.historyDepth) }
            return VersionChange(policyID: specification.id, fingerprint: specification.fingerprint,
                                 previousFingerprint: previous.specification.fingerprint, earlierVersions: h[specification.id]?.count ?? 0)
        }
    }

    /// Serves the previous version of a policy again, with the model it had learned when it was
    /// replaced; the current version is dropped.
    /// - Throws: `EngineError.unknownPolicy`; `.invalidField(field: "version", …)` when there
    ///   is no earlier version; the errors of `reload` when it cannot be installed.
    public func rollback(policy policyID: String) throws(EngineError) -> VersionChange {
        try history.withLock { (h: inout [String: [(specification: PolicySpecification, model: any Policy)]]) throws(EngineError) -> VersionChange in
            _ = try policy(named: policyID)
            guard let earlier = h[policyID]?.last else {
                throw .invalidField(field: "version", reason: "policy '\(policyID)' has no earlier version in this process; reload a new file first")
            }
            let (current, _) = try install(earlier.specification, model: earlier.model)
            h[policyID]?.removeLast()
            return VersionChange(policyID: policyID, fingerprint: earlier.specification.fingerprint,
                                 previousFingerprint: current.specification.fingerprint, earlierVersions: h[policyID]?.count ?? 0)
        }
    }

    /// The specification of the version a rollback would serve.
    public func previousSpecification(of policyID: String) -> PolicySpecification? {
        history.withLock { $0[policyID]?.last?.specification }
    }

    /// Builds and installs a version; returns the replaced one and its learned model.
    private func install(_ specification: PolicySpecification, model: (any Policy)?) throws(EngineError) -> (LivePolicy, any Policy) {
        let id = specification.id
        guard let old = policies[id] else { throw .unknownPolicy(id, available: policyIDs) }
        let seed = configuration.seed ^ UInt64(meters.eventCounter.load(ordering: .relaxed)) &* 0x9E37_79B9_7F4A_7C15
        let live = try LivePolicy(specification: specification, seed: seed, mode: configuration.modes[id] ?? .online)
        if let fallback = old.serving.withLock({ $0.fallbackAction }) {
            let action = old.catalog.actions[fallback].id
            guard let index = live.catalog.index(of: action) else {
                throw .invalidField(field: "catalog", reason: "the kill switch serves '\(action.rawValue)', which this version lacks; turn the kill switch off first")
            }
            live.serving.withLock { $0.fallbackAction = index }
        }
        if let model { live.publish(model) }
        learner.drain()
        let previousModel = learner.model(id) ?? old.model
        learner.submit([.install(live, model: live.model)])
        learner.drain()
        meters.decisionCounts.withLock { $0[id] = Array(repeating: 0, count: live.catalog.count) }
        return (old, previousModel)
    }
}
