import Foundation

/// A buffered writer of JSON Lines files, with the few formatting helpers the simulator's
/// logs need. Numbers are written in Swift's shortest round-trip form, so the same run gives
/// the same bytes.
final class JSONLinesWriter {
    private let handle: FileHandle
    private let path: String
    // Only this writer touches its buffer, from one thread; without the annotation every
    // append paid a dynamic exclusivity check (measured: a quarter of the logging time).
    @exclusivity(unchecked) private var buffer: [UInt8] = []

    /// Creates (or truncates) the file at `path`, creating its directory.
    /// - Throws: `SimulationError.file` when the file cannot be created.
    init(path: String) throws(SimulationError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .file(path: path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw .file(path: path, reason: "cannot create the file")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    /// Appends raw text.
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Appends a number: integers without a fraction, others in shortest round-trip form,
    /// non-finite values as `null`.
    func write(number x: Double) {
        guard x.isFinite else { write("null"); return }
        if x == x.rounded(), abs(x) < 1e15 { write(integer: Int64(x)) } else { write(x.description) }
    }

    /// Appends an integer's decimal digits, without making a string.
    func write(integer value: Int64) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // At most 20 digits, produced last first into a stack scratch, then copied.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { digits in
            var first = digits.count
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(contentsOf: digits[first...])
        }
    }

    /// Appends a JSON string literal.
    func write(string s: String) {
        buffer.append(UInt8(ascii: "\""))
        for unit in s.utf8 {
            switch unit {
            case UInt8(ascii: "\""): buffer.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
            case 0..<0x20: buffer.append(contentsOf: Array(String(format: "\\u%04x", Int(unit)).utf8))
            default: buffer.append(unit)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Appends `[x, y, …]`.
    func write(numbers: [Double]) {
        write("[")
        for i in numbers.indices {
            if i > 0 { write(",") }
            write(number: numbers[i])
        }
        write("]")
    }

    /// Ends the current line, flushing when the buffer is large.
    /// - Throws: `SimulationError.file` when writing fails.
    func endLine() throws(SimulationError) {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes the buffered bytes to the file.
    /// - Throws: `SimulationError.file` when writing fails.
    func flush() throws(SimulationError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw .file(path: path, reason: "cannot write (\(error.localizedDescription))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    /// - Throws: `SimulationError.file` when writing fails.
    func close() throws(SimulationError) {
        try flush()
        try? handle.close()
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (or with milliseconds when `seconds` has a fraction) for
    /// seconds since the Unix epoch, computed without calendars (proleptic Gregorian, UTC).
    ///
    /// ## References
    /// Hinnant, "chrono-Compatible Low-Level Date Algorithms" (`civil_from_days`).
    static func iso8601(seconds: Double) -> String {
        let whole = Int64(seconds.rounded(.down))
        let millis = Int64(((seconds - Double(whole)) * 1000).rounded())
        var days = whole / 86_400
        var rest = whole % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var s = "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))"
        if millis > 0 { s += "." + String(String(millis + 1000).dropFirst()) }
        return s + "Z"
    }
}
