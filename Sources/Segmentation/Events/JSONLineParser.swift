/// A hand-written parser of one JSON Lines event: a single JSON object per line.
///
/// It reads only what an ``Event`` needs and skips every other value (nested objects and
/// arrays included) without building it, so a line costs one pass over its bytes. Strings are
/// scanned eight bytes at a time and handed on as slices of the line; only strings with
/// escapes are decoded (all JSON escapes, `\uXXXX` surrogate pairs included), into a
/// per-line arena. The readers feed these byte views straight to the profile table, so the
/// ingestion path creates no `String`; ``parse(_:line:)-(UnsafeBufferPointer<UInt8>,_)``
/// makes an owned ``Event``. It is strict about JSON syntax: a malformed line is reported,
/// never guessed at.
///
/// ```
/// var parser = JSONLineParser()
/// let event = try parser.parse(#"{"customer_id":"c1","timestamp":1709296496,"type":"purchase","value":42.5}"#, line: 1)
/// ```
///
/// ## References
/// RFC 8259 (JSON); JSON Lines, https://jsonlines.org.
public struct JSONLineParser: Sendable {
    /// Creates a parser.
    public init() {}

    /// Parses one line of text.
    /// - Throws: ``SegmentationError/malformedEvent(_:)`` naming the line and the problem.
    /// - Complexity: O(length of the line).
    public mutating func parse(_ line: String, line number: Int) throws(SegmentationError) -> Event {
        try Array(line.utf8).withUnsafeBufferPointer { (bytes) throws(SegmentationError) in try parse(bytes, line: number) }
    }

    /// Parses one line given as UTF-8 bytes (without its line terminator).
    /// - Throws: ``SegmentationError/malformedEvent(_:)`` naming the line, the field when
    ///   there is one, and the problem.
    /// - Complexity: O(length of the line).
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(SegmentationError) -> Event {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + EventArena.reserve) {
            (scratch) throws(SegmentationError) -> Event in
            var arena = EventArena(scratch)
            return try JSONLineParser.view(bytes, line: line, arena: &arena).event
        }
    }

    /// Parses one line into a view over `bytes` and `arena` (which must have room for
    /// `bytes.count + EventArena.reserve` bytes): the allocation-free path of the readers.
    /// - Throws: ``SegmentationError/malformedEvent(_:)``.
    /// - Complexity: O(length of the line).
    static func view(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, arena: inout EventArena) throws(SegmentationError) -> EventView {
        var cursor = Cursor(bytes: bytes, line: line)
        var builder = EventViewBuilder()
        cursor.skipWhitespace()
        try cursor.expect(UInt8(ascii: "{"), "a JSON object starting with {")
        cursor.skipWhitespace()
        if cursor.peek == UInt8(ascii: "}") {
            cursor.index += 1
        } else {
            while true {
                cursor.skipWhitespace()
                let field = EventField.parse(try cursor.string(arena: &arena))
                cursor.skipWhitespace()
                try cursor.expect(UInt8(ascii: ":"), "':' after a key")
                cursor.skipWhitespace()
                if let field {
                    try readValue(of: field, cursor: &cursor, into: &builder, arena: &arena)
                } else {
                    try cursor.skipValue(depth: 0)
                }
                cursor.skipWhitespace()
                guard let c = cursor.peek else { throw cursor.problem("unterminated object; expected ',' or '}'") }
                cursor.index += 1
                if c == UInt8(ascii: "}") { break }
                guard c == UInt8(ascii: ",") else { throw cursor.problem("expected ',' or '}' after a value") }
            }
        }
        cursor.skipWhitespace()
        guard cursor.index == bytes.count else { throw cursor.problem("unexpected text after the object") }
        return try builder.build(line: line)
    }

    private static func readValue(
        of field: EventField, cursor: inout Cursor, into builder: inout EventViewBuilder, arena: inout EventArena
    ) throws(SegmentationError) {
        guard let c = cursor.peek else { throw cursor.problem("missing value", field: field) }
        switch c {
        case UInt8(ascii: "\""):
            let text = try cursor.string(arena: &arena)
            try builder.setText(text, for: field, line: cursor.line, arena: &arena)
        case UInt8(ascii: "n"):
            try cursor.literal("null")
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            let value = c == UInt8(ascii: "t")
            try cursor.literal(value ? "true" : "false")
            guard field == .discount else { throw cursor.problem("expected \(field == .customerID ? "text" : "a number"), got \(value)", field: field) }
            builder.discount = value ? 1 : 0
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw cursor.problem("expected a single value, got an \(c == UInt8(ascii: "{") ? "object" : "array")", field: field)
        default:
            if let number = cursor.smallInteger() {
                try builder.setNumber(number, for: field, line: cursor.line, arena: &arena)
                return
            }
            let token = cursor.numberToken()
            guard let number = NumberParser.parse(token) else {
                throw cursor.problem("expected a value, got \"\(String(decoding: token, as: UTF8.self))\"", field: field)
            }
            try builder.setNumber(number, for: field, line: cursor.line, arena: &arena)
        }
    }
}

