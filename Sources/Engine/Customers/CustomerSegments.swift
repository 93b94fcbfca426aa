import Foundation
import Segmentation
import Synchronization

/// Live customer profiles and segments for the server: raw touchpoint events
/// (`POST /v1/events`, the `attune segment` event format) update each customer's
/// incremental profile and re-assign their segment with a fitted segmentation model, so that
/// decisions for a `customer_id` see the customer's current segment and profile features.
///
/// Profiles live in memory. With an event log file, accepted events are appended to it before
/// they are applied and are on disk before `ingest` returns (the engine shares one `fsync`
/// among concurrent requests through its journal's group commit), and the log is replayed at
/// start, so acknowledged events survive a restart; without one profiles start empty.
///
/// ```swift
/// let customers = try CustomerSegments(contentsOf: "segments.json")
/// _ = try customers.ingest(jsonLines: Array(#"{"customer_id":"c1","timestamp":1709296496,"type":"purchase","value":42}"#.utf8), now: 1709296500)
/// customers.segment(of: "c1")   // the customer's segment
/// ```
///
/// Memory is bounded by ``Limits``: a customer without an event for `idleSeconds` is evicted,
/// and beyond `maxCustomers` the customer whose last event is oldest is; an evicted customer's
/// next event starts a new profile (``evictedProfiles`` counts evictions). Times are the
/// server's: an event counts at the time it was received, and its customer's segment is
/// assigned as of then. Each logged line carries that time (a last key, `received_at`), so a
/// replay of the log rebuilds the same profiles, segments and evictions as the live server
/// had. Lines logged without it (by an earlier version) replay at their events' own times.
///
/// Decisions do not count as activity: only events, which are logged, do, so that a restart
/// sees the same history (and a campaign deciding for dormant customers does not keep their
/// profiles in memory).
public final class CustomerSegments: Sendable {
    /// Memory bounds of the profiles.
    public struct Limits: Sendable, Equatable {
        /// The most customer profiles held; the one whose last event is oldest is evicted beyond it.
        public var maxCustomers: Int
        /// Seconds without an event (by the server's clock) after which a profile is evicted
        /// (`nil`: never).
        public var idleSeconds: Double?
        /// Growth of the event log, in bytes, that starts a compaction in the background (the
        /// log is also compacted whenever it has doubled since the last compaction, if later).
        public var logCompactionBytes: Int

        /// 64 MiB.
        public static let defaultLogCompactionBytes = 64 << 20

        /// Creates limits.
        /// - Throws: `EngineError.invalidField` naming `customer_profiles_max` (below 1),
        ///   `customer_idle_seconds` (not a positive finite number) or
        ///   `customer_log_compact_bytes` (below 4096).
        public init(maxCustomers: Int = 1_000_000, idleSeconds: Double? = nil,
                    logCompactionBytes: Int = Limits.defaultLogCompactionBytes) throws(EngineError) {
            guard maxCustomers >= 1 else {
                throw .invalidField(field: "customer_profiles_max", reason: "\(maxCustomers) must be at least 1")
            }
            if let idleSeconds, !(idleSeconds.isFinite && idleSeconds > 0) {
                throw .invalidField(field: "customer_idle_seconds", reason: "\(idleSeconds) must be a positive number of seconds")
            }
            guard logCompactionBytes >= 4096 else {
                throw .invalidField(field: "customer_log_compact_bytes", reason: "\(logCompactionBytes) must be at least 4096 bytes")
            }
            self.maxCustomers = maxCustomers
            self.idleSeconds = idleSeconds
            self.logCompactionBytes = logCompactionBytes
        }

        /// One million profiles, no idle TTL, compaction every 64 MiB of growth.
        public static let standard = Limits(unchecked: 1_000_000, idleSeconds: nil)

        private init(unchecked maxCustomers: Int, idleSeconds: Double?) {
            self.maxCustomers = maxCustomers
            self.idleSeconds = idleSeconds
            self.logCompactionBytes = Self.defaultLogCompactionBytes
        }
    }

    /// The segmenter, the recency order it is bounded by and the event log's position.
    struct Live: Sendable {
        var segmenter: RealTimeSegmenter
        var recency = CustomerRecency()
        var evicted = 0
        let limits: Limits
        var log = LogPosition()

        /// Records a touch of `customerID` at `now`, then evicts idle and surplus profiles;
        /// `origin` (the log position of its first line) is kept for a new customer.
        mutating func touch(_ customerID: String, at now: Double, origin: Int) {
            recency.touch(customerID, at: now, origin: origin)
            evict(now: now)
        }

