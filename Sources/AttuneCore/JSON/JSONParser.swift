/// A strict JSON (RFC 8259) parser producing ``JSONNode`` trees that remember where each
/// value starts.
///
/// Rejects what lenient parsers accept: trailing commas, comments, `NaN`, leading zeros,
/// unescaped control characters, invalid UTF-8, duplicate keys in one object, and anything
/// after the top-level value. Nesting deeper than ``maximumDepth`` is an error rather than a
/// stack overflow.
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let end: Int
    private var depth = 0
    /// The path of the value being parsed, for error messages.
    private var path: [JSONPathComponent] = []
    private let locate: (Int) -> SourceLocation

    /// Parses the value in `bytes[start..<end]`; `locate` turns a byte offset into a location.
    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int, locate: @escaping (Int) -> SourceLocation) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.locate = locate
    }

    /// Parses exactly one value surrounded by optional whitespace.
    mutating func parseDocument() throws(AttuneCoreError) -> JSONNode {
        // A UTF-8 byte order mark is tolerated at the very start.
        if end - position >= 3, bytes[position] == 0xEF, bytes[position + 1] == 0xBB, bytes[position + 2] == 0xBF {
            position += 3
        }
        skipWhitespace()
        guard position < end else { throw failure("the document is empty; expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        guard position == end else {
            throw failure("unexpected \(describeByte(at: position)) after the end of the JSON value; remove it")
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws(AttuneCoreError) -> JSONNode {
        guard position < end else { throw failure("unexpected end of input; expected a value") }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return JSONNode(kind: .string(try parseString()), offset: start)
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(kind: .bool(true), offset: start)
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(kind: .bool(false), offset: start)
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(kind: .null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(kind: .number(try parseNumber()), offset: start)
        default:
            throw failure("unexpected \(describeByte(at: position)); expected a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func parseObject() throws(AttuneCoreError) -> JSONNode {
        let start = position
        try enterContainer()
        position += 1
        var members: [JSONObject.Member] = []
        var seen = Set<String>()
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return JSONNode(kind: .object(JSONObject(members: members)), offset: start)
        }
        while true {
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: "\"") else {
                throw failure(position < end && bytes[position] == UInt8(ascii: "}")
                    ? "trailing comma before '}'; remove it"
                    : "expected a key in double quotes, found \(describeByte(at: position))")
            }
            let keyOffset = position
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw AttuneCoreError.invalidJSON(
                    path: JSONPath.render(path + [.key(key)]),
                    message: "duplicate key '\(key)' in one object; keep only one",
                    location: locate(keyOffset))
            }
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after the key '\(key)', found \(describeByte(at: position))")
            }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue()
            path.removeLast()
            members.append(JSONObject.Member(key: key, keyOffset: keyOffset, value: value))
            skipWhitespace()
            guard position < end else { throw failure("unexpected end of input; expected ',' or '}'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else {
                throw failure("expected ',' or '}' after the value of '\(key)', found \(describeByte(at: position))")
            }
            position += 1
            depth -= 1
            return JSONNode(kind: .object(JSONObject(members: members)), offset: start)
        }
    }

    private mutating func parseArray() throws(AttuneCoreError) -> JSONNode {
        let start = position
        try enterContainer()
        position += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return JSONNode(kind: .array(elements), offset: start)
        }
        while true {
            skipWhitespace()
            if position < end, bytes[position] == UInt8(ascii: "]") {
                throw failure("trailing comma before ']'; remove it")
            }
            path.append(.index(elements.count))
            elements.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            guard position < end else { throw failure("unexpected end of input; expected ',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else {
                throw failure("expected ',' or ']' after an array element, found \(describeByte(at: position))")
            }
            position += 1
            depth -= 1
            return JSONNode(kind: .array(elements), offset: start)
        }
    }

    private mutating func enterContainer() throws(AttuneCoreError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw failure("arrays and objects are nested more than \(Self.maximumDepth) deep")
        }
    }

    // MARK: - Scalars

    private mutating func expectLiteral(_ literal: StaticString) throws(AttuneCoreError) {
        let count = literal.utf8CodeUnitCount
        let matches = end - position >= count && (0..<count).allSatisfy { bytes[position + $0] == literal.utf8Start[$0] }
        guard matches else { throw failure("invalid literal; expected '\(literal)'") }
        position += count
    }

    /// Parses a number and returns its literal text after checking the RFC 8259 grammar:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(AttuneCoreError) -> String {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < end, isDigit(bytes[position]) else { throw failure("invalid number: expected a digit after '-'") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < end, isDigit(bytes[position]) {
                throw failure("invalid number: leading zeros are not allowed")
            }
        } else {
            while position < end, isDigit(bytes[position]) { position += 1 }
        }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < end, isDigit(bytes[position]) else { throw failure("invalid number: expected a digit after '.'") }
            while position < end, isDigit(bytes[position]) { position += 1 }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < end, isDigit(bytes[position]) else { throw failure("invalid number: expected a digit in the exponent") }
            while position < end, isDigit(bytes[position]) { position += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func parseString() throws(AttuneCoreError) -> String {
        let opening = position
        position += 1
        let contentStart = position
        // Fast path: no escapes.
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<position])
                position += 1
                guard let text = String(validating: content, as: UTF8.self) else {
                    throw failure("the string is not valid UTF-8", at: opening)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("unescaped control character in a string; escape it (\\n, \\t, \\u00XX)") }
            position += 1
        }
        // Slow path: decode escapes into a byte buffer.
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[contentStart..<position]))
        while position < end {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw failure("the string is not valid UTF-8", at: opening)
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < end else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    throw failure("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string", at: position - 2)
                }
            default:
                if byte < 0x20 { throw failure("unescaped control character in a string; escape it (\\n, \\t, \\u00XX)") }
                utf8.append(byte)
                position += 1
            }
        }
        throw failure("unterminated string; add the closing '\"'", at: opening)
    }

    /// Parses the `XXXX` of `\uXXXX` (the `\u` is consumed), joining a surrogate pair.
    private mutating func parseUnicodeEscape() throws(AttuneCoreError) -> Unicode.Scalar {
        let escapeStart = position - 2
        let high = try parseHex4()
        if (0xD800...0xDBFF).contains(high) {
            guard end - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw failure("unpaired high surrogate in a \\u escape", at: escapeStart)
            }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw failure("invalid low surrogate in a \\u escape", at: escapeStart)
            }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw failure("invalid \\u escape", at: escapeStart) }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw failure("unpaired low surrogate in a \\u escape", at: escapeStart)
        }
        return scalar
    }

    private mutating func parseHex4() throws(AttuneCoreError) -> UInt32 {
        guard end - position >= 4 else { throw failure("incomplete \\u escape; expected 4 hexadecimal digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape; expected 4 hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func describeByte(at offset: Int) -> String {
        guard offset < end else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private func failure(_ message: String, at offset: Int? = nil) -> AttuneCoreError {
        .invalidJSON(path: JSONPath.render(path), message: message, location: locate(Swift.min(offset ?? position, end)))
    }
}
