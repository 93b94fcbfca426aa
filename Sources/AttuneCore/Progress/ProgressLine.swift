/// One line of progress, as a value: what is counted, how far along, and how fast.
/// ``rendered(width:)`` gives the text; ``ProgressReporter`` draws it on standard error.
///
/// ```
/// simulating  12,345/100,000  12.3%  2.1k/s  ETA 41s
/// reading events  12,345  2.1k/s  6s
/// ```
/// Rate and ETA are averages since the start:
/// ```
/// rate = completed / elapsed
/// ETA  = (total − completed) / rate
/// ```
public struct ProgressLine: Sendable, Hashable {
    /// What is being counted (`"simulating"`, `"decisions"`).
    public var label: String
    /// Units done so far.
    public var completed: Int
    /// Units expected in all, when known.
    public var total: Int?
    /// Seconds since the work started.
    public var elapsedSeconds: Double

    /// Creates a line.
    public init(label: String, completed: Int, total: Int?, elapsedSeconds: Double) {
        self.label = label
        self.completed = completed
        self.total = total
        self.elapsedSeconds = elapsedSeconds
    }

    /// Units per second since the start; nil before any time has passed.
    public var ratePerSecond: Double? {
        guard elapsedSeconds > 0 else { return nil }
        return Double(completed) / elapsedSeconds
    }

    /// Fraction done in [0, 1], when the total is known and positive.
    public var fractionCompleted: Double? {
        guard let total, total > 0 else { return nil }
        return Swift.min(1, Swift.max(0, Double(completed) / Double(total)))
    }

    /// Estimated seconds left; nil when the total is unknown or nothing is done yet.
    public var remainingSeconds: Double? {
        guard let total, let rate = ratePerSecond, rate > 0 else { return nil }
        return Double(Swift.max(0, total - completed)) / rate
    }

    /// The line's text, cut to `width` characters.
    /// - Complexity: O(width).
    public func rendered(width: Int = 80) -> String {
        var parts = [label]
        if let total {
            parts.append("\(Self.grouped(completed))/\(Self.grouped(total))")
            if let fraction = fractionCompleted { parts.append(Self.percent(fraction)) }
        } else {
            parts.append(Self.grouped(completed))
        }
        if let rate = ratePerSecond { parts.append(Self.compact(rate) + "/s") }
        if total != nil, completed < (total ?? 0) {
            parts.append("ETA " + (remainingSeconds.map(Self.duration) ?? "?"))
        } else {
            parts.append(Self.duration(elapsedSeconds))
        }
        let line = parts.joined(separator: "  ")
        return line.count > width ? String(line.prefix(Swift.max(0, width))) : line
    }

    // MARK: - Number formats

    /// `1234567` → `1,234,567`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// A rate with three significant figures and an SI suffix: `0.5`, `12.3`, `2.1k`, `45M`.
    public static func compact(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        let suffixes = ["", "k", "M", "G", "T"]
        var scaled = value
        var index = 0
        while scaled.magnitude >= 999.5 && index < suffixes.count - 1 {
            scaled /= 1000
            index += 1
        }
        let digits = scaled.magnitude >= 99.5 ? 0 : (scaled.magnitude >= 9.995 ? 1 : 2)
        return fixed(scaled, digits: digits) + suffixes[index]
    }

    /// `0.1234` → `12.3%`.
    public static func percent(_ fraction: Double) -> String {
        fixed(fraction * 100, digits: 1) + "%"
    }

    /// Seconds as `12s`, `3m05s`, `2h07m`, `3d04h` (rounded down to the shown unit).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        guard seconds < 1e12 else { return "∞" }
        let total = Int(seconds.rounded(.down))
        let (days, hours, minutes, secs) = (total / 86_400, (total % 86_400) / 3_600, (total % 3_600) / 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if days > 0 { return "\(days)d\(two(hours))h" }
        if hours > 0 { return "\(hours)h\(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m\(two(secs))s" }
        return "\(secs)s"
    }

    /// `value` rounded half away from zero to `digits` decimals, without Foundation.
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let magnitude = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        // Beyond Int64 (or not finite) the shortest round-trip form is exact enough.
        guard magnitude.isFinite, magnitude < 9e18 else { return "\(value)" }
        let scaled = Int64(magnitude)
        let integer = scaled / Int64(scale)
        let fraction = scaled % Int64(scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(integer)" }
        let fractionText = String(fraction)
        return "\(sign)\(integer)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }
}