        mutating func evict(now: Double) {
            if let idle = limits.idleSeconds {
                while let oldest = recency.oldest, oldest.time < now - idle { drop(oldest.id) }
            }
            while recency.count > limits.maxCustomers, let oldest = recency.oldest { drop(oldest.id) }
        }

        private mutating func drop(_ customerID: String) {
            recency.remove(customerID)
            segmenter.forget(customerID)
            evicted += 1
        }
    }

    /// What one event did to its customer.
    public struct Ingested: Sendable, Equatable {
        /// The customer.
        public var customerID: String
        /// The customer's segment after the event (−1: noise, for DBSCAN models).
        public var segment: Int
        /// Behaviour changes the event revealed, as short words (`segment_changed`, `spend_jump`, `engagement_drop`).
        public var changes: [String]
    }

    /// The fitted segmentation model.
    public let model: SegmentationModel
    /// The profile feature names the model computes, in column order.
    public let featureNames: [String]
    private let columns: [String: Int]
    private let schema: FeatureSchema
    let state: Mutex<Live>
    private let ingestedCount = Atomic<Int>(0)
    /// Descriptor of the event log (−1 without one). Compaction points it at the compacted
    /// file (`dup2`), so the number stays valid for syncs in flight.
    let logDescriptor: Int32
    /// Whether a compaction of the event log is running.
    let compacting = Atomic<Bool>(false)
    /// Compactions done, and the last failure of one started in the background.
    let compactionStatus = Mutex<(count: Int, failure: String?)>((0, nil))
    /// The event log's path.
    public let eventLogPath: String?
    /// Events replayed from the event log at start.
    public let replayedEvents: Int

