import Bandits
import Foundation

// MARK: - Reload and rollback

extension Engine {
    /// What a reload, promotion or rollback did.
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

    /// Earlier versions of each policy (newest last) and the fingerprint of each policy's file
    /// version; guarded by one lock, so lifecycle changes of a policy happen one at a time.
    struct VersionHistory: Sendable {
        var earlier: [String: [(specification: PolicySpecification, model: any Policy)]] = [:]
        var fileFingerprints: [String: String] = [:]
    }

    /// How many earlier versions of each policy are kept for rollback.
    static let historyDepth = 5

    /// Serves a new version of a loaded policy, read from its file (an unchanged specification,
    /// by fingerprint, is left serving with its learned model): a fresh model from the new
    /// specification (its prior), the same mode, the kill switch carried over. The replaced
    /// version and its learned model are kept for `rollback`. Decisions of the old version whose
    /// windows close later teach the new model when their contexts fit it (a failure is
    /// recorded otherwise). With a data directory the versions are recorded there
    /// (`policy-versions.json`), so a restart serves the same version.
    /// - Throws: `EngineError.unknownPolicy`; `.invalidField` when the id differs, when the
    ///   kill switch's action is missing from the new catalog, or when the mode's baseline is;
    ///   `.policy` when the specification does not build. The old version keeps serving then.
    public func reload(_ specification: PolicySpecification) throws(EngineError) -> VersionChange {
        try history.withLock { (h: inout VersionHistory) throws(EngineError) -> VersionChange in
            if let current = policies[specification.id], current.specification.fingerprint == specification.fingerprint {
                // The same version: keep serving it with what it has learned.
                let changed = h.fileFingerprints[specification.id] != specification.fingerprint
                h.fileFingerprints[specification.id] = specification.fingerprint
                if changed { recordVersions(h) }
                return VersionChange(policyID: specification.id, fingerprint: specification.fingerprint,
                                     previousFingerprint: specification.fingerprint, earlierVersions: h.earlier[specification.id]?.count ?? 0)
            }
            let change = try replace(with: specification, model: nil, history: &h)
            h.fileFingerprints[specification.id] = specification.fingerprint
            recordVersions(h)
            return change
        }
    }

    /// Serves the previous version of a policy again, with the model it had learned when it was
    /// replaced; the current version is dropped. Recorded in the data directory, so a restart
    /// keeps serving the version rolled back to (until the policy file changes).
    /// - Throws: `EngineError.unknownPolicy`; `.invalidField(field: "version", …)` when there
    ///   is no earlier version; the errors of `reload` when it cannot be installed.
    public func rollback(policy policyID: String) throws(EngineError) -> VersionChange {
        let change = try history.withLock { (h: inout VersionHistory) throws(EngineError) -> VersionChange in
            _ = try policy(named: policyID)
            guard let earlier = h.earlier[policyID]?.last else {
                throw .invalidField(field: "version", reason: "policy '\(policyID)' has no earlier version; reload or promote a new version first")
            }
            let (current, _) = try install(earlier.specification, model: earlier.model)
            h.earlier[policyID]?.removeLast()
            recordVersions(h)
            return VersionChange(policyID: policyID, fingerprint: earlier.specification.fingerprint,
                                 previousFingerprint: current.specification.fingerprint, earlierVersions: h.earlier[policyID]?.count ?? 0)
        }
        // Checkpointed models are keyed by version: checkpoint now so that a crash keeps the restored model.
        try? checkpoint()
        return change
    }

    /// The specification of the version a rollback would serve.
    public func previousSpecification(of policyID: String) -> PolicySpecification? {
        history.withLock { $0.earlier[policyID]?.last?.specification }
    }

    /// Installs `specification` (with `model`, or its prior) and pushes the replaced version on
    /// the history (the caller holds the history lock).
    func replace(with specification: PolicySpecification, model: (any Policy)?, history h: inout VersionHistory) throws(EngineError) -> VersionChange {
        let (previous, previousModel) = try install(specification, model: model)
        h.earlier[specification.id, default: []].append((previous.specification, previousModel))
        if let n = h.earlier[specification.id]?.count, n > Self.historyDepth { h.earlier[specification.id]?.removeFirst(n - Self.historyDepth) }
        return VersionChange(policyID: specification.id, fingerprint: specification.fingerprint,
                             previousFingerprint: previous.specification.fingerprint, earlierVersions: h.earlier[specification.id]?.count ?? 0)
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
        return (old, previousModel)
    }

    // MARK: - Recorded versions

    /// Writes `policy-versions.json` for the current state (nothing without a data directory).
    /// A failure is reported by `/readyz` (as a checkpoint failure); serving goes on.
    func recordVersions(_ h: VersionHistory) {
        guard let directory = configuration.dataDirectory else { return }
        var versions = PolicyVersions()
        for id in policyIDs {
            guard let live = policies[id] else { continue }
            let earlier = (h.earlier[id] ?? []).map { PolicyVersions.Earlier(specification: $0.specification, model: try? $0.model.snapshot()) }
            versions.policies[id] = PolicyVersions.Record(fileFingerprint: h.fileFingerprints[id] ?? live.specification.fingerprint,
                                                          served: live.specification, earlier: earlier)
        }
        do throws(EngineError) {
            try versions.write(toDirectory: directory)
        } catch {
            meters.checkpoint.withLock { $0.failure = "policy versions not recorded: \(error.description)" }
        }
    }

    /// The versions to serve at start (see ``PolicyVersions/resolve(files:)``).
    static func recordedVersions(files: [PolicySpecification], directory: String?, prebuilt: Set<String> = []) throws(EngineError)
        -> (served: [PolicySpecification], kept: [String: PolicyVersions.Record], notes: [String]) {
        guard let directory else { return (files, [:], []) }
        var resolved = try PolicyVersions.read(fromDirectory: directory).resolve(files: files)
        // A prebuilt model serves its own file's version: a recorded version (from before the
        // policy was served from a model) would put the model under another specification.
        for (i, file) in files.enumerated() where prebuilt.contains(file.id) && resolved.kept[file.id] != nil {
            resolved.served[i] = file
            resolved.kept[file.id] = nil
            resolved.notes.append("\(file.id): serves the model built from its file; the versions recorded for it are set aside")
        }
        return resolved
    }

    /// Fills the history from the recorded versions at start (earlier models from their
    /// snapshots; one that no longer restores starts from its prior) and rewrites the record.
    func restoreHistory(files: [PolicySpecification], kept: [String: PolicyVersions.Record]) {
        history.withLock { h in
            for file in files { h.fileFingerprints[file.id] = file.fingerprint }
            for (id, record) in kept {
                h.earlier[id] = record.earlier.compactMap { e -> (specification: PolicySpecification, model: any Policy)? in
                    guard var model = try? e.specification.makePolicy() else { return nil }
                    if let snapshot = e.model { try? model.restore(from: snapshot) }
                    return (e.specification, model)
                }
            }
            if let directory = configuration.dataDirectory,
               !kept.isEmpty || FileManager.default.fileExists(atPath: directory + "/" + PolicyVersions.fileName) {
                recordVersions(h)
            }
        }
    }
}
