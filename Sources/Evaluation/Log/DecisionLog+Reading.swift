#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The formats a decision log can be read from.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Attune's JSON Lines decision log.
    case attune
    /// Vowpal Wabbit / Azure Personalizer decision-service JSON Lines.
    case dsjson
    /// CSV with a header row (see ``CSVLogReader``).
    case csv

    /// The format of the file at `path`: CSV by its `.csv` extension, DSJSON when the first
    /// non-blank line has DSJSON's `_label_cost`, `_labelIndex` or `"a"` with `"c"` keys,
    /// Attune's log otherwise.
    /// - Throws: `EvaluationError.unreadableFile`.
    public static func detect(path: String) throws(EvaluationError) -> LogFormat {
        if path.lowercased().hasSuffix(".csv") { return .csv }
        var format = LogFormat.attune
        do {
            try LineReader.forEachLine(path: path) { _, bytes throws(EvaluationError) in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                if let value = try? JSONLineParser.parse(bytes),
                   value["_label_cost"] != nil || value["_labelIndex"] != nil || (value["a"] != nil && value["c"] != nil) {
                    format = .dsjson
                }
                throw EvaluationError.emptyLog(source: "")  // stop after the first line
            }
        } catch {
            if case .unreadableFile = error { throw error }
        }
        return format
    }
}

extension DecisionLog {
    /// Reads and validates the whole log at `path`, streaming it line by line.
    ///
    /// Memory holds the columnar log only (O(n · (d + K))), never the file's text.
    /// - Parameters:
    ///   - format: The format, or `nil` to detect it (``LogFormat/detect(path:)``).
    ///   - defaultCandidateCount: Candidates assumed when a line has neither `actions` nor a
    ///     distribution (the evaluated policy's catalog size).
    /// - Throws: `EvaluationError.unreadableFile`, `.badLine` for the first bad line (with
    ///   its number, field and reason), `.emptyLog`.
    /// - Complexity: O(file size).
    public static func read(path: String, format: LogFormat? = nil, defaultCandidateCount: Int? = nil) throws(EvaluationError) -> DecisionLog {
        try read(path: path, format: format, defaultCandidateCount: defaultCandidateCount, parsing: .fast)
    }

    /// ``read(path:format:defaultCandidateCount:)`` with Attune lines parsed as `parsing` says
    /// (the general parser for every line: the reference of the fast path's tests).
    static func read(
        path: String, format: LogFormat?, defaultCandidateCount: Int?, parsing: LineParsing,
        threads: Int = defaultThreadCount(), chunkBytes: Int = parallelChunkBytes
    ) throws(EvaluationError) -> DecisionLog {
        let format = try resolve(format, path: path)
        var builder = Builder(source: path, defaultCandidateCount: defaultCandidateCount)
        switch format {
        case .attune:
            // Lines of Attune's log are independent: parsed and checked on all cores.
            try parallelRead(path: path, into: &builder, parsing: parsing, threads: threads, chunkBytes: chunkBytes)
        case .dsjson: try stream(path: path, reader: DSJSONLogReader(source: path), into: &builder)
        case .csv: try stream(path: path, reader: CSVLogReader(source: path), into: &builder)
        }
        return try builder.finish()
    }

    /// Calls `body(round, line)` for each round of the log at `path` without keeping any: for
    /// validation and summaries of logs too large to hold.
    /// - Throws: as ``read(path:format:defaultCandidateCount:)``, and what `body` throws.
    public static func forEachRound(
        path: String, format: LogFormat? = nil, _ body: (LoggedRound, Int) throws(EvaluationError) -> Void
    ) throws(EvaluationError) {
        let format = try resolve(format, path: path)
        switch format {
        case .attune: try forEach(path: path, reader: AttuneLogReader(source: path), body)
        case .dsjson: try forEach(path: path, reader: DSJSONLogReader(source: path), body)
        case .csv: try forEach(path: path, reader: CSVLogReader(source: path), body)
        }
    }

    private static func resolve(_ format: LogFormat?, path: String) throws(EvaluationError) -> LogFormat {
        if let format { return format }
        return try LogFormat.detect(path: path)
    }

    private static func stream<R: DecisionLogReader>(path: String, reader: R, into builder: inout Builder) throws(EvaluationError) {
        var reader = reader
        // After the first round, reserve the columns for as many rounds as the file's size
        // suggests (lines of a log have similar lengths), instead of growing them by copies.
        let fileBytes = fileSize(path)
        var reserved = false
        try LineReader.forEachLine(path: path) { line, bytes throws(EvaluationError) in
            guard let round = try reader.round(from: bytes, line: line) else { return }
            try builder.append(round, line: line)
            if !reserved, builder.count == 1 {
                reserved = true
                if let fileBytes { builder.reserveCapacity(rounds: Int(Double(fileBytes) / Double(bytes.count + 1) * 1.05)) }
            }
        }
    }

    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    private static func forEach<R: DecisionLogReader>(
        path: String, reader: R, _ body: (LoggedRound, Int) throws(EvaluationError) -> Void
    ) throws(EvaluationError) {
        var reader = reader
        try LineReader.forEachLine(path: path) { line, bytes throws(EvaluationError) in
            if let round = try reader.round(from: bytes, line: line) { try body(round, line) }
        }
    }

    /// Reads a log held in memory (tests, HTTP uploads); lines are separated by `\n`.
    /// - Throws: as ``read(path:format:defaultCandidateCount:)``.
    public static func parse(
        _ text: String, format: LogFormat, source: String = "log", defaultCandidateCount: Int? = nil
    ) throws(EvaluationError) -> DecisionLog {
        try parse(text, format: format, source: source, defaultCandidateCount: defaultCandidateCount, parsing: .fast)
    }

    /// ``parse(_:format:source:defaultCandidateCount:)`` with Attune lines parsed as `parsing` says.
    static func parse(
        _ text: String, format: LogFormat, source: String, defaultCandidateCount: Int?, parsing: LineParsing
    ) throws(EvaluationError) -> DecisionLog {
        var builder = Builder(source: source, defaultCandidateCount: defaultCandidateCount)
        switch format {
        case .attune: try parse(text, reader: AttuneLogReader(source: source, parsing: parsing), into: &builder)
        case .dsjson: try parse(text, reader: DSJSONLogReader(source: source), into: &builder)
        case .csv: try parse(text, reader: CSVLogReader(source: source), into: &builder)
        }
        return try builder.finish()
    }

    private static func parse<R: DecisionLogReader>(_ text: String, reader: R, into builder: inout Builder) throws(EvaluationError) {
        var reader = reader
        var lineNumber = 0
        // Split the bytes, not the characters: "\r\n" is one Character, so a CRLF text would
        // not split on "\n".
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = Array(line)
            if bytes.last == 0x0D { bytes.removeLast() }
            bytes.append(0)
            let count = bytes.count - 1
            let round = try bytes.withUnsafeBufferPointer { b throws(EvaluationError) in
                try reader.round(from: UnsafeBufferPointer(rebasing: b[0..<count]), line: lineNumber)
            }
            if let round { try builder.append(round, line: lineNumber) }
        }
    }
}