    /// Wraps a model fitted on events.
    /// - Parameters:
    ///   - model: A segmentation model fitted on events.
    ///   - eventLog: A JSON Lines file that keeps accepted events; replayed now when it exists
    ///     (lines that do not parse, such as a line torn by a crash, are skipped).
    ///   - limits: The profile cap and idle TTL.
    /// - Throws: `EngineError.invalidField(field: "segment_model", …)` when the model was
    ///   fitted on a feature matrix (it has no event schema to build profiles with);
    ///   `.storage` when the event log cannot be read or opened.
    /// - Complexity: O(logged events · (features + k·d)) for the replay.
    public init(model: SegmentationModel, eventLog: String? = nil, limits: Limits = .standard) throws(EngineError) {
        guard let schema = model.schema else {
            throw .invalidField(field: "segment_model",
                                reason: "the model was fitted on a feature matrix; fit it on events (attune segment fit --events) to segment customers live")
        }
        var live: Live
        do throws(SegmentationError) { live = Live(segmenter: try RealTimeSegmenter(model: model), limits: limits) } catch {
            throw .invalidField(field: "segment_model", reason: error.description)
        }
        var replayed = 0
        var descriptor: Int32 = -1
        var tornLine = false
        if let eventLog {
            // A compaction cut short by a crash: the log it was replacing is still whole.
            unlink(eventLog + Self.compactionSuffix)
            if FileManager.default.fileExists(atPath: eventLog) {
                var parser = JSONLineParser()
                let (size, endsWithNewline) = try Self.forEachLine(ofFile: eventLog) { line, offset in
                    let event: Event? = try? parser.parse(line, line: 1)
                    guard let event else { return }
                    let now = Self.receivedAt(line) ?? event.timestamp
                    live.evict(now: now)
                    guard (try? live.segmenter.ingest(event, now: now)) != nil else { return }
                    live.touch(event.customerID, at: now, origin: offset)
                    replayed += 1
                }
                // A line torn by a crash: end it, so that the next append starts a line of its own.
                tornLine = size > 0 && !endsWithNewline
                live.log.logical = size + (tornLine ? 1 : 0)
            }
            descriptor = open(eventLog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw .storage(operation: "open the customer event log \(eventLog)", message: String(cString: strerror(errno)))
            }
            if tornLine {
                let newline = [UInt8(ascii: "\n")]
                guard write(descriptor, newline, 1) == 1 else {
                    close(descriptor)
                    throw .storage(operation: "end the torn last line of \(eventLog)", message: String(cString: strerror(errno)))
                }
            }
        }
        logDescriptor = descriptor
        eventLogPath = eventLog
        replayedEvents = replayed
        self.model = model
        self.schema = schema
        featureNames = schema.names
        columns = Dictionary(schema.names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        state = Mutex(live)
    }

    /// Calls `body` with each non-empty line of the file at `path` (without its newline; the
    /// last line too when the file does not end with one) and the line's byte offset, reading
    /// 1 MiB at a time.
    /// - Returns: The file's size and whether it ends with a newline.
    /// - Throws: `EngineError.storage` when the file cannot be read.
    static func forEachLine(ofFile path: String,
                            _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) throws(EngineError) -> (size: Int, endsWithNewline: Bool) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .storage(operation: "read the customer event log \(path)", message: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var held = 0  // bytes of an unfinished line at the start of `buffer`
        var offset = 0  // file offset of buffer[0]
        var last: UInt8 = UInt8(ascii: "\n")
        while true {
            if held == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }  // a line longer than the buffer
            let n = buffer.withUnsafeMutableBufferPointer { b in read(descriptor, b.baseAddress.map { $0 + held }, b.count - held) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw .storage(operation: "read the customer event log \(path)", message: String(cString: strerror(errno)))
            }
            let filled = held + n
            if n > 0 { last = buffer[filled - 1] }
            var start = 0
            buffer.withUnsafeBufferPointer { b in
                var i = held
                while i < filled {
                    if b[i] == UInt8(ascii: "\n") {
                        if i > start { body(UnsafeBufferPointer(rebasing: b[start..<i]), offset + start) }
                        start = i + 1
                    }
                    i += 1
                }
                if n == 0, start < filled { body(UnsafeBufferPointer(rebasing: b[start..<filled]), offset + start) }
            }
            if n == 0 { return (offset + filled, last == UInt8(ascii: "\n")) }
            // Keep the unfinished line at the start of the buffer.
            held = filled - start
            if held > 0, start > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    guard let base = b.baseAddress else { return }
                    memmove(base, base + start, held)
                }
            }
            offset += start
        }
    }

    /// Reads a model written by `attune segment fit --output` (`eventLog` and `limits` as in
    /// ``init(model:eventLog:limits:)``).
    /// - Throws: `EngineError.invalidField(field: "segment_model", …)` naming the file and the problem.
    public convenience init(contentsOf path: String, eventLog: String? = nil, limits: Limits = .standard) throws(EngineError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .invalidField(field: "segment_model", reason: "cannot read \(path): \(error.localizedDescription)")
        }
        let model: SegmentationModel
        do throws(SegmentationError) { model = try SegmentationModel(jsonData: data) } catch {
            throw .invalidField(field: "segment_model", reason: "\(path): \(error.description)")
        }
        try self.init(model: model, eventLog: eventLog, limits: limits)
    }

    deinit {
        if logDescriptor >= 0 { close(logDescriptor) }
    }

    /// The number of segments of the model.
    public var segmentCount: Int { model.segmentCount }

    /// Events ingested since start.
    public var ingestedEvents: Int { ingestedCount.load(ordering: .relaxed) }

    /// Customer profiles held in memory now.
    public var profileCount: Int { state.withLock { $0.segmenter.customerCount } }

    /// Profiles evicted since start (idle past the TTL or over the cap), replay included.
    public var evictedProfiles: Int { state.withLock { $0.evicted } }

    /// The limits in force.
    public var limits: Limits { state.withLock { $0.limits } }

    /// The event log's size in bytes (0 without one).
    public var eventLogBytes: Int { logDescriptor < 0 ? 0 : state.withLock { $0.log.physicalSize } }

    /// Compactions of the event log since start.
    public var eventLogCompactions: Int { compactionStatus.withLock { $0.count } }

    /// The last failure of a background compaction of the event log, if any.
    public var eventLogCompactionFailure: String? { compactionStatus.withLock { $0.failure } }

    /// Evicts the profiles idle at `now` (also done on every event and lookup).
    /// - Complexity: O(evicted).
    public func evictIdle(now: Double) {
        state.withLock { $0.evict(now: now) }
    }

    /// Parses a body of JSON Lines events (one object per line; blank lines ignored) and, only
    /// when every line is valid, folds them into the customers' profiles in order.
    /// - Parameters:
    ///   - body: UTF-8 JSON Lines.
    ///   - now: The server's time (seconds since 1970); features are computed at the later of
    ///     it and the customer's last event.
    /// - Returns: One entry per event, in order.
    /// - Throws: `EngineError.invalidField` with field `events[i]` (0-based line among the
    ///   non-blank ones) or `events[i].<field>` for a malformed event, `events` for an empty
    ///   body; nothing is applied then.
    /// - Complexity: O(bytes + events · (features + k·d)).
    public func ingest(jsonLines body: [UInt8], now: Double) throws(EngineError) -> [Ingested] {
        try ingest(jsonLines: body, now: now) { descriptor throws(EngineError) in
            guard fsync(descriptor) == 0 else {
                throw .storage(operation: "sync the customer event log \(eventLogPath ?? "")", message: String(cString: strerror(errno)))
            }
        }
    }

    /// As ``ingest(jsonLines:now:)``, with the event log made durable by `syncLog` (called with
    /// the log's descriptor after the events are written and applied, outside the profile
    /// lock, so that concurrent requests can share one sync).
    /// - Throws: As ``ingest(jsonLines:now:)``, and what `syncLog` throws.
    /// - Complexity: O(bytes + events · (features + k·d)) plus the sync.
    public func ingest(jsonLines body: [UInt8], now: Double,
                       syncLog: (Int32) throws(EngineError) -> Void) throws(EngineError) -> [Ingested] {
        var parser = JSONLineParser()
        var events: [Event] = []
        var accepted: [UInt8] = []
        let receipt = Self.receiptKey(now)
        var lineStarts: [Int] = []
        var start = 0
        var line = 0
        while start <= body.count {
            let end = body[start...].firstIndex(of: UInt8(ascii: "\n")) ?? body.count
            var slice = body[start..<end]
            while let last = slice.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
                slice = slice.dropLast()
            }
            start = end + 1
            line += 1
            guard slice.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { continue }
            let index = events.count
            let parsed: Result<Event, SegmentationError> = slice.withUnsafeBufferPointer { bytes in
                do throws(SegmentationError) { return .success(try parser.parse(bytes, line: line)) } catch { return .failure(error) }
            }
            switch parsed {
            case .success(let event):
                guard event.timestamp.isFinite else {
                    throw .invalidField(field: "events[\(index)].timestamp", reason: "line \(line): not a finite time")
                }
                events.append(event)
                lineStarts.append(accepted.count)
                Self.appendLogLine(slice, receipt: receipt, to: &accepted)
            case .failure(.malformedEvent(let problem)):
                throw .invalidField(field: "events[\(index)]" + (problem.field.map { ".\($0)" } ?? ""),
                                    reason: "line \(line): \(problem.reason); send one event object per line in the `attune segment` event format")
            case .failure(let error):
                throw .invalidField(field: "events[\(index)]", reason: "line \(line): \(error.description)")
            }
        }
        guard !events.isEmpty else {
            throw .invalidField(field: "events", reason: "no event in the body; send one JSON event object per line")
        }
        let (updates, compact) = try state.withLock { (live: inout Live) throws(EngineError) -> ([Ingested], Bool) in
            let base = live.log.logical
            try appendToLog(accepted, at: &live.log)
            var result: [Ingested] = []
            result.reserveCapacity(events.count)
            for (i, event) in events.enumerated() {
                do throws(SegmentationError) {
                    // A profile idle past the TTL is gone before the event arrives: it starts anew.
                    live.evict(now: now)
                    let update = try live.segmenter.ingest(event, now: now)
                    live.touch(update.customerID, at: now, origin: base + lineStarts[i])
                    result.append(Ingested(customerID: update.customerID, segment: update.segment, changes: update.changes.map(Self.word)))
                } catch {
                    throw .invalidField(field: "events[\(i)]", reason: error.description)
                }
            }
            return (result, logDescriptor >= 0 && live.log.isDueForCompaction(every: live.limits.logCompactionBytes))
        }
        if logDescriptor >= 0 { try syncLog(logDescriptor) }
        ingestedCount.add(updates.count, ordering: .relaxed)
        if compact { compactEventLogInBackground() }
        return updates
    }

    /// Appends accepted lines to the event log (the caller syncs it) and advances `position`.
    /// A failed append is cut off again, so that the next line does not run on from a torn
    /// one; when even that fails, the log refuses further appends.
    private func appendToLog(_ bytes: [UInt8], at position: inout LogPosition) throws(EngineError) {
        guard logDescriptor >= 0 else { return }
        let path = eventLogPath ?? ""
        if let damage = position.damage {
            throw .storage(operation: "append to the customer event log \(path)",
                           message: "the log could not be repaired after a failed write (\(damage)); restart the server")
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBufferPointer { b in write(logDescriptor, b.baseAddress.map { $0 + written }, b.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let message = String(cString: strerror(errno))
                if written > 0, ftruncate(logDescriptor, off_t(position.physicalSize)) != 0 {
                    position.damage = "\(message), then \(String(cString: strerror(errno))) cutting it back to \(position.physicalSize) bytes"
                }
                throw .storage(operation: "append to the customer event log \(path)", message: message)
            }
            written += n
        }
        position.logical += bytes.count
    }

    /// The customer's current segment, `nil` for a customer without events.
    public func segment(of customerID: String) -> Int? {
        state.withLock { $0.segmenter.segment(of: customerID) }
    }

    /// The customer's current segment and the values of the requested profile features
    /// (names the model does not compute are left out), computed at the later of `now` and
    /// the customer's last event; `nil` for a customer without events.
    /// - Complexity: O(features).
    public func lookup(_ customerID: String, features names: [String], now: Double) -> (segment: Int, values: [String: Double])? {
        let wanted = names.compactMap { name in columns[name].map { (name, $0) } }
        return state.withLock { live -> (segment: Int, values: [String: Double])? in
            live.evict(now: now)
            guard let segment = live.segmenter.segment(of: customerID), let profile = live.segmenter.profile(of: customerID) else { return nil }
            guard !wanted.isEmpty else { return (segment, [:]) }
            let x = profile.features(schema: schema, asOf: max(now, profile.lastSeen))
            var values: [String: Double] = [:]
            for (name, column) in wanted where column < x.count { values[name] = x[column] }
            return (segment, values)
        }
    }

    // MARK: - Receive times in the log

    /// The key each logged line ends with, holding the server's receive time in seconds.
    static let receivedAtKey = Array(#""received_at""#.utf8)

    /// `"received_at":<now>}` and a newline: the end of every line logged at `now`.
    private static func receiptKey(_ now: Double) -> [UInt8] {
        receivedAtKey + Array(":\(now.isFinite ? now : 0)}\n".utf8)
    }

    /// Appends an accepted event line (an object ending in `}`, trailing blanks trimmed) with
    /// its receive time as a last key.
    private static func appendLogLine(_ line: ArraySlice<UInt8>, receipt: [UInt8], to log: inout [UInt8]) {
        let head = line.dropLast()
        log.append(contentsOf: head)
        let isEmptyObject = head.last(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) == UInt8(ascii: "{")
        if !isEmptyObject { log.append(UInt8(ascii: ",")) }
        log.append(contentsOf: receipt)
    }

    /// The receive time a logged line ends with (`…,"received_at":<seconds>}`), `nil` for a
    /// line without one (logged by an earlier version) or with a value that is not a finite number.
    /// - Complexity: O(length of the line's last key).
    static func receivedAt(_ line: UnsafeBufferPointer<UInt8>) -> Double? {
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        var end = line.count
        while end > 0, isBlank(line[end - 1]) { end -= 1 }
        guard end > 0, line[end - 1] == UInt8(ascii: "}") else { return nil }
        end -= 1
        while end > 0, isBlank(line[end - 1]) { end -= 1 }
        // The number: from after the colon to `end`.
        var start = end
        while start > 0, !isBlank(line[start - 1]), line[start - 1] != UInt8(ascii: ":") { start -= 1 }
        var colon = start
        while colon > 0, isBlank(line[colon - 1]) { colon -= 1 }
        guard start < end, end - start < 64, colon > 0, line[colon - 1] == UInt8(ascii: ":") else { return nil }
        var keyEnd = colon - 1
        while keyEnd > 0, isBlank(line[keyEnd - 1]) { keyEnd -= 1 }
        let key = receivedAtKey
        guard keyEnd >= key.count, line[(keyEnd - key.count)..<keyEnd].elementsEqual(key) else { return nil }
        // strtod needs a terminated string: the number is copied to a small stack buffer.
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) { text -> Double? in
            for i in start..<end { text[i - start] = CChar(bitPattern: line[i]) }
            text[end - start] = 0
            guard let base = text.baseAddress else { return nil }
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &stop)
            return stop == base + (end - start) ? value : nil
        }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    private static func word(_ change: BehaviourChange) -> String {
        switch change {
        case .segmentChanged: return "segment_changed"
        case .spendJump: return "spend_jump"
        case .engagementDrop: return "engagement_drop"
        }
    }
}
