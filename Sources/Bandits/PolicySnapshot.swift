import Foundation

/// A policy's complete model state, with what is needed to refuse restoring it into the
/// wrong policy and to detect damage.
///
/// Serialized as JSON (``encoded()`` / ``init(decoding:)``). `fingerprint` identifies the
/// policy's kind and configuration (e.g. a hash of the policy file's canonical form);
/// `checksum` is FNV-1a 64 over `payload`.
public struct PolicySnapshot: Sendable, Equatable, Codable {
    /// Snapshot format version; readers refuse versions they do not know.
    public static let currentFormat = "attune.snapshot/1"

    /// The format version this snapshot was written in.
    public var format: String
    /// The policy kind, e.g. `"linucb"`.
    public var kind: String
    /// Identifies the configuration the state belongs to.
    public var fingerprint: String
    /// The model version at snapshot time.
    public var modelVersion: Int
    /// The serialized model state (kind-specific).
    public var payload: Data
    /// FNV-1a 64 of `payload`, as 16 hex digits.
    public var checksum: String

    enum CodingKeys: String, CodingKey {
        case format, kind, fingerprint
        case modelVersion = "model_version"
        case payload, checksum
    }

    /// Wraps a payload, computing its checksum.
    public init(kind: String, fingerprint: String, modelVersion: Int, payload: Data) {
        self.format = PolicySnapshot.currentFormat
        self.kind = kind
        self.fingerprint = fingerprint
        self.modelVersion = modelVersion
        self.payload = payload
        self.checksum = PolicySnapshot.fnv1a64(payload)
    }

    /// Wraps a policy's model state, encoded as JSON with sorted keys (numbers in their
    /// shortest round-tripping form, so a restore gives bit-identical state).
    /// - Throws: `BanditsError.corruptSnapshot` if the state cannot be encoded.
    public init(kind: String, fingerprint: String, modelVersion: Int, state: some Encodable) throws(BanditsError) {
        let payload: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            payload = try encoder.encode(state)
        } catch {
            throw .corruptSnapshot(reason: "cannot encode the model state: \(error)")
        }
        self.init(kind: kind, fingerprint: fingerprint, modelVersion: modelVersion, payload: payload)
    }

    /// The model state of a snapshot checked by ``validate(kind:fingerprint:)``, decoded from
    /// its JSON payload; the caller checks its shape against the policy it restores into.
    /// - Throws: `BanditsError.corruptSnapshot` or `.snapshotMismatch` as `validate` does, and
    ///   `.corruptSnapshot` when the payload does not decode as `State`.
    public func state<State: Decodable>(_ type: State.Type, kind expectedKind: String,
                                        fingerprint expectedFingerprint: String) throws(BanditsError) -> State {
        try validate(kind: expectedKind, fingerprint: expectedFingerprint)
        do {
            return try JSONDecoder().decode(State.self, from: payload)
        } catch {
            throw .corruptSnapshot(reason: "the model state does not decode: \(error)")
        }
    }

    /// Checks format, kind, fingerprint and checksum before a restore.
    /// - Throws: `BanditsError.corruptSnapshot` or `BanditsError.snapshotMismatch`.
    public func validate(kind expectedKind: String, fingerprint expectedFingerprint: String) throws(BanditsError) {
        guard format == PolicySnapshot.currentFormat else {
            throw .corruptSnapshot(reason: "unknown format '\(format)' (this build reads \(PolicySnapshot.currentFormat))")
        }
        guard checksum == PolicySnapshot.fnv1a64(payload) else {
            throw .corruptSnapshot(reason: "checksum mismatch")
        }
        guard kind == expectedKind else {
            throw .snapshotMismatch(reason: "it holds a '\(kind)' model, this policy is '\(expectedKind)'")
        }
        guard fingerprint == expectedFingerprint else {
            throw .snapshotMismatch(reason: "it was taken from a different policy configuration (fingerprint \(fingerprint), expected \(expectedFingerprint))")
        }
    }

    /// The snapshot as JSON bytes.
    /// - Throws: `BanditsError.corruptSnapshot` if encoding fails.
    public func encoded() throws(BanditsError) -> Data {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return try encoder.encode(self)
        } catch {
            throw .corruptSnapshot(reason: "cannot encode: \(error)")
        }
    }

    /// Reads a snapshot from JSON bytes.
    /// - Throws: `BanditsError.corruptSnapshot` when the bytes are not a snapshot.
    public init(decoding data: Data) throws(BanditsError) {
        do {
            self = try JSONDecoder().decode(PolicySnapshot.self, from: data)
        } catch {
            throw .corruptSnapshot(reason: "not a snapshot: \(error)")
        }
    }

    /// FNV-1a 64-bit hash of `data`, as 16 lowercase hex digits.
    public static func fnv1a64(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
