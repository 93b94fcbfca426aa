/// Compact little-endian encodings of the arrays a decision carries (exact for doubles, and
/// several times faster than JSON on the request path).
enum BlobCoding {
    static func encode(_ values: [Double]) -> [UInt8] {
        var bytes: [UInt8] = []
        append(values, to: &bytes)
        return bytes
    }

    /// Appends the encoding of `values` to `bytes`; returns where it went.
    @discardableResult
    static func append(_ values: [Double], to bytes: inout [UInt8]) -> Range<Int> {
        let start = bytes.count
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #endif
        return start..<bytes.count
    }

    static func decodeDoubles(_ bytes: [UInt8]) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(bytes.count / 8)
        var i = 0
        while i + 8 <= bytes.count {
            var bits: UInt64 = 0
            for j in 0..<8 { bits |= UInt64(bytes[i + j]) << (8 * UInt64(j)) }
            result.append(Double(bitPattern: bits))
            i += 8
        }
        return result
    }

    static func encode(_ values: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        append(values, to: &bytes)
        return bytes
    }

    /// Appends the encoding of `values` (as 32-bit integers) to `bytes`; returns where it went.
    @discardableResult
    static func append(_ values: [Int], to bytes: inout [UInt8]) -> Range<Int> {
        let start = bytes.count
        bytes.reserveCapacity(start + values.count * 4)
        for v in values { withUnsafeBytes(of: Int32(truncatingIfNeeded: v).littleEndian) { bytes.append(contentsOf: $0) } }
        return start..<bytes.count
    }

    static func decodeInts(_ bytes: [UInt8]) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(bytes.count / 4)
        var i = 0
        while i + 4 <= bytes.count {
            var bits: UInt32 = 0
            for j in 0..<4 { bits |= UInt32(bytes[i + j]) << (8 * UInt32(j)) }
            result.append(Int(Int32(bitPattern: bits)))
            i += 4
        }
        return result
    }

    /// Strings as a 4-byte length followed by their UTF-8 bytes.
    static func encode(_ strings: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        append(strings, to: &bytes)
        return bytes
    }

    /// Appends the encoding of `strings` to `bytes`; returns where it went.
    @discardableResult
    static func append(_ strings: [String], to bytes: inout [UInt8]) -> Range<Int> {
        let start = bytes.count
        for s in strings {
            withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: s.utf8)
        }
        return start..<bytes.count
    }

    static func decodeStrings(_ bytes: [UInt8]) -> [String] {
        var result: [String] = []
        var i = 0
        while i + 4 <= bytes.count {
            var length = 0
            for j in 0..<4 { length |= Int(bytes[i + j]) << (8 * j) }
            i += 4
            let end = min(bytes.count, i + length)
            result.append(String(decoding: bytes[i..<end], as: UTF8.self))
            i = end
        }
        return result
    }
}

/// Appends little-endian fields to a byte buffer (checkpoint payloads).
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func int(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func double(_ v: Double) { int(Int64(bitPattern: v.bitPattern)) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        int(Int64(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func optionalString(_ s: String?) {
        int(s == nil ? 0 : 1)
        if let s { string(s) }
    }
    mutating func doubles(_ values: [Double]) {
        int(Int64(values.count))
        for v in values { double(v) }
    }
    mutating func ints(_ values: [Int]) {
        int(Int64(values.count))
        for v in values { int(Int64(v)) }
    }
    mutating func strings(_ values: [String]) {
        int(Int64(values.count))
        for v in values { string(v) }
    }
}

/// Reads what `BinaryWriter` wrote; every read checks bounds and throws on damage.
struct BinaryReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct Damaged: Error {}

    var isAtEnd: Bool { offset == bytes.count }

    mutating func int() throws(Damaged) -> Int64 {
        guard offset + 8 <= bytes.count else { throw Damaged() }
        var bits: UInt64 = 0
        for j in 0..<8 { bits |= UInt64(bytes[offset + j]) << (8 * UInt64(j)) }
        offset += 8
        return Int64(bitPattern: bits)
    }
    mutating func count() throws(Damaged) -> Int {
        let n = try int()
        guard n >= 0, n <= Int64(bytes.count - offset) else { throw Damaged() }
        return Int(n)
    }
    mutating func double() throws(Damaged) -> Double { Double(bitPattern: UInt64(bitPattern: try int())) }
    mutating func string() throws(Damaged) -> String {
        let n = try count()
        defer { offset += n }
        return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
    }
    mutating func optionalString() throws(Damaged) -> String? { try int() == 0 ? nil : try string() }
    mutating func doubles() throws(Damaged) -> [Double] {
        let n = try count()
        var result: [Double] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(try double()) }
        return result
    }
    mutating func ints() throws(Damaged) -> [Int] {
        let n = try count()
        var result: [Int] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(Int(try int())) }
        return result
    }
    mutating func strings() throws(Damaged) -> [String] {
        let n = try count()
        var result: [String] = []
        for _ in 0..<n { result.append(try string()) }
        return result
    }
}
