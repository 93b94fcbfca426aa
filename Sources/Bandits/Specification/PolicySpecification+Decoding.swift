import AttuneCore
import Foundation

// MARK: - Strict decoding and fingerprint

extension PolicySpecification {
    /// Reads a policy file strictly and validates it.
    ///
    /// Unknown keys, wrong types and missing keys are errors naming their JSON path and
    /// line:column (`policies/x.json:7:19: $.explorer.epsilonn`), with the nearest known key
    /// when a key looks misspelled; then ``validate()`` checks ranges and consistency.
    /// - Parameters:
    ///   - data: The file's bytes (UTF-8 JSON).
    ///   - source: The file's name, used in error locations.
    /// - Throws: `BanditsError.invalidSpecification` naming the path, the problem and the fix.
    /// - Complexity: O(size of the file) plus O(catalog size × features) for validation.
    public init(decoding data: Data, source: String = "policy") throws(BanditsError) {
        do {
            self = try StrictJSONDecoder().decode(PolicySpecification.self, from: data, source: source)
        } catch {
            switch error {
            case .unknownKey(let path, let key, let suggestion, let location):
                throw .invalidSpecification(
                    path: Self.located(path, location), problem: "unknown key '\(key)'",
                    fix: suggestion.map { "did you mean '\($0)'? unknown keys are rejected so that a typo is never ignored" }
                        ?? "remove it: unknown keys are rejected so that a typo is never ignored")
            case .invalidJSON(let path, let message, let location):
                throw .invalidSpecification(path: Self.located(path, location), problem: message,
                                            fix: "write it as the attune.policy/1 format describes (see policies/ for examples)")
            default:
                throw .invalidSpecification(path: source, problem: error.description, fix: "check the file")
            }
        }
        try validate()
    }

    /// Reads and validates the policy file at `path`.
    /// - Throws: `BanditsError.invalidSpecification` when the file cannot be read or is invalid.
    public init(contentsOf path: String) throws(BanditsError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .invalidSpecification(path: path, problem: "cannot read the file (\(error.localizedDescription))",
                                        fix: "check the path and its permissions")
        }
        try self.init(decoding: data, source: path)
    }

    /// FNV-1a 64 of the canonical JSON form (sorted keys) of the specification: identifies
    /// the policy file in snapshots, so a snapshot of another file is refused.
    /// - Complexity: O(size of the specification).
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Every field is a finite number, a string, or a collection of them after validation,
        // so encoding succeeds; an empty payload still gives a stable fingerprint.
        return PolicySnapshot.fnv1a64((try? encoder.encode(self)) ?? Data())
    }

    private static func located(_ path: String, _ location: SourceLocation?) -> String {
        location.map { "\($0): \(path)" } ?? path
    }
}
