import Foundation

/// Decodes `Decodable` values from JSON, rejecting every key that the decoded types do not
/// read, and reporting every error with its JSONPath and line:column.
///
/// Types need nothing special: the synthesized `Codable` conformance of a struct is enough.
/// While decoding, the decoder records which keys each object was asked for (a synthesized
/// `init(from:)` asks for every property, optional ones included); once decoding is done,
/// any other key is an ``AttuneCoreError/unknownKey(path:key:suggestion:location:)`` naming
/// the nearest key that was asked for.
///
/// ```
/// struct Explorer: Codable { var kind: String; var epsilon: Double? }
/// struct Policy: Codable { var id: String; var explorer: Explorer }
///
/// let policy = try StrictJSONDecoder().decode(Policy.self, from: data, source: "policy.json")
/// // {"id": "a", "explorer": {"kind": "epsilon_greedy", "epsilonn": 0.1}} throws
/// // policy.json:1:52: $.explorer.epsilonn: unknown key 'epsilonn': did you mean 'epsilon'? …
/// ```
///
/// A type with a custom `init(from:)` that reads a key only in some cases (or checks a key
/// with `contains` only) should call `container.contains(key)` for every key it accepts, so
/// that the decoder knows them. Readers of formats whose extra fields must be ignored (decision
/// logs) use `StrictJSONDecoder(unknownKeys: .ignore)` and keep the typed, located errors.
///
/// Beyond the standard `Codable` behaviour: `Date` reads ISO 8601 text or epoch seconds,
/// `URL` reads a string, integers accept integral literals such as `3.0`, and a
/// `String`-backed `CaseIterable` enumeration with an invalid value lists the valid ones.
/// The parser is strict RFC 8259: no comments, trailing commas, `NaN` or duplicate keys.
public struct StrictJSONDecoder: Sendable {
    /// What to do with keys that no decoded type reads.
    public enum UnknownKeyPolicy: Sendable, Hashable {
        /// Fail with ``AttuneCoreError/unknownKey(path:key:suggestion:location:)`` (the default).
        case reject
        /// Ignore them, as readers of logs with extra columns do.
        case ignore
    }

    /// What to do with keys that no decoded type reads.
    public var unknownKeys: UnknownKeyPolicy
    /// Values handed to `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    /// - Parameters:
    ///   - unknownKeys: `.reject` (the default) or `.ignore`.
    ///   - userInfo: Values handed to `init(from:)` through `Decoder.userInfo`.
    public init(unknownKeys: UnknownKeyPolicy = .reject, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.unknownKeys = unknownKeys
        self.userInfo = userInfo
    }

    // MARK: - Documents

    /// Decodes one JSON document.
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - data: The document, UTF-8.
    ///   - source: The document's name in error locations (a file path, `"request body"`).
    /// - Returns: The decoded value.
    /// - Throws: ``AttuneCoreError/invalidJSON(path:message:location:)`` for malformed JSON,
    ///   a wrong type, a missing key or a value the type rejects;
    ///   ``AttuneCoreError/unknownKey(path:key:suggestion:location:)`` for a key the type does
    ///   not read (unless ``unknownKeys`` is `.ignore`).
    /// - Complexity: O(n) in the document's size.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data, source: String = "input") throws(AttuneCoreError) -> T {
        let result: Result<T, AttuneCoreError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let locate = { (offset: Int) in Self.location(of: offset, in: bytes, from: 0, line: 1, source: source) }
            do throws(AttuneCoreError) {
                return .success(try decode(type, bytes: bytes, start: 0, end: bytes.count, locate: locate))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes one JSON document given as text.
    /// - Throws: As ``decode(_:from:source:)-(_,Data,_)``.
    /// - Complexity: O(n) in the document's size.
    public func decode<T: Decodable>(_ type: T.Type, from text: String, source: String = "input") throws(AttuneCoreError) -> T {
        try decode(type, from: Data(text.utf8), source: source)
    }

    /// Reads and decodes the JSON file at `path`; errors name the file.
    /// - Throws: ``AttuneCoreError/unreadableFile(path:reason:)`` when the file cannot be
    ///   read, otherwise as ``decode(_:from:source:)-(_,Data,_)``.
    /// - Complexity: O(n) in the file's size.
    public func decode<T: Decodable>(_ type: T.Type, contentsOfFile path: String) throws(AttuneCoreError) -> T {
        try decode(type, from: Self.read(path), source: path)
    }

    // MARK: - Shared implementation

    /// Parses `bytes[start..<end]`, decodes it, then checks for unknown keys.
    func decode<T: Decodable>(
        _ type: T.Type, bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int,
        locate: @escaping (Int) -> SourceLocation
    ) throws(AttuneCoreError) -> T {
        var parser = JSONParser(bytes: bytes, start: start, end: end, locate: locate)
        let root = try parser.parseDocument()
        let state = DecodingState(options: self, locate: locate)
        let decoder = NodeDecoder(state: state, node: root, path: [], codingPath: [])
        let value: T
        do {
            value = try decoder.decodeValue(type)
        } catch let error as AttuneCoreError {
            throw error
        } catch {
            throw .invalidJSON(path: "$", message: String(describing: error), location: locate(root.offset))
        }
        if unknownKeys == .reject {
            var path: [JSONPathComponent] = []
            if let error = state.firstUnknownKey(in: root, path: &path) { throw error }
        }
        return value
    }

    /// The line and column of byte `offset`, counting from byte `origin` on line `line`
    /// (columns count Unicode scalars, so UTF-8 continuation bytes are skipped).
    static func location(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>, from origin: Int, line: Int, source: String) -> SourceLocation {
        var line = line
        var column = 1
        var position = origin
        let target = Swift.min(offset, bytes.count)
        while position < target {
            let byte = bytes[position]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }
        return SourceLocation(source: source, line: line, column: column)
    }

    static func read(_ path: String) throws(AttuneCoreError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw .unreadableFile(path: path, reason: reason)
        }
    }
}
