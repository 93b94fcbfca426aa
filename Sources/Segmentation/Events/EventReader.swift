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
/// var profiles = ProfileTable()
/// let report = try reader.read(path: "events.jsonl", into: &profiles)
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
        try forEachView(path: path) { body($0.event) }
    }

    /// Reads events from in-memory bytes (a small document, a request body, a test fixture).
    /// - Throws: as ``read(path:_:)``.
    @discardableResult
    public func read(bytes: [UInt8], _ body: (Event) -> Void) throws(SegmentationError) -> Report {
        try forEachView(bytes: bytes) { body($0.event) }
    }

    /// Reads the file at `path` straight into `table`: the fast path, which creates no
    /// ``Event`` and no string per event (customer ids, categories and search terms are
    /// hashed from the bytes of the line). `progress`, when given, is called every
    /// ``progressInterval`` events with the count so far.
    ///
    /// Events reach the table in file order, in small batches of lines of the same chunk, so
    /// the table can look up a batch's customers before updating them and the memory accesses
    /// of different events overlap. The profiles are the ones ``ProfileTable/update(with:)``
    /// would build from the same events.
    /// - Throws: as ``read(path:_:)``.
    /// - Complexity: O(bytes), memory O(chunk size + longest line) besides the table.
    @discardableResult
    public func read(path: String, into table: inout ProfileTable, progress: ((Int) -> Void)? = nil) throws(SegmentationError) -> Report {
        var seen = 0
        return try forEachBatch(path: path) { batch in
            table.update(batch)
            let before = seen
            seen &+= batch.count
            if let progress, before / EventReader.progressInterval != seen / EventReader.progressInterval { progress(seen) }
        }
    }

    /// Reads in-memory bytes straight into `table` (see ``read(path:into:progress:)``).
    /// - Throws: as ``read(path:_:)``.
    @discardableResult
    public func read(bytes: [UInt8], into table: inout ProfileTable) throws(SegmentationError) -> Report {
        try forEachBatch(bytes: bytes) { table.update($0) }
    }

    /// Parses and validates every line of the file at `path` without keeping anything: the
    /// event count and the problems, as a dry run before a long ingestion (and the parser's
    /// own speed in the benchmarks).
    /// - Throws: as ``read(path:_:)``.
    /// - Complexity: O(bytes), memory O(chunk size + longest line).
    @discardableResult
    public func check(path: String) throws(SegmentationError) -> Report {
        try forEachBatch(path: path) { _ in }
    }

    /// Events between two progress calls of ``read(path:into:progress:)``.
    public static let progressInterval = 65_536

    /// Reads every event of a small in-memory document into an array.
    /// - Throws: as ``read(path:_:)``.
    public func events(in text: String) throws(SegmentationError) -> (events: [Event], report: Report) {
        var events: [Event] = []
        let report = try read(bytes: Array(text.utf8)) { events.append($0) }
        return (events, report)
    }

    // MARK: - Views

    func forEachView(path: String, _ body: (EventView) -> Void) throws(SegmentationError) -> Report {
        try forEachBatch(path: path) { batch in for view in batch { body(view) } }
    }

    func forEachView(bytes: [UInt8], _ body: (EventView) -> Void) throws(SegmentationError) -> Report {
        try forEachBatch(bytes: bytes) { batch in for view in batch { body(view) } }
    }

    /// Calls `body` with consecutive events of the file, in order, a few lines at a time.
    func forEachBatch(path: String, _ body: (UnsafeBufferPointer<EventView>) -> Void) throws(SegmentationError) -> Report {
        var lines = LineReader(chunkSize: chunkSize, quoteAware: format == .csv)
        var state = State(format: format, onError: onError)
        defer {
            lines.deallocate()
            state.deallocate()
        }
        try lines.forEachLine(path: path, willMoveLines: { state.flush(body) }) { (line, number) throws(SegmentationError) in
            try state.consume(line, number, body)
        }
        state.flush(body)
        return try state.finish()
    }

    /// Calls `body` with consecutive events of in-memory bytes, in order, a few lines at a time.
    func forEachBatch(bytes: [UInt8], _ body: (UnsafeBufferPointer<EventView>) -> Void) throws(SegmentationError) -> Report {
        var lines = LineReader(chunkSize: chunkSize, quoteAware: format == .csv)
        var state = State(format: format, onError: onError)
        defer {
            lines.deallocate()
            state.deallocate()
        }
        try lines.forEachLine(bytes: bytes, willMoveLines: { state.flush(body) }) { (line, number) throws(SegmentationError) in
            try state.consume(line, number, body)
        }
        state.flush(body)
        return try state.finish()
    }

    // MARK: - State

    private struct State {
        /// Lines parsed before their events are handed on together.
        static let batchSize = 16

        let format: Format
        let onError: ErrorPolicy
        var csv: CSVLineParser?
        var report = Report()
        var failed = false
        /// Scratch for the decoded strings of the pending lines, grown for long lines.
        var arena: UnsafeMutableBufferPointer<UInt8>
        var arenaUsed = 0
        /// Parsed events not yet handed on; their bytes live in the current chunk and `arena`.
        let pending: UnsafeMutablePointer<EventView>
        var pendingCount = 0

        init(format: Format, onError: ErrorPolicy) {
            self.format = format
            self.onError = onError
            arena = .allocate(capacity: 1 << 16)
            pending = .allocate(capacity: State.batchSize)
        }

        func deallocate() {
            arena.deallocate()
            pending.deallocate()
        }

        /// Hands the pending events on (before their lines move, at the end, before a failure).
        mutating func flush(_ body: (UnsafeBufferPointer<EventView>) -> Void) {
            if pendingCount > 0 {
                body(UnsafeBufferPointer(start: pending, count: pendingCount))
                report.eventCount += pendingCount
                pending.deinitialize(count: pendingCount)
                pendingCount = 0
            }
            arenaUsed = 0
        }

        mutating func consume(
            _ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ body: (UnsafeBufferPointer<EventView>) -> Void
        ) throws(SegmentationError) -> Bool {
            if isBlank(line) { return true }
            let need = line.count + EventArena.reserve
            if pendingCount == State.batchSize || arenaUsed + need > arena.count { flush(body) }
            if need > arena.count {
                arena.deallocate()
                arena = .allocate(capacity: 2 * need)
            }
            var scratch = EventArena(UnsafeMutableBufferPointer(rebasing: arena[arenaUsed...]))
            let event: EventView
            do throws(SegmentationError) {
                switch format {
                case .jsonLines:
                    event = try JSONLineParser.view(line, line: number, arena: &scratch)
                case .csv:
                    guard let csv else {
                        csv = try CSVLineParser(header: line)
                        return true
                    }
                    event = try csv.view(line, line: number, arena: &scratch)
                }
            } catch {
                guard case .malformedEvent(let problem) = error else { throw error }
                report.problemCount += 1
                if report.problems.count < EventReader.maximumListedProblems { report.problems.append(problem) }
                if onError == .fail && !failed {
                    // Everything before the first bad line is delivered, nothing after it.
                    flush(body)
                    failed = true
                }
                return true
            }
            if !failed {
                (pending + pendingCount).initialize(to: event)
                pendingCount += 1
                arenaUsed += scratch.used
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
