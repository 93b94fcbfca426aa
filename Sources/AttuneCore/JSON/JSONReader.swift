/// A forward-only reader over one JSON document in memory, for hot paths whose document
/// shape is known (request bodies): no tree, no `Decoder` machinery, no allocation beyond the
/// values it returns.
///
/// The reader never explains: anything it does not accept (malformed JSON, an unexpected
/// type, a key the caller does not know, an escape sequence in a string, a number whose
/// conversion it cannot prove exact) stops it with ``Deviation``, and
/// ``StrictJSONDecoder/decode(_:from:source:reading:)`` then decodes the document again with
/// the strict decoder, which either returns the same value or throws its located error with
/// the JSONPath. So the reader only has to be right on what it accepts: it must accept a
/// subset of what the strict decoder accepts, and return the same values for it.
///
/// ```swift
/// struct Reward { var id: String; var value: Double }
/// let reward = try StrictJSONDecoder().decode(Reward.self, from: body, source: "body") { reader throws(JSONReader.Deviation) in
///     var id: String?, value: Double?
///     try reader.readObject { reader, key throws(JSONReader.Deviation) in
///         if key == "id", id == nil { id = try reader.readString() }
///         else if key == "value", value == nil { value = try reader.readDouble() }
///         else { throw JSONReader.Deviation() }   // unknown or repeated key: the strict decoder reports it
///     }
///     guard let id, let value else { throw JSONReader.Deviation() }
///     return Reward(id: id, value: value)
/// }
/// ```
/// (`Reward` must also be `Decodable` with the same keys, for the strict pass.)
///
/// The reader is valid only inside the closure it is handed to: it points into the caller's bytes.
public struct JSONReader {
    /// The reader stopped: the document is malformed or not of the shape the caller reads.
    /// Carries nothing on purpose (throwing it costs no allocation); the strict decoder finds
    /// out what is wrong.
    public struct Deviation: Error, Sendable, Equatable {
        /// Creates the deviation.
        public init() {}
    }

    /// A member key, as bytes of the document (keys with escape sequences are a deviation).
    public struct Key {
        let bytes: UnsafeBufferPointer<UInt8>

        /// Whether the key is exactly `text` (byte for byte).
        public static func == (key: Key, text: StaticString) -> Bool {
            guard key.bytes.count == text.utf8CodeUnitCount else { return false }
            let other = text.utf8Start
            for i in 0..<key.bytes.count where key.bytes[i] != other[i] { return false }
            return true
        }

        /// The key as a string (`nil` when it is not valid UTF-8).
        public var string: String? { String(validating: bytes, as: UTF8.self) }
    }

    /// The kind of the next value, from its first byte.
    public enum ValueKind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let end: Int
    private var depth = 0
    /// The deepest nesting of arrays and objects entered so far (1 for a flat object).
    public private(set) var deepest = 0

    /// A reader over `bytes` (a UTF-8 byte order mark at the start is skipped, as the strict decoder does).
    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        end = bytes.count
        position = 0
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    // MARK: - Structure

