import Bandits
import Foundation

// MARK: - Snapshots

extension SoftmaxPolicy {
    struct SnapshotState: Codable {
        var modelVersion: Int
        var scorer: Scorer
        var optimizer: Adam
        var rewardBaseline: Double
    }

    /// The complete model state (scorer parameters, optimiser moments, reward baseline,
    /// model version) as JSON, with this policy's kind and fingerprint.
    /// - Throws: `BanditsError.corruptSnapshot` if the state cannot be encoded.
    /// - Complexity: O(parameters).
    public func snapshot() throws(BanditsError) -> PolicySnapshot {
        let payload: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            payload = try encoder.encode(SnapshotState(modelVersion: modelVersion, scorer: scorer, optimizer: optimizer, rewardBaseline: rewardBaseline))
        } catch {
            throw .corruptSnapshot(reason: "cannot encode the model state: \(error)")
        }
        return PolicySnapshot(kind: Self.kind, fingerprint: fingerprint, modelVersion: modelVersion, payload: payload)
    }

    /// Replaces the model state with `snapshot`'s.
    /// - Throws: `BanditsError.corruptSnapshot` for an unknown format, a checksum mismatch or a
    ///   payload of the wrong shape; `BanditsError.snapshotMismatch` for another kind or
    ///   configuration. Nothing changes on error.
    /// - Complexity: O(parameters).
    public mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        try snapshot.validate(kind: Self.kind, fingerprint: fingerprint)
        let state: SnapshotState
        do {
            state = try JSONDecoder().decode(SnapshotState.self, from: snapshot.payload)
        } catch {
            throw .corruptSnapshot(reason: "cannot decode the model state: \(error)")
        }
        guard state.scorer.inputDimension == scorer.inputDimension, state.scorer.outputCount == scorer.outputCount,
              state.scorer.parameters.count == scorer.parameters.count, state.scorer.parameters.allSatisfy(\.isFinite),
              state.optimizer.m.count == scorer.parameters.count, state.optimizer.v.count == scorer.parameters.count,
              state.rewardBaseline.isFinite
        else { throw .corruptSnapshot(reason: "the model state does not have this policy's shape") }
        scorer = state.scorer
        optimizer = state.optimizer
        rewardBaseline = state.rewardBaseline
        modelVersion = state.modelVersion
    }
}
