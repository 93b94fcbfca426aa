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
        try PolicySnapshot(kind: Self.kind, fingerprint: fingerprint, modelVersion: modelVersion,
                           state: SnapshotState(modelVersion: modelVersion, scorer: scorer, optimizer: optimizer, rewardBaseline: rewardBaseline))
    }

    /// Replaces the model state with `snapshot`'s.
    /// - Throws: `BanditsError.corruptSnapshot` for an unknown format, a checksum mismatch or a
    ///   payload of the wrong shape; `BanditsError.snapshotMismatch` for another kind or
    ///   configuration. Nothing changes on error.
    /// - Complexity: O(parameters).
    public mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        let state = try snapshot.state(SnapshotState.self, kind: Self.kind, fingerprint: fingerprint)
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
