import Foundation

// MARK: - Snapshots

extension ContextualBandit {
    /// The complete model state: the scorer (statistics and hyper-parameters) and the model
    /// version, as JSON, with this policy's kind and fingerprint.
    ///
    /// JSON numbers are written in their shortest round-tripping form, so a restored policy
    /// holds bit-identical state and makes bit-identical decisions for the same generator.
    /// - Throws: `BanditsError.corruptSnapshot` if the state cannot be encoded.
    /// - Complexity: O(size of the model state).
    public func snapshot() throws(BanditsError) -> PolicySnapshot {
        try PolicySnapshot(kind: Self.kind, fingerprint: fingerprint, modelVersion: modelVersion,
                           state: SnapshotState(modelVersion: modelVersion, scorer: scorer))
    }

    /// Replaces the model state with `snapshot`'s.
    /// - Throws: `BanditsError.corruptSnapshot` for an unknown format or a checksum mismatch,
    ///   `BanditsError.snapshotMismatch` when the snapshot was taken from another kind of
    ///   policy, another configuration or another policy file. Nothing changes on error.
    /// - Complexity: O(size of the model state).
    public mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        let state = try snapshot.state(SnapshotState.self, kind: Self.kind, fingerprint: fingerprint)
        guard state.scorer.configuration == scorer.configuration,
              state.scorer.actionCount == scorer.actionCount,
              state.scorer.contextDimension == scorer.contextDimension
        else {
            throw .snapshotMismatch(reason: "its model has another configuration or shape")
        }
        guard state.modelVersion == snapshot.modelVersion, state.modelVersion >= 0 else {
            throw .corruptSnapshot(reason: "model version \(state.modelVersion) in the payload, \(snapshot.modelVersion) in the header")
        }
        scorer = state.scorer
        modelVersion = state.modelVersion
    }

    struct SnapshotState: Codable {
        var modelVersion: Int
        var scorer: S

        enum CodingKeys: String, CodingKey {
            case modelVersion = "model_version"
            case scorer
        }
    }

    struct Identity: Encodable {
        var kind: String
        var configuration: S.Configuration
        var actionCount: Int
        var contextDimension: Int
        var explorer: E
        var catalog: ActionCatalog
        var seed: UInt64
        var salt: String
    }

    /// FNV-1a 64 of the canonical JSON of everything that defines the configuration.
    static func makeFingerprint(catalog: ActionCatalog, scorer: S, explorer: E, seed: UInt64, salt: String) throws(BanditsError) -> String {
        let identity = Identity(kind: kind, configuration: scorer.configuration, actionCount: scorer.actionCount,
                                contextDimension: scorer.contextDimension, explorer: explorer, catalog: catalog,
                                seed: seed, salt: salt)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return PolicySnapshot.fnv1a64(try encoder.encode(identity))
        } catch {
            throw .invalidParameter(field: "configuration", value: "\(scorer.configuration)", expected: "finite hyper-parameters (\(error))")
        }
    }
}
