#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON (RFC 8259) number scanning over raw bytes, shared by the general line parser
/// (``JSONLineParser``) and the decision-log fast path (``AttuneLineScanner``), so that both
/// give the very same `Double` for the same text.
///
/// Numbers are checked against JSON's grammar (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`)
/// and converted by Clinger's exact fast path when the significand has at most 15 digits and
/// the power of ten is at most 22, by `strtod` otherwise; both are correctly rounded.
///
/// ## References
/// Clinger, "How to read floating point numbers accurately", PLDI 1990.
enum JSONNumber {
    /// The outcome of scanning one number.
    enum Scan {
        /// The value and the index just past its text.
        case number(Double, end: Int)
        /// The text is not a JSON number: the index where it went wrong and why.
        case malformed(at: Int, message: String)
    }

    /// Scans the number starting at `start` (a `-` or a digit).
    ///
    /// The byte after the last digit must stop `strtod` (a delimiter of JSON, or the NUL that
    /// follows every line handed over by the readers).
    /// - Complexity: O(digits), no allocation.
    @inline(__always)
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Scan {
        let count = bytes.count
        var index = start
        @inline(__always) func byte(_ i: Int) -> UInt8 { i < count ? bytes[i] : 0 }
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
        var negative = false
        if byte(index) == UInt8(ascii: "-") { negative = true; index += 1 }
        guard isDigit(byte(index)) else { return .malformed(at: index, message: "invalid number") }
        // Decimal significand (up to 19 digits) and its power of ten, for the fast path.
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        @inline(__always) func take(_ c: UInt8, fraction: Bool) {
            if mantissa == 0 && c == UInt8(ascii: "0") {
                if fraction { exponent -= 1 }
                return
            }
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
                digits += 1
                if fraction { exponent -= 1 }
            } else if !fraction {
                exponent += 1
            }
        }
        if byte(index) == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(byte(index)) { take(byte(index), fraction: false); index += 1 }
        }
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            guard isDigit(byte(index)) else { return .malformed(at: index, message: "invalid number: digits expected after '.'") }
            while isDigit(byte(index)) { take(byte(index), fraction: true); index += 1 }
        }
        var explicitExponent = 0
        var exponentOverflow = false
        let e0 = byte(index)
        if e0 == UInt8(ascii: "e") || e0 == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            let sign = byte(index)
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { exponentNegative = sign == UInt8(ascii: "-"); index += 1 }
            guard isDigit(byte(index)) else { return .malformed(at: index, message: "invalid number: digits expected in the exponent") }
            while isDigit(byte(index)) {
                if explicitExponent < 100_000 { explicitExponent = explicitExponent * 10 + Int(byte(index) - UInt8(ascii: "0")) } else { exponentOverflow = true }
                index += 1
            }
            if exponentNegative { explicitExponent = -explicitExponent }
        }
        // Clinger's fast path: a significand below 2⁵³ and a power of ten up to 10²² are both
        // exact doubles, so one multiplication or division is correctly rounded.
        let e = exponent + explicitExponent
        if !exponentOverflow, digits <= 15, mantissa < (1 << 53), e >= -22, e <= 22 {
            var value = Double(mantissa)
            let power = exactPowerOfTen(e >= 0 ? e : -e)
            if e >= 0 { value *= power } else { value /= power }
            return .number(negative ? -value : value, end: index)
        }
        // Otherwise strtod; the grammar check above guarantees it reads exactly
        // bytes[start..<index]: the next byte is a delimiter or the NUL after the line.
        let pointer = UnsafeRawPointer(bytes.baseAddress! + start).assumingMemoryBound(to: CChar.self)
        return .number(strtod(pointer, nil), end: index)
    }

    /// 10ᵏ for k in 0…22, all exactly representable (a switch of constants: no lazily
    /// initialized static to check on every number).
    @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        case 22: return 1e22
        default: return 1e22
        }
    }
}
