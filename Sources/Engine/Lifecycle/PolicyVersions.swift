import Bandits
import Foundation

/// The versions of each policy recorded in the data directory (`policy-versions.json`), so that
/// a promotion or a rollback outlives a restart: the version served, the earlier versions kept
/// for rollback (with the models they had learned), and the fingerprint of the policy file
/// they were derived from.
///
/// At start, a policy whose file still has the recorded `file_fingerprint` is served at the
/// recorded version (its model then comes from the checkpoint, which is keyed by that version's
/// fingerprint); a policy whose file changed since is served from the file and its record is
/// dropped: an edited file is a new decision by its owner.
///
/// ```json
/// {"format": "attune.policy-versions/1",
///  "policies": {"offers-linucb": {"file_fingerprint": "…", "served": {…policy…},
///                                 "earlier": [{"specification": {…policy…}, "model": {…snapshot…}}]}}}
/// ```
struct PolicyVersions: Sendable, Codable, Equatable {
    /// The format tag of this layout.
    static let currentFormat = "attune.policy-versions/1"
    /// The file name inside the data directory.
    static let fileName = "policy-versions.json"

    /// One earlier version: its specification and the model it had learned when replaced
    /// (`nil` when the model could not be snapshotted: it then restarts from its prior).
    struct Earlier: Sendable, Codable, Equatable {
        var specification: PolicySpecification
        var model: PolicySnapshot?
    }

    /// What is recorded for one policy.
    struct Record: Sendable, Codable, Equatable {
        /// The fingerprint of the specification the policy file held (at start or last reload).
        var fileFingerprint: String
        /// The version served.
        var served: PolicySpecification
        /// Earlier versions, newest last.
        var earlier: [Earlier]

        enum CodingKeys: String, CodingKey {
            case fileFingerprint = "file_fingerprint"
            case served, earlier
        }
    }

    var format = Self.currentFormat
    var policies: [String: Record] = [:]

    /// Reads the record of a data directory; an empty record when there is none.
    /// - Throws: `EngineError.checkpoint` naming the file when it exists but cannot be decoded.
    static func read(fromDirectory directory: String) throws(EngineError) -> PolicyVersions {
        try AtomicFile.readJSON(PolicyVersions.self, fromDirectory: directory, name: fileName, format: \.format,
                                expectedFormat: currentFormat, what: "the recorded policy versions") ?? PolicyVersions()
    }

    /// Writes atomically (temporary file, fsync, rename, directory fsync).
    /// - Throws: `EngineError.checkpoint` on any I/O failure.
    func write(toDirectory directory: String) throws(EngineError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            data = try encoder.encode(self)
        } catch {
            throw .checkpoint(path: directory + "/" + Self.fileName, reason: "cannot encode the policy versions (\(error))")
        }
        try AtomicFile.write(data, toDirectory: directory, name: Self.fileName)
    }

    /// The versions to serve at start: for each file specification, the recorded version when
    /// the file is unchanged since the record, the file's otherwise.
    /// - Returns: The specifications to serve (same order), the recorded records still valid
    ///   (by policy id), and one note per policy served at a recorded version.
    func resolve(files: [PolicySpecification]) -> (served: [PolicySpecification], kept: [String: Record], notes: [String]) {
        var served: [PolicySpecification] = []
        var kept: [String: Record] = [:]
        var notes: [String] = []
        for file in files {
            guard let record = policies[file.id], record.fileFingerprint == file.fingerprint, record.served.id == file.id else {
                served.append(file)
                continue
            }
            served.append(record.served)
            kept[file.id] = record
            if record.served.fingerprint != file.fingerprint {
                notes.append("\(file.id): serving recorded version \(record.served.fingerprint) (file \(file.fingerprint))")
            }
        }
        return (served, kept, notes)
    }
}
