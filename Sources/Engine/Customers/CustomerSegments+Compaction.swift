#if canImport(Glibc)
import CMalloc
import Glibc
#endif
import Foundation
import Segmentation
import Synchronization

/// Where the customer event log stands.
///
/// Positions are *logical*: bytes appended since start, the file's bytes at start included.
/// They never move back, so a customer's origin (the logical position of the first line of
/// its current profile) stays valid across compactions; a compaction records where it swapped
/// the files, which maps the lines appended after it back to logical positions.
struct LogPosition: Sendable {
    /// Logical position of the end of the log.
    var logical = 0
    /// Logical and physical end of the log when the last compaction swapped the files (lines
    /// before that physical offset were all kept by it, and carry no logical position).
    var swapLogical = 0
    var swapPhysical = 0
    /// Why the log refuses appends (a failed write that could not be cut off), if it does.
    var damage: String?

    /// The log file's size in bytes.
    var physicalSize: Int { swapPhysical + logical - swapLogical }

    /// Whether the log has grown by `minimum` bytes, and doubled, since the last compaction.
    func isDueForCompaction(every minimum: Int) -> Bool {
        logical - swapLogical >= max(minimum, swapPhysical)
    }

    /// Whether the line at `physical` offset still belongs to the profile that began at
    /// logical position `origin`: it was appended at or after it, or (for a line kept by the
    /// last compaction) the profile began before that compaction.
    func line(at physical: Int, belongsToProfileFrom origin: Int) -> Bool {
        physical >= swapPhysical ? swapLogical + physical - swapPhysical >= origin : origin < swapLogical
    }
}

/// What one compaction of the customer event log did.
public struct EventLogCompaction: Sendable, Equatable {
    /// The log's size before and after, in bytes.
    public var bytesBefore: Int
    public var bytesAfter: Int
    /// Lines copied to the compacted log.
    public var linesKept: Int
    /// Lines left out: events of evicted profiles, and lines that do not parse.
    public var linesDropped: Int
}

extension CustomerSegments {
    /// The suffix of the file a compaction writes before it replaces the log.
    static let compactionSuffix = ".compacting"

    /// Rewrites the customer event log without the lines no profile needs any more: the events
    /// of evicted customers (and of their profiles before an eviction), and torn lines.
    /// Replaying the compacted log rebuilds the same profiles as replaying the whole one.
    ///
    /// Events keep arriving meanwhile: the log is copied in chunks with the profile lock held
    /// only to decide which lines stay, then the last few lines are copied with it held, the
    /// copy is synced and renamed over the log, and the log's descriptor is pointed at it.
    /// A crash at any point leaves either the old log or the new one, each whole.
    /// Runs on its own when the log has grown by ``Limits/logCompactionBytes`` and doubled.
    /// - Returns: What it did, `nil` when the engine has no event log or a compaction is running.
    /// - Throws: `EngineError.storage` naming the file and the failed operation; the old log
    ///   is then left in place and in use.
    /// - Complexity: O(log bytes), with the lock held O(lines) lookups in short batches.
    @discardableResult
    public func compactEventLog() throws(EngineError) -> EventLogCompaction? {
        guard logDescriptor >= 0, let path = eventLogPath, claimCompaction() else { return nil }
        defer { compacting.store(false, ordering: .releasing) }
        let result = try compact(path: path)
        compactionStatus.withLock { $0.count += 1 }
        return result
    }

    /// Starts a compaction on a background thread at the lowest scheduling weight, unless one
    /// is running (claimed before the thread starts, so a burst of events starts one thread);
    /// a failure is kept for ``eventLogCompactionFailure``.
    func compactEventLogInBackground() {
        guard logDescriptor >= 0, let path = eventLogPath, claimCompaction() else { return }
        let thread = Thread { [self] in
            ThreadPriority.nameCurrentThread("attune-compact")
            ThreadPriority.setCurrentThread(nice: ThreadPriority.idle)
            defer { compacting.store(false, ordering: .releasing) }
            do throws(EngineError) {
                _ = try compact(path: path)
                compactionStatus.withLock { $0 = ($0.count + 1, nil) }
            } catch {
                compactionStatus.withLock { $0.failure = error.description }
            }
            // The copy's buffers were freed in this thread's malloc arena, which glibc keeps
            // resident after the thread ends: hand the free pages of every arena back. A soak
            // still grew by 2–3 MB at every compaction with this alone; with the fixed
            // thresholds of `MemoryTuning` (set by `attune serve`) it stays flat.
            malloc_trim(0)
        }
        thread.start()
    }

