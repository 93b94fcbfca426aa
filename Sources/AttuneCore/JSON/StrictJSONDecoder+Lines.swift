import Foundation

/// What a JSON Lines reader does with a line that does not decode.
public enum MalformedLinePolicy: Sendable, Hashable {
    /// Stop at the first bad line and throw its error.
    case fail
    /// Skip the line, keep its error in ``JSONLines/skipped``, and go on.
    case skip
}

/// The records of a JSON Lines document: the decoded values with their line numbers, and
/// the errors of the lines that were skipped.
public struct JSONLines<Element> {
    /// The decoded records, in file order.
    public var values: [Element]
    /// The 1-based line number of each element of ``values``.
    public var lineNumbers: [Int]
    /// One error per skipped line (only with ``MalformedLinePolicy/skip``), each locating its line.
    public var skipped: [AttuneCoreError]
}

extension JSONLines: Sendable where Element: Sendable {}

extension StrictJSONDecoder {
    /// Decodes a JSON Lines document: one JSON value per line; blank lines are ignored.
    ///
    /// Every error is located at its line (`events.jsonl:812:17: $.value: expected a number, got …`).
    /// - Parameters:
    ///   - type: The type of each record.
    ///   - data: The document, UTF-8, lines ended by `\n` or `\r\n`.
    ///   - source: The document's name in error locations.
    ///   - malformedLines: `.fail` (the default) to stop at the first bad line, `.skip` to
    ///     collect its error and go on.
    /// - Returns: The records, their line numbers and the skipped lines' errors.
    /// - Throws: With `.fail`, the first line's ``AttuneCoreError`` (as
    ///   ``decode(_:from:source:)-(_,Data,_)``).
    /// - Complexity: O(n) in the document's size.
    public func decodeLines<T: Decodable>(
        _ type: T.Type, from data: Data, source: String = "input", malformedLines: MalformedLinePolicy = .fail
    ) throws(AttuneCoreError) -> JSONLines<T> {
        let result: Result<JSONLines<T>, AttuneCoreError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines = JSONLines<T>(values: [], lineNumbers: [], skipped: [])
            var lineStart = 0
            var lineNumber = 1
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                if !Self.isBlank(bytes, lineStart, lineEnd) {
                    let (origin, line) = (lineStart, lineNumber)
                    let locate = { (offset: Int) in Self.location(of: offset, in: bytes, from: origin, line: line, source: source) }
                    do throws(AttuneCoreError) {
                        lines.values.append(try decode(type, bytes: bytes, start: lineStart, end: lineEnd, locate: locate))
                        lines.lineNumbers.append(lineNumber)
                    } catch {
                        guard malformedLines == .skip else { return .failure(error) }
                        lines.skipped.append(error)
                    }
                }
                lineStart = lineEnd + 1
                lineNumber += 1
            }
            return .success(lines)
        }
        return try result.get()
    }

    /// Reads and decodes the JSON Lines file at `path`; errors name the file.
    /// - Throws: ``AttuneCoreError/unreadableFile(path:reason:)`` when the file cannot be
    ///   read, otherwise as ``decodeLines(_:from:source:malformedLines:)``.
    /// - Complexity: O(n) in the file's size.
    public func decodeLines<T: Decodable>(
        _ type: T.Type, contentsOfFile path: String, malformedLines: MalformedLinePolicy = .fail
    ) throws(AttuneCoreError) -> JSONLines<T> {
        try decodeLines(type, from: Self.read(path), source: path, malformedLines: malformedLines)
    }

    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        (start..<end).allSatisfy { bytes[$0] == 0x20 || bytes[$0] == 0x09 || bytes[$0] == 0x0D }
    }
}