// MARK: - Cursor

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let line: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        self.bytes = bytes
        self.line = line
    }

    @inline(__always) var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func problem(_ reason: String, field: EventField? = nil) -> SegmentationError {
        .malformedEvent(.init(line: line, field: field?.name, reason: "\(reason) (column \(index + 1))"))
    }

    @inline(__always) mutating func skipWhitespace() {
        while index < bytes.count {
            let c = bytes[index]
            guard c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A else { return }
            index += 1
        }
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: StaticString) throws(SegmentationError) {
        guard index < bytes.count, bytes[index] == c else { throw expected(what) }
        index += 1
    }

    @inline(never)
    func expected(_ what: StaticString) -> SegmentationError { problem("expected \(what)") }

    mutating func literal(_ word: StaticString) throws(SegmentationError) {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw problem("invalid literal") }
        let start = word.utf8Start
        for k in 0..<n where bytes[index + k] != start[k] { throw problem("invalid literal") }
        index += n
    }

    /// The bytes of a number token (validated by the caller).
    mutating func numberToken() -> UnsafeBufferPointer<UInt8> {
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { break }
            index += 1
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    /// The index of the first byte at or after `start` that is a quote, a backslash or a
    /// control character (or the end): eight bytes per step, with the classic "has a byte
    /// equal to / less than" word tricks, whose lowest flagged byte is always exact.
    @inline(__always)
    func plainRun(from start: Int) -> Int {
        var i = start
        let n = bytes.count
        guard let base = bytes.baseAddress else { return n }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= n {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let q = w ^ (0x22 &* ones), b = w ^ (0x5C &* ones)
            let flagged = ((q &- ones) & ~q | (b &- ones) & ~b | (w &- 0x20 &* ones) & ~w) & highs
            if flagged != 0 { return i + flagged.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            let c = base[i]
            if c == 0x22 || c == 0x5C || c < 0x20 { return i }
            i += 1
        }
        return n
    }

    /// Reads a string at the cursor: a slice of the line, or (with escapes) the decoded
    /// bytes appended to `arena`.
    mutating func string(arena: inout EventArena) throws(SegmentationError) -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""), "a string in double quotes")
        let start = index
        index = plainRun(from: index)
        guard index < bytes.count else { throw problem("unterminated string") }
        let stop = bytes[index]
        if stop == UInt8(ascii: "\"") {
            index += 1
            return UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
        }
        guard stop == UInt8(ascii: "\\") else { throw problem("control character in a string") }
        let decodedStart = arena.used
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            switch c {
            case UInt8(ascii: "\""): return arena.slice(from: decodedStart)
            case UInt8(ascii: "\\"): try escape { arena.append($0) }
            default:
                guard c >= 0x20 else { throw problem("control character in a string") }
                arena.append(c)
            }
        }
        throw problem("unterminated string")
    }

    /// Skips a string at the cursor, checking its escapes without decoding them.
    mutating func skipString() throws(SegmentationError) {
        try expect(UInt8(ascii: "\""), "a string in double quotes")
        while true {
            index = plainRun(from: index)
            guard index < bytes.count else { throw problem("unterminated string") }
            let c = bytes[index]
            index += 1
            if c == UInt8(ascii: "\"") { return }
            guard c == UInt8(ascii: "\\") else { throw problem("control character in a string") }
            try escape { _ in }
        }
    }

    /// A plain integer of at most 15 digits ending at a delimiter, read directly (epoch
    /// seconds, counts, durations): exact as a `Double`. Anything else leaves the cursor
    /// where it was and returns `nil` for the general number path.
    @inline(__always)
    mutating func smallInteger() -> Double? {
        var i = index
        let n = bytes.count
        let negative = i < n && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let first = i
        var value: Int64 = 0
        while i < n, i - first < 16 {
            let d = bytes[i] &- 48
            guard d < 10 else { break }
            value = value &* 10 &+ Int64(d)
            i += 1
        }
        let digits = i - first
        guard digits > 0, digits <= 15 else { return nil }
        if i < n {
            let c = bytes[i]
            guard c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A else { return nil }
        }
        index = i
        return negative ? -Double(value) : Double(value)
    }

    private mutating func escape(_ out: (UInt8) -> Void) throws(SegmentationError) {
        guard let c = peek else { throw problem("unterminated escape") }
        index += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out(c)
        case UInt8(ascii: "b"): out(0x08)
        case UInt8(ascii: "f"): out(0x0C)
        case UInt8(ascii: "n"): out(0x0A)
        case UInt8(ascii: "r"): out(0x0D)
        case UInt8(ascii: "t"): out(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw problem("unpaired surrogate in \\u escape")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw problem("invalid low surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw problem("unpaired surrogate in \\u escape")
            }
            guard let u = Unicode.Scalar(scalar) else { throw problem("invalid \\u escape") }
            UTF8.encode(u) { out($0) }
        default:
            throw problem("invalid escape \\\(Character(Unicode.Scalar(c)))")
        }
    }

    private mutating func hex4() throws(SegmentationError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw problem("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw problem("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// Skips any JSON value, checking its syntax.
    mutating func skipValue(depth: Int) throws(SegmentationError) {
        guard depth < 64 else { throw problem("nesting deeper than 64 levels") }
        skipWhitespace()
        guard let c = peek else { throw problem("missing value") }
        switch c {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = c == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if peek == close {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    try skipString()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "':' after a key")
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let d = peek else { throw problem("unterminated \(isObject ? "object" : "array")") }
                index += 1
                if d == close { return }
                guard d == UInt8(ascii: ",") else { throw problem("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            let token = numberToken()
            guard let first = token.first, first == UInt8(ascii: "-") || NumberParser.isDigit(first),
                NumberParser.parse(token) != nil
            else { throw problem("invalid value") }
        }
    }
}
