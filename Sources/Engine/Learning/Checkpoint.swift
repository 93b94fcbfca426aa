#if canImport(Glibc)
import Glibc
#endif
import Bandits
import Foundation

/// Everything needed to resume after a crash without replaying the whole log: the model of
/// every policy, the reward joiner's open windows, and the journal position they reflect.
///
/// Recovery restores it, then replays the journal entries after `sequence`.
public struct Checkpoint: Sendable, Codable, Equatable {
    /// The format tag of this layout.
    public static let currentFormat = "attune.checkpoint/2"
    /// The first layout, whose open windows carried whole decisions; still read.
    static let firstFormat = "attune.checkpoint/1"
    /// The file name inside the data directory.
    public static let fileName = "checkpoint.json"

    /// Format tag.
    public var format: String
    /// When it was taken (seconds since 1970).
    public var createdAt: Double
    /// The last journal sequence whose effects the models and the joiner include.
    public var sequence: Int64
    /// Model snapshots by policy id.
    public var policies: [String: PolicySnapshot]
    /// The reward joiner's state, open windows by journal sequence.
    public var joiner: RewardJoiner.CheckpointState

    /// Creates a checkpoint.
    public init(createdAt: Double, sequence: Int64, policies: [String: PolicySnapshot], joiner: RewardJoiner.CheckpointState) {
        self.format = Self.currentFormat
        self.createdAt = createdAt
        self.sequence = sequence
        self.policies = policies
        self.joiner = joiner
    }

    /// Writes atomically: a temporary file, fsync, rename over the old file, fsync of the directory;
    /// a crash at any point leaves either the old or the new checkpoint, never a torn one.
    /// - Throws: `EngineError.checkpoint` on any I/O failure.
    public func write(toDirectory directory: String) throws(EngineError) {
        let path = directory + "/" + Self.fileName
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            data = try encoder.encode(self)
        } catch {
            throw .checkpoint(path: path, reason: "cannot encode (\(error))")
        }
        try AtomicFile.write(data, toDirectory: directory, name: Self.fileName)
    }

    /// Reads the checkpoint of a data directory; `nil` when there is none.
    /// - Throws: `EngineError.checkpoint` when the file exists but is damaged.
    public static func read(fromDirectory directory: String) throws(EngineError) -> Checkpoint? {
        // Both layouts decode to the current one (open windows by reference).
        try AtomicFile.readJSON(Checkpoint.self, fromDirectory: directory, name: fileName,
                                format: { $0.format == firstFormat ? currentFormat : $0.format }, expectedFormat: currentFormat)
    }
}

/// Whole-file replacement that survives crashes: a temporary file, fsync, rename over the old
/// file, fsync of the directory; a crash at any point leaves the old or the new file, never a torn one.
enum AtomicFile {
    /// Writes `data` to `directory/name`.
    /// - Throws: `EngineError.checkpoint` naming the file on any I/O failure.
    static func write(_ data: Data, toDirectory directory: String, name: String) throws(EngineError) {
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .checkpoint(path: temporary, reason: "cannot create (\(String(cString: strerror(errno))))") }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let n = Glibc.write(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw .checkpoint(path: temporary, reason: "cannot write (\(failure))")
        }
        guard rename(temporary, path) == 0 else {
            throw .checkpoint(path: path, reason: "cannot rename into place (\(String(cString: strerror(errno))))")
        }
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Decodes the JSON file `directory/name` written by ``write(_:toDirectory:name:)``;
    /// `nil` when there is no such file. Non-finite numbers are read as the strings `"inf"`,
    /// `"-inf"` and `"nan"`.
    /// - Parameters:
    ///   - format: The value's format tag, checked against `expectedFormat`.
    ///   - what: What the file holds, for the error message (e.g. "the recorded policy versions").
    /// - Throws: `EngineError.checkpoint` naming the file when it exists but cannot be read or
    ///   decoded, or carries another format.
    static func readJSON<Value: Decodable>(_ type: Value.Type, fromDirectory directory: String, name: String,
                                           format: (Value) -> String, expectedFormat: String,
                                           what: String = "") throws(EngineError) -> Value? {
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let value: Value
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            value = try decoder.decode(Value.self, from: data)
        } catch {
            throw .checkpoint(path: path, reason: "cannot read\(what.isEmpty ? "" : " " + what) (\(error))")
        }
        guard format(value) == expectedFormat else {
            throw .checkpoint(path: path, reason: "unknown format '\(format(value))'")
        }
        return value
    }
}