    /// Marks a compaction as running; `false` when one already is.
    private func claimCompaction() -> Bool {
        compacting.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    private func compact(path: String) throws(EngineError) -> EventLogCompaction {
        let temporary = path + Self.compactionSuffix
        func failure(_ operation: String, _ code: Int32 = errno) -> EngineError {
            .storage(operation: "\(operation) while compacting the customer event log \(path)", message: String(cString: strerror(code)))
        }
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("open") }
        defer { close(input) }
        // O_APPEND: once the swap makes it the log, appends must land at its end as before.
        let output = open(temporary, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw failure("create \(temporary)") }
        var swapped = false
        defer {
            close(output)
            if !swapped { unlink(temporary) }
        }
        var copier = LineCopier(input: input, output: output)
        // Copy without the lock until what is left is small.
        var end = state.withLock { $0.log.physicalSize }
        let bytesBefore = end
        while end - copier.read > 1 << 16 {
            try copier.copy(upTo: end) { lines in state.withLock { live in lines.map { live.keeps($0) } } }
                .mapError { failure("copy the log", $0.code) }.get()
            end = state.withLock { $0.log.physicalSize }
        }
        guard fsync(output) == 0 else { throw failure("sync \(temporary)") }
        // The rest with the lock held, so that no line is appended between the copy and the swap.
        try state.withLock { (live: inout Live) throws(EngineError) in
            let end = live.log.physicalSize
            try copier.copy(upTo: end) { lines in lines.map { live.keeps($0) } }.mapError { failure("copy the log", $0.code) }.get()
            guard fsync(output) == 0 else { throw failure("sync \(temporary)") }
            // Appends go to the new file from now on: this descriptor number stays the log's.
            let previous = dup(logDescriptor)
            guard previous >= 0 else { throw failure("keep the log's descriptor") }
            defer { close(previous) }
            guard dup2(output, logDescriptor) >= 0 else { throw failure("switch the log's descriptor") }
            guard rename(temporary, path) == 0 else {
                let error = failure("rename \(temporary)")
                _ = dup2(previous, logDescriptor)
                throw error
            }
            swapped = true
            live.log.swapLogical = live.log.logical
            live.log.swapPhysical = copier.written
            // The rename is durable before any line appended to the new file is acknowledged.
            try Self.syncDirectory(of: path).mapError { failure("sync the directory", $0.code) }.get()
        }
        return EventLogCompaction(bytesBefore: bytesBefore, bytesAfter: copier.written, linesKept: copier.kept, linesDropped: copier.dropped)
    }

    private static func syncDirectory(of path: String) -> Result<Void, CallFailure> {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(CallFailure()) }
        defer { close(descriptor) }
        return fsync(descriptor) == 0 ? .success(()) : .failure(CallFailure())
    }
}

extension CustomerSegments.Live {
    /// Whether a logged line still feeds a held profile.
    func keeps(_ line: LineCopier.Line) -> Bool {
        guard let customer = line.customerID, let origin = recency.origin(of: customer) else { return false }
        return log.line(at: line.offset, belongsToProfileFrom: origin)
    }
}

/// A failed system call, with its `errno`.
struct CallFailure: Error {
    var code: Int32
    init(_ code: Int32 = errno) { self.code = code }
}

/// Copies whole lines of the event log to a new file, keeping those a predicate accepts.
struct LineCopier {
    /// A line to decide on: its physical offset and its customer (`nil`: it does not parse).
    struct Line {
        var offset: Int
        var customerID: String?
    }

    let input: Int32
    let output: Int32
    /// Bytes of the input consumed (always at a line end) and bytes written.
    private(set) var read = 0
    private(set) var written = 0
    private(set) var kept = 0
    private(set) var dropped = 0
    // Reused from chunk to chunk: a compaction holds about two chunks of memory at a time.
    private var buffer: [UInt8] = []
    private var out: [UInt8] = []
    private var lines: [Line] = []
    private var ranges: [Range<Int>] = []
    private var parser = JSONLineParser()

    init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
    }

    /// Copies the lines between `read` and `end` (a line end), deciding batches of them with
    /// `decide` (one answer per line, in order).
    mutating func copy(upTo end: Int, decide: ([Line]) -> [Bool]) -> Result<Void, CallFailure> {
        var chunk = 1 << 20
        while read < end {
            let want = min(chunk, end - read)
            if buffer.count < want { buffer = [UInt8](repeating: 0, count: want) }
            let offset = read
            let status: Int32 = buffer.withUnsafeMutableBufferPointer { raw in
                var filled = 0
                while filled < want {
                    let n = pread(input, raw.baseAddress.map { $0 + filled }, want - filled, off_t(offset + filled))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return n < 0 ? errno : EIO }
                    filled += n
                }
                return 0
            }
            if status != 0 { return .failure(CallFailure(status)) }
            // Whole lines only; a line longer than the chunk is read again with a larger one.
            guard let lastNewline = buffer[..<want].lastIndex(of: UInt8(ascii: "\n")) else {
                if want == end - read { return .failure(CallFailure(EIO)) }  // no line end before `end`: not a log
                chunk *= 2
                continue
            }
            lines.removeAll(keepingCapacity: true)
            ranges.removeAll(keepingCapacity: true)
            var start = 0
            while start <= lastNewline {
                let stop = buffer[start...lastNewline].firstIndex(of: UInt8(ascii: "\n")) ?? lastNewline
                let id: String? = buffer.withUnsafeBufferPointer { b in
                    let line = UnsafeBufferPointer(rebasing: b[start..<stop])
                    return line.isEmpty ? nil : (try? parser.parse(line, line: 1))?.customerID
                }
                lines.append(Line(offset: read + start, customerID: id))
                ranges.append(start..<(stop + 1))
                start = stop + 1
            }
            let keep = decide(lines)
            out.removeAll(keepingCapacity: true)
            for (i, range) in ranges.enumerated() {
                if i < keep.count && keep[i] {
                    out.append(contentsOf: buffer[range])
                    kept += 1
                } else if range.count > 1 {
                    dropped += 1
                }
            }
            if case .failure(let error) = writeOut() { return .failure(error) }
            read += lastNewline + 1
        }
        return .success(())
    }

    /// Writes the kept lines of the chunk.
    private mutating func writeOut() -> Result<Void, CallFailure> {
        var done = 0
        while done < out.count {
            let n = out.withUnsafeBufferPointer { b in Glibc.write(output, b.baseAddress.map { $0 + done }, b.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return .failure(CallFailure()) }
            done += n
        }
        written += out.count
        return .success(())
    }
}