    /// The kind of the next value (after whitespace), `nil` at the end or on a byte that starts no value.
    /// - Complexity: O(whitespace skipped).
    public mutating func peek() -> ValueKind? {
        skipWhitespace()
        guard position < end else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return nil
        }
    }

    /// Reads an object: `body` is called once per member with the reader at the member's value
    /// and must read that value (or throw).
    /// - Throws: ``Deviation`` when the next value is not a well-formed object, or whatever `body` throws.
    /// - Complexity: O(bytes of the object) plus the work of `body`.
    public mutating func readObject(_ body: (inout JSONReader, Key) throws(Deviation) -> Void) throws(Deviation) {
        try open(UInt8(ascii: "{"))
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            let key = try readRawString()
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else { throw Deviation() }
            position += 1
            try body(&self, Key(bytes: key))
            guard try closeOrContinue(UInt8(ascii: "}")) else { continue }
            return
        }
    }

    /// Reads an array: `body` is called once per element (with its 0-based index) with the
    /// reader at the element and must read it (or throw).
    /// - Throws: ``Deviation`` when the next value is not a well-formed array, or whatever `body` throws.
    /// - Complexity: O(bytes of the array) plus the work of `body`.
    public mutating func readArray(_ body: (inout JSONReader, Int) throws(Deviation) -> Void) throws(Deviation) {
        try open(UInt8(ascii: "["))
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        var index = 0
        while true {
            try body(&self, index)
            index += 1
            guard try closeOrContinue(UInt8(ascii: "]")) else { continue }
            return
        }
    }

    /// Reads an array of numbers, appending them to `values` (kept allocation-free when it has the capacity).
    /// - Throws: ``Deviation`` as ``readArray(_:)`` and ``readDouble()``.
    /// - Complexity: O(bytes of the array).
    public mutating func readDoubles(into values: inout [Double]) throws(Deviation) {
        try readArray { reader, _ throws(Deviation) in values.append(try reader.readDouble()) }
    }

    /// Reads an array of strings.
    /// - Throws: ``Deviation`` as ``readArray(_:)`` and ``readString()``.
    /// - Complexity: O(bytes of the array).
    public mutating func readStrings() throws(Deviation) -> [String] {
        var values: [String] = []
        try readArray { reader, _ throws(Deviation) in values.append(try reader.readString()) }
        return values
    }

    /// Consumes `null` when it is the next value.
    /// - Returns: Whether it was `null` (nothing is consumed otherwise).
    /// - Throws: ``Deviation`` for a malformed literal starting with `n`.
    public mutating func readNull() throws(Deviation) -> Bool {
        guard peek() == .null else { return false }
        try literal("null")
        return true
    }

    /// Checks that nothing but whitespace follows the value read.
    /// - Throws: ``Deviation`` when something does.
    public mutating func finish() throws(Deviation) {
        skipWhitespace()
        guard position == end, depth == 0 else { throw Deviation() }
    }

    // MARK: - Scalars

    /// Reads a string without escape sequences, checking UTF-8 and control characters.
    /// - Throws: ``Deviation`` when the next value is not such a string.
    /// - Complexity: O(length).
    public mutating func readString() throws(Deviation) -> String {
        skipWhitespace()
        guard let text = String(validating: try readRawString(), as: UTF8.self) else { throw Deviation() }
        return text
    }

    /// Reads `true` or `false`.
    /// - Throws: ``Deviation`` otherwise.
    public mutating func readBool() throws(Deviation) -> Bool {
        switch peek() {
        case .bool where bytes[position] == UInt8(ascii: "t"): try literal("true"); return true
        case .bool: try literal("false"); return false
        default: throw Deviation()
        }
    }

    /// Reads a number as the nearest `Double`, exactly as `Double(text)` converts its literal;
    /// non-finite results (`1e400`) are a deviation, as they are an error for the strict decoder.
    ///
    /// Literals with at most 15 significant digits and a decimal exponent within ±22 convert
    /// with one correctly rounded multiplication or division of exact operands (Clinger's fast
    /// path); others go through the C library's correctly rounded conversion.
    /// - Throws: ``Deviation`` when the next value is not an RFC 8259 number or is out of range.
    /// - Complexity: O(length of the literal).
    ///
    /// ## References
    /// W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990.
    public mutating func readDouble() throws(Deviation) -> Double {
        let scanned = try scanNumber()
        if let exact = scanned.fastValue { return exact }
        // Literals up to 15 bytes make small strings: no allocation here either.
        let literal = UnsafeBufferPointer(rebasing: bytes[scanned.start..<position])
        guard let value = Double(String(decoding: literal, as: UTF8.self)), value.isFinite else { throw Deviation() }
        return value
    }

    /// Reads an integer literal (digits with an optional `-`, within `Int`'s range).
    /// Literals with a fraction or an exponent (`3.0`, `1e3`) are a deviation.
    /// - Throws: ``Deviation`` otherwise.
    /// - Complexity: O(length of the literal).
    public mutating func readInt() throws(Deviation) -> Int {
        let scanned = try scanNumber()
        guard scanned.isInteger, scanned.digits <= 18 else { throw Deviation() }
        let magnitude = Int(scanned.mantissa)
        return scanned.negative ? -magnitude : magnitude
    }

    // MARK: - Lexing

    private struct ScannedNumber {
        var start: Int
        var negative: Bool
        var mantissa: UInt64
        /// Significant digits accumulated in `mantissa` (leading zeros excluded).
        var digits: Int
        /// Whether some digit could not be accumulated (more than 19 significant digits).
        var truncated: Bool
        var isInteger: Bool
        /// The power of ten the mantissa is scaled by.
        var exponent: Int

        private static let powers: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

        var fastValue: Double? {
            guard !truncated, digits <= 15, exponent >= -22, exponent <= 22 else { return nil }
            var value = Double(mantissa)  // exact: below 10^15 < 2^53
            if exponent < 0 { value /= Self.powers[-exponent] } else { value *= Self.powers[exponent] }
            return negative ? -value : value
        }
    }

    /// Checks the RFC 8259 grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    /// while accumulating the significant digits.
    private mutating func scanNumber() throws(Deviation) -> ScannedNumber {
        skipWhitespace()
        var n = ScannedNumber(start: position, negative: false, mantissa: 0, digits: 0, truncated: false, isInteger: true, exponent: 0)
        if position < end, bytes[position] == UInt8(ascii: "-") {
            n.negative = true
            position += 1
        }
        guard position < end, isDigit(bytes[position]) else { throw Deviation() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < end, isDigit(bytes[position]) { throw Deviation() }
        } else {
            while position < end, isDigit(bytes[position]) {
                accumulate(&n, bytes[position], fraction: false)
                position += 1
            }
        }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            n.isInteger = false
            position += 1
            guard position < end, isDigit(bytes[position]) else { throw Deviation() }
            while position < end, isDigit(bytes[position]) {
                accumulate(&n, bytes[position], fraction: true)
                position += 1
            }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            n.isInteger = false
            position += 1
            var negativeExponent = false
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                negativeExponent = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < end, isDigit(bytes[position]) else { throw Deviation() }
            var exponent = 0
            while position < end, isDigit(bytes[position]) {
                // Beyond 9999 the value is 0 or infinite anyway: the slow conversion decides.
                if exponent < 10_000 { exponent = exponent * 10 + Int(bytes[position] &- UInt8(ascii: "0")) }
                position += 1
            }
            n.exponent += negativeExponent ? -exponent : exponent
        }
        return n
    }

    private func accumulate(_ n: inout ScannedNumber, _ byte: UInt8, fraction: Bool) {
        let digit = UInt64(byte &- UInt8(ascii: "0"))
        if n.digits == 0 && digit == 0 {
            if fraction { n.exponent -= 1 }
            return
        }
        guard n.digits < 19 else {
            n.truncated = true
            if !fraction { n.exponent += 1 }
            return
        }
        n.mantissa = n.mantissa &* 10 &+ digit
        n.digits += 1
        if fraction { n.exponent -= 1 }
    }

    /// The bytes between the quotes of a string without escapes, checked for control characters.
    private mutating func readRawString() throws(Deviation) -> UnsafeBufferPointer<UInt8> {
        guard position < end, bytes[position] == UInt8(ascii: "\"") else { throw Deviation() }
        position += 1
        let start = position
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)])
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { throw Deviation() }
            position += 1
        }
        throw Deviation()
    }

    private mutating func open(_ bracket: UInt8) throws(Deviation) {
        skipWhitespace()
        guard position < end, bytes[position] == bracket else { throw Deviation() }
        position += 1
        depth += 1
        // The strict parser's own limit: deeper documents are its error to report.
        guard depth <= 512 else { throw Deviation() }
        deepest = Swift.max(deepest, depth)
    }

    /// After a member or element: `true` when the container closed, `false` after a comma.
    private mutating func closeOrContinue(_ closing: UInt8) throws(Deviation) -> Bool {
        skipWhitespace()
        guard position < end else { throw Deviation() }
        if bytes[position] == UInt8(ascii: ",") {
            position += 1
            return false
        }
        guard bytes[position] == closing else { throw Deviation() }
        position += 1
        depth -= 1
        return true
    }

    private mutating func literal(_ text: StaticString) throws(Deviation) {
        let count = text.utf8CodeUnitCount
        guard end - position >= count else { throw Deviation() }
        for i in 0..<count where bytes[position + i] != text.utf8Start[i] { throw Deviation() }
        position += count
    }

    private mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
