/// A parser of CSV event records (RFC 4180: comma-separated, fields optionally in double
/// quotes with `""` for a quote inside), with columns named by a header line.
///
/// The header must name `customer_id`, `timestamp` and `type`; the other known columns
/// (`channel`, `value`, `quantity` or `items`, `category`, `duration_s`, `query`, `sku`,
/// `text`, `rating`, `discount`) are optional, unknown columns are ignored and an empty
/// cell means "absent".
///
/// ```
/// var parser = try CSVLineParser(header: "customer_id,timestamp,type,value")
/// let event = try parser.parse("c1,2024-03-01T10:00:00Z,purchase,19.90", line: 2)
/// ```
///
/// ## References
/// RFC 4180, "Common Format and MIME Type for Comma-Separated Values (CSV) Files".
public struct CSVLineParser: Sendable {
    /// The field of each column (`nil` for ignored columns).
    private let fields: [EventField?]

    /// Creates a parser for records laid out as `header` says.
    /// - Throws: ``SegmentationError/invalidHeader(reason:)`` when a required column is
    ///   missing or a known column appears twice.
    public init(header: String) throws(SegmentationError) {
        var copy = header
        var result: Result<[EventField?], SegmentationError> = .success([])
        copy.withUTF8 { bytes in
            do throws(SegmentationError) { result = .success(try CSVLineParser.columns(bytes)) } catch { result = .failure(error) }
        }
        fields = try result.get()
    }

    /// Creates a parser from the header line's bytes.
    /// - Throws: ``SegmentationError/invalidHeader(reason:)`` as ``init(header:)``.
    public init(header bytes: UnsafeBufferPointer<UInt8>) throws(SegmentationError) {
        fields = try CSVLineParser.columns(bytes)
    }

    private static func columns(_ bytes: UnsafeBufferPointer<UInt8>) throws(SegmentationError) -> [EventField?] {
        var fields: [EventField?] = []
        var seen = Set<EventField>()
        var trimmed = bytes
        // A UTF-8 byte-order mark is common in spreadsheet exports.
        if trimmed.count >= 3, trimmed[0] == 0xEF, trimmed[1] == 0xBB, trimmed[2] == 0xBF {
            trimmed = UnsafeBufferPointer(rebasing: trimmed[3...])
        }
        do {
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: trimmed.count + 1) { (scratch) throws(SegmentationError) in
            var arena = EventArena(scratch)
            try forEachCell(trimmed, line: 1, arena: &arena) { (cell, _, _) throws(SegmentationError) in
                let name = String(decoding: cell, as: UTF8.self).trimmingASCIIWhitespace().lowercased()
                let field = name.utf8.withContiguousStorageIfAvailable { EventField.parse($0) } ?? nil
                if let field {
                    guard seen.insert(field).inserted else { throw .invalidHeader(reason: "column \(name) appears twice") }
                }
                fields.append(field)
            }
            }
        } catch {
            if case .invalidHeader = error { throw error }
            throw .invalidHeader(reason: "\(error)")
        }
        for required in [EventField.customerID, .timestamp, .type] where !seen.contains(required) {
            throw .invalidHeader(reason: "missing the required column \(required.name)")
        }
        return fields
    }

    /// Parses one record given as text.
    /// - Throws: ``SegmentationError/malformedEvent(_:)`` naming the line and the problem.
    public mutating func parse(_ line: String, line number: Int) throws(SegmentationError) -> Event {
        try Array(line.utf8).withUnsafeBufferPointer { (bytes) throws(SegmentationError) in try parse(bytes, line: number) }
    }

    /// Parses one record given as UTF-8 bytes (without the record terminator).
    /// - Throws: ``SegmentationError/malformedEvent(_:)`` naming the line, the field and the
    ///   problem (wrong number of cells, unterminated quote, bad value).
    /// - Complexity: O(length of the record).
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(SegmentationError) -> Event {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + EventArena.reserve) {
            (scratch) throws(SegmentationError) -> Event in
            var arena = EventArena(scratch)
            return try view(bytes, line: line, arena: &arena).event
        }
    }

    /// Parses one record into a view over `bytes` and `arena` (room for
    /// `bytes.count + EventArena.reserve` bytes).
    /// - Throws: ``SegmentationError/malformedEvent(_:)``.
    func view(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, arena: inout EventArena) throws(SegmentationError) -> EventView {
        var builder = EventViewBuilder()
        var column = 0
        let fields = self.fields
        try CSVLineParser.forEachCell(bytes, line: line, arena: &arena) { (cell, _, arena) throws(SegmentationError) in
            guard column < fields.count else {
                throw .malformedEvent(.init(line: line, reason: "more cells than the header's \(fields.count) columns"))
            }
            if let field = fields[column] { try builder.setText(cell, for: field, line: line, arena: &arena) }
            column += 1
        }
        guard column == fields.count else {
            throw .malformedEvent(.init(line: line, reason: "\(column) cells, the header has \(fields.count) columns"))
        }
        return try builder.build(line: line)
    }

    /// Calls `body` with each cell of the record, unquoted, decoding quoted cells into
    /// `scratch` (grown to the record's length as needed).
    static func forEachCell(
        _ b: UnsafeBufferPointer<UInt8>, line: Int, scratch: inout [UInt8],
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(SegmentationError) -> Void
    ) throws(SegmentationError) {
        if scratch.count < b.count + 1 { scratch = [UInt8](repeating: 0, count: b.count + 1) }
        try scratch.withUnsafeMutableBufferPointer { (buffer) throws(SegmentationError) in
            var arena = EventArena(buffer)
            try forEachCell(b, line: line, arena: &arena) { (cell, column, _) throws(SegmentationError) in try body(cell, column) }
        }
    }

    /// Calls `body` with each cell of the record, unquoted.
    /// Quoted cells are unescaped into `arena` (never longer than their source), so every
    /// cell handed out stays valid until the record is done.
    static func forEachCell(
        _ b: UnsafeBufferPointer<UInt8>, line: Int, arena: inout EventArena,
        _ body: (UnsafeBufferPointer<UInt8>, Int, inout EventArena) throws(SegmentationError) -> Void
    ) throws(SegmentationError) {
        var end = b.count
        if end > 0, b[end - 1] == 0x0D { end -= 1 }
        var i = 0
        var column = 0
        while true {
            if i < end, b[i] == UInt8(ascii: "\"") {
                let cellStart = arena.used
                i += 1
                var closed = false
                while i < end {
                    let c = b[i]
                    i += 1
                    if c == UInt8(ascii: "\"") {
                        if i < end, b[i] == UInt8(ascii: "\"") {
                            arena.append(c)
                            i += 1
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        arena.append(c)
                    }
                }
                guard closed else { throw .malformedEvent(.init(line: line, reason: "unterminated quoted cell in column \(column + 1)")) }
                guard i == end || b[i] == UInt8(ascii: ",") else {
                    throw .malformedEvent(.init(line: line, reason: "text after a closing quote in column \(column + 1)"))
                }
                try body(arena.slice(from: cellStart), column, &arena)
            } else {
                let start = i
                while i < end, b[i] != UInt8(ascii: ",") { i += 1 }
                try body(UnsafeBufferPointer(rebasing: b[start..<i]), column, &arena)
            }
            column += 1
            if i >= end { return }
            i += 1  // the comma
            if i == end {
                try body(UnsafeBufferPointer(rebasing: b[end..<end]), column, &arena)
                return
            }
        }
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
