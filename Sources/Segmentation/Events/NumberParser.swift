/// Decimal number parsing over raw bytes, correctly rounded and allocation-free on the
/// common path.
///
/// Numbers whose significand has at most 15 digits and whose decimal exponent is within
/// ±22 are converted exactly by one multiplication or division by an exact power of ten
/// (Clinger's fast path: both operands are exact doubles, so the single IEEE operation
/// rounds correctly). Anything else falls back to the standard library's conversion.
/// `nan`, `inf` and `infinity` (any case, optionally signed) parse to NaN or ±∞ so that
/// callers can reject them with a precise message instead of "not a number".
///
/// ## References
/// Clinger, "How to read floating point numbers accurately", PLDI 1990.
enum NumberParser {
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The number spelled by `b`, or `nil` when `b` is not a number.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = b.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") {
            negative = b[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n else { return nil }
        if !isDigit(b[i]) && b[i] != UInt8(ascii: ".") {
            return parseSpecial(b, from: i, negative: negative)
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        // Integer part.
        while i < n, isDigit(b[i]) {
            sawDigit = true
            if mantissa == 0 && b[i] == 48 {
                i += 1
                continue
            }
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] - 48)
            } else {
                exponent += 1
            }
            significantDigits += 1
            i += 1
        }
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(b[i]) {
                sawDigit = true
                if mantissa == 0 && b[i] == 48 {
                    exponent -= 1
                } else {
                    if significantDigits < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(b[i] - 48)
                        exponent -= 1
                    }
                    significantDigits += 1
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            let start = i
            while i < n, isDigit(b[i]) {
                if e < 100_000 { e = e * 10 + Int(b[i] - 48) }
                i += 1
            }
            guard i > start else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0 }
        if significantDigits <= 15, abs(exponent) <= 22 {
            var value = Double(mantissa)
            if exponent >= 0 { value *= exactPowers[exponent] } else { value /= exactPowers[-exponent] }
            return negative ? -value : value
        }
        return Double(String(decoding: b, as: UTF8.self))
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    private static func parseSpecial(_ b: UnsafeBufferPointer<UInt8>, from start: Int, negative: Bool) -> Double? {
        let word = String(decoding: UnsafeBufferPointer(rebasing: b[start...]), as: UTF8.self).lowercased()
        switch word {
        case "nan": return .nan
        case "inf", "infinity": return negative ? -.infinity : .infinity
        default: return nil
        }
    }
}
