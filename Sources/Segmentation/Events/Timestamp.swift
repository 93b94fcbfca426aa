/// Parsing of event timestamps: ISO 8601 date-times or seconds since the Unix epoch.
///
/// Accepted forms (UTC unless an offset is given):
/// ```
/// 2024-03-01T12:34:56Z          2024-03-01T12:34:56.250+02:00
/// 2024-03-01 12:34:56           2024-03-01T12:34Z
/// 2024-03-01                    (midnight UTC)
/// 1709296496    1709296496.25   (epoch seconds; 13-digit values are read as milliseconds)
/// ```
/// The calendar arithmetic is the proleptic Gregorian one (days from civil date by the
/// era/year-of-era decomposition), so no `DateFormatter` or time-zone database is involved
/// and parsing allocates nothing.
///
/// ## References
/// ISO 8601-1:2019; Hinnant, "chrono-Compatible Low-Level Date Algorithms" (2013).
public enum Timestamp {
    /// Seconds since the epoch for the text `string`, or `nil` when it is neither ISO 8601 nor a number.
    /// - Complexity: O(length), no allocation.
    public static func parse(_ string: String) -> Double? {
        var s = string
        return s.withUTF8 { parse($0) }
    }

    /// Seconds since the epoch for the ASCII bytes `bytes`, or `nil` when unparsable.
    /// - Complexity: O(length), no allocation.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty else { return nil }
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-") {
            return parseISO(bytes)
        }
        guard let number = NumberParser.parse(bytes), number.isFinite else { return nil }
        return fromEpochNumber(number)
    }

    /// Interprets a bare number as epoch seconds; values of 13 digits and more (≥ 10¹²) are
    /// taken as milliseconds, the other common encoding.
    static func fromEpochNumber(_ number: Double) -> Double? {
        guard number.isFinite else { return nil }
        return abs(number) >= 1e12 ? number / 1000 : number
    }

    /// Days since 1970-01-01 of the proleptic Gregorian date `year-month-day`.
    ///
    /// ```
    /// era = ⌊y / 400⌋ (with y shifted so the year starts in March)
    /// days = 146097·era + day-of-era − 719468
    /// ```
    /// - Complexity: O(1).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    // MARK: - ISO 8601

    private static func parseISO(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        guard let year = digits(b, &i, 4), expect(b, &i, "-"),
            let month = digits(b, &i, 2), expect(b, &i, "-"),
            let day = digits(b, &i, 2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if i == b.count { return seconds }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = digits(b, &i, 2), expect(b, &i, ":"), let minute = digits(b, &i, 2),
            hour <= 23, minute <= 59
        else { return nil }
        var second = 0.0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = digits(b, &i, 2), s <= 60 else { return nil }
            second = Double(s)
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                var scale = 0.1
                let start = i
                while i < b.count, let d = digit(b[i]) {
                    second += Double(d) * scale
                    scale *= 0.1
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        seconds += Double(hour * 3600 + minute * 60) + second
        if i == b.count { return seconds }
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return i + 1 == b.count ? seconds : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Double = b[i] == UInt8(ascii: "+") ? 1 : -1
            i += 1
            guard let oh = digits(b, &i, 2), oh <= 23 else { return nil }
            var om = 0
            if i < b.count {
                if b[i] == UInt8(ascii: ":") { i += 1 }
                guard let m = digits(b, &i, 2), m <= 59 else { return nil }
                om = m
            }
            guard i == b.count else { return nil }
            // Local time = UTC + offset, so UTC = local − offset.
            return seconds - sign * Double(oh * 3600 + om * 60)
        default:
            return nil
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    @inline(__always)
    private static func digit(_ c: UInt8) -> Int? {
        c >= 48 && c <= 57 ? Int(c - 48) : nil
    }

    @inline(__always)
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ count: Int) -> Int? {
        guard i + count <= b.count else { return nil }
        var value = 0
        for k in 0..<count {
            guard let d = digit(b[i + k]) else { return nil }
            value = value * 10 + d
        }
        i += count
        return value
    }

    @inline(__always)
    private static func expect(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ c: Unicode.Scalar) -> Bool {
        guard i < b.count, b[i] == UInt8(ascii: c) else { return false }
        i += 1
        return true
    }
}
