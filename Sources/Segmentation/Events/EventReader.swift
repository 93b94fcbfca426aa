/// Streams customer events from a JSON Lines or CSV file in constant memory.
///
/// The file is read in 1 MiB chunks and each line is parsed in place and handed to the
/// caller, so a 10-million-event file never sits in memory. Blank lines are ignored.
/// A malformed line is handled by the ``ErrorPolicy``: `.skip` drops it and carries on,
/// `.fail` stops delivering events at the first one, keeps scanning to count the problems,
/// and throws ``SegmentationError/malformedEvents(problems:total:)`` with the first 10.
///
/// ```
/// let reader = EventReader(format: .jsonLines, onError: .skip)
/// var profiles = ProfileTable(schema: schema)
/// let report = try reader.read(path: "events.jsonl") { profiles.update(with: $0) }
/// print(report.eventCount, report.problemCount)
/// ```
public struct EventReader: Sendable {
    /// The input encoding.
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        /// One JSON object per line (`.jsonl`, `.ndjson`, `.json`).
        case jsonLines = "jsonl"
        /// Comma-separated values with a header line (`.csv`).
        case csv

        /// The format a file name suggests: `.csv` is CSV, anything else JSON Lines.
        public static func inferred(fromPath path: String) -> Format {
            path.lowercased().hasSuffix(".csv") ? .csv : .jsonLines
        }
    }

    /// What to do with a malformed line.
    public enum ErrorPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        /// Drop the line, remember the problem, continue.
        case skip
        /// Stop delivering events and throw, listing the first problems.
        case fail
    }

    /// What a read saw.
    public struct Report: Sendable, Hashable {
        /// Events delivered to the caller.
        public var eventCount = 0
        /// Malformed lines (all of them, not only the listed ones).
        public var problemCount = 0
        /// The first ``EventReader/maximumListedProblems`` problems.
        public var problems: [EventProblem] = []
    }

    /// How many problems a report or error lists.
    public static let maximumListedProblems = 10

    /// The input encoding.
    public var format: Format
    /// What to do with malformed lines.
    public var onError: ErrorPolicy
    /// The chunk size in bytes (memory use is one chunk plus the longest line).
    public var chunkSize: Int

    /// Creates a reader.
    public init(format: Format, onError: ErrorPolicy = .fail, chunkSize: Int = 1 << 20) {
        self.format = format
        self.onError = onError
        self.chunkSize = chunkSize
    }

    /// Reads the file at `path` (`"-"` for standard input), calling `body` with each event in
    /// file order.
    /// - Throws: ``SegmentationError/unreadableFile(path:reason:)``,
    ///   ``SegmentationError/invalidHeader(reason:)`` for a CSV without the required columns,
    ///   ``SegmentationError/malformedEvents(problems:total:)`` under `.fail`.
    /// - Complexity: O(bytes), memory O(chunk size + longest line).
    @discardableResult
    public func read(path: String, _ body: (Event) -> Void) throws(SegmentationError) -> Report {
        var lines = LineReader(chunkSize: chunkSize, quoteAware: format == .csv)
        defer { lines.deallocate() }
        var state = State(format: format, onError: onError)
        try lines.forEachLine(path: path) { (line, number) throws(SegmentationError) in
            try state.consume(line, number, body)
        }
        return try state.finish()
    }

    /// Reads events from in-memory bytes (a small document, a request body, a test fixture).
    /// - Throws: as ``read(path:_:)``.
    @discardableResult
    public func read(bytes: [UInt8], _ body: (Event) -> Void) throws(SegmentationError) -> Report {
        var lines = LineReader(chunkSize: chunkSize, quoteAware: format == .csv)
        defer { lines.deallocate() }
        var state = State(format: format, onError: onError)
        try lines.forEachLine(bytes: bytes) { (line, number) throws(SegmentationError) in
            try state.consume(line, number, body)
        }
        return try state.finish()
    }

    /// Reads every event of a small in-memory document into an array.
    /// - Throws: as ``read(path:_:)``.
    public func events(in text: String) throws(SegmentationError) -> (events: [Event], report: Report) {
        var events: [Event] = []
        let report = try read(bytes: Array(text.utf8)) { events.append($0) }
        return (events, report)
    }

    // MARK: - State

    private struct State {
        let format: Format
        let onError: ErrorPolicy
        var json = JSONLineParser()
        var csv: CSVLineParser?
        var report = Report()
        var failed = false

        init(format: Format, onError: ErrorPolicy) {
            self.format = format
            self.onError = onError
        }

        mutating func consume(_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ body: (Event) -> Void) throws(SegmentationError) -> Bool {
            if isBlank(line) { return true }
            let event: Event
            do throws(SegmentationError) {
                switch format {
                case .jsonLines:
                    event = try json.parse(line, line: number)
                case .csv:
                    guard let parsed = try csv?.parse(line, line: number) else {
                        csv = try CSVLineParser(header: line)
                        return true
                    }
                    event = parsed
                }
            } catch {
                guard case .malformedEvent(let problem) = error else { throw error }
                report.problemCount += 1
                if report.problems.count < EventReader.maximumListedProblems { report.problems.append(problem) }
                if onError == .fail { failed = true }
                return true
            }
            if !failed {
                body(event)
                report.eventCount += 1
            }
            return true
        }

        func finish() throws(SegmentationError) -> Report {
            if format == .csv && csv == nil { throw .invalidHeader(reason: "the input is empty") }
            if failed { throw .malformedEvents(problems: report.problems, total: report.problemCount) }
            return report
        }

        private func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            for c in line where !(c == 0x20 || c == 0x09 || c == 0x0D) { return false }
            return true
        }
    }
}
