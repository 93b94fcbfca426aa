/// Compact little-endian encodings of the arrays a decision carries (exact for doubles, and
/// several times faster than JSON on the request path).
enum BlobCoding {
    static func encode(_ values: [Double]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
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
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: Int32(truncatingIfNeeded: v).littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
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
        for s in strings {
            let utf8 = Array(s.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        return bytes
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
