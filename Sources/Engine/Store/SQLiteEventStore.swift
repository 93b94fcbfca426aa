import CSQLite
import CSQLiteWALBuffer
import Synchronization

/// The embedded event store: one SQLite database in WAL mode with `synchronous=FULL`, so a
/// committed batch survives a crash of the process or the machine.
///
/// Tables: `decisions` (one row per decision, unique event id), `rewards` (unique per event id
/// and reward key) and `outcomes` (the final reward once a window closes, keyed by the
/// decision's sequence). Decisions and rewards share one journal sequence, which fixes the
/// replay order.
///
/// Outcomes are keyed by sequence because windows close roughly in journal order: each new
/// outcome lands at the right edge of an integer B-tree, where earlier databases keyed them
/// by event id, a text key that lands anywhere (base-36 counters do not sort in order) and
/// split pages in the middle. An earlier database's `outcomes` table is rewritten to the new
/// key when it is opened (once, in one transaction).
///
/// Decisions have no index on their time: the journal stamps entries with non-decreasing
/// times, so the decisions from a time on are a range of sequences, found by a binary search
/// over the rowid (one B-tree less rewritten by every commit). The `decisions_ts` index of
/// databases made before is dropped when they are opened (once; it takes about as long as
/// writing the index's pages again).
///
/// Callers batch writes (`append` takes many entries and commits them in one transaction):
/// one fsync per batch instead of one per row is what makes group commit fast.
public final class SQLiteEventStore: EventStore {
    private struct State {
        let connection: SQLiteConnection
        let insertDecision: SQLiteStatement
        let insertReward: SQLiteStatement
        let decisionExists: SQLiteStatement
        let upsertOutcome: SQLiteStatement
        /// The same, for an outcome that does not carry its decision's sequence.
        let upsertOutcomeByEventID: SQLiteStatement
        let selectDecision: SQLiteStatement
        /// The transaction statements of every append, prepared once rather than parsed per commit.
        let begin: SQLiteStatement
        let commit: SQLiteStatement
        let rollback: SQLiteStatement
        var sequence: Int64
        /// A decision's text and blob columns, encoded one after the other and bound in place:
        /// reused from row to row, so an insert allocates nothing on the Swift side.
        var row: [UInt8] = []
    }

    private let state: Mutex<State>
    private let walCheckpointer: WALCheckpointer?
    /// A second connection for long reads (a promotion's rounds), opened on first use: in WAL
    /// mode it reads the last commit without holding the writers' lock, so commits go on.
    /// Unused for ":memory:" (a second connection would see another database).
    private let reader = Mutex<SQLiteConnection?>(nil)

    /// The file path, or ":memory:".
    public let path: String

    private static let decisionColumns =
        "seq, event_id, policy, ts, customer, segment, context, candidates, candidate_ids, position, probabilities, model_version"

    /// Whether commits hand their WAL frames to the kernel gathered (see
    /// `attune_sqlite_wal_buffer_vfs`); false for ":memory:", which has no WAL.
    public let gathersWALWrites: Bool

    /// Opens or creates the store at `path` (":memory:" for a private in-memory store in tests).
    /// - Parameters:
    ///   - walRestartFrames: WAL frames (pages) past which the WAL is rewound to its start (see
    ///     `WALCheckpointer`); 8192 frames, 32 MiB with 4 KiB pages.
    ///   - gatheringWALWrites: write each commit's WAL frames with one system call per 124 KiB
    ///     rather than two per page (the default; false only to measure the difference). Falls back to
    ///     SQLite's own writes if the gathering VFS cannot be registered.
    /// - Throws: `EngineError.storage` when the file cannot be opened or the schema created.
    public init(path: String, walRestartFrames: Int32 = 8192, gatheringWALWrites: Bool = true) throws(EngineError) {
        self.path = path
        // Safe because this connection commits with synchronous=FULL: every commit syncs the
        // WAL, which hands the gathered frames on, before other connections can see them.
        let gatheringVFS = gatheringWALWrites && path != ":memory:" ? attune_sqlite_wal_buffer_vfs() : nil
        gathersWALWrites = gatheringVFS != nil
        let c = try SQLiteConnection(path: path, vfs: gatheringVFS.map { String(cString: $0) })
        try c.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;")
        // Copying the WAL back into the database (and its fsync) happens on a background
        // connection, not inside the commits that requests wait for.
        walCheckpointer = path == ":memory:" ? nil : try WALCheckpointer(path: path, restartFrames: max(walRestartFrames, 1))
        if walCheckpointer != nil { try c.execute("PRAGMA wal_autocheckpoint=0;") }
        try c.execute("""
            CREATE TABLE IF NOT EXISTS decisions(
              seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, policy TEXT NOT NULL, ts REAL NOT NULL,
              customer TEXT, segment INTEGER, context BLOB NOT NULL, candidates BLOB NOT NULL,
              candidate_ids BLOB NOT NULL, position INTEGER NOT NULL, probabilities BLOB NOT NULL,
              model_version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS rewards(
              seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, reward_key TEXT NOT NULL, value REAL NOT NULL,
              ts REAL NOT NULL, UNIQUE(event_id, reward_key));
            CREATE TABLE IF NOT EXISTS outcomes(
              seq INTEGER PRIMARY KEY, reward REAL NOT NULL, is_default INTEGER NOT NULL, closed_at REAL NOT NULL);
            DROP INDEX IF EXISTS decisions_ts;
            """)
        try Self.rekeyOutcomesBySequence(c)
        let last = try c.prepare("SELECT max(coalesce((SELECT max(seq) FROM decisions), 0), coalesce((SELECT max(seq) FROM rewards), 0))")
        let sequence = try last.step("read the last sequence") ? (last.int64(0) ?? 0) : 0
        state = Mutex(State(
            connection: c,
            insertDecision: try c.prepare("INSERT OR IGNORE INTO decisions(\(Self.decisionColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
            insertReward: try c.prepare("INSERT OR IGNORE INTO rewards(seq, event_id, reward_key, value, ts) VALUES (?,?,?,?,?)"),
            decisionExists: try c.prepare("SELECT 1 FROM decisions WHERE event_id = ?"),
            upsertOutcome: try c.prepare("INSERT OR REPLACE INTO outcomes(seq, reward, is_default, closed_at) VALUES (?,?,?,?)"),
            upsertOutcomeByEventID: try c.prepare(
                "INSERT OR REPLACE INTO outcomes(seq, reward, is_default, closed_at) SELECT seq, ?2, ?3, ?4 FROM decisions WHERE event_id = ?1"),
            selectDecision: try c.prepare("SELECT \(Self.decisionColumns) FROM decisions WHERE event_id = ?"),
            begin: try c.prepare("BEGIN IMMEDIATE"),
            commit: try c.prepare("COMMIT"),
            rollback: try c.prepare("ROLLBACK"),
            sequence: sequence))
    }

    // MARK: - Writing

    /// Appends in one `BEGIN IMMEDIATE … COMMIT` transaction (one fsync); see `EventStore`.
    /// - Complexity: O(n log N) for n entries in a log of N (unique-index lookups).
    public func append(_ entries: [JournalEntry], outcomes: [OutcomeRecord]) throws(EngineError) -> [(AppendOutcome, Int64)] {
        try state.withLock { (s: inout State) throws(EngineError) -> [(AppendOutcome, Int64)] in
            if let walCheckpointer, walCheckpointer.catchUpRequested.value.exchange(false, ordering: .acquiring) {
                // No commit runs now: this passive checkpoint catches up with the log, so the
                // commit below rewrites the WAL from its start (see `WALCheckpointer`).
                sqlite3_wal_checkpoint_v2(s.connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            try s.begin.run("begin a transaction")
            var results: [(AppendOutcome, Int64)] = []
            results.reserveCapacity(entries.count)
            var sequence = s.sequence
            do throws(EngineError) {
                for entry in entries {
                    switch entry {
                    case .decision(let d):
                        let st = s.insertDecision
                        st.reset()
                        st.bind(1, sequence + 1)
                        st.bind(4, d.timestamp)
                        st.bind(6, d.segment.map(Int64.init))
                        st.bind(10, Int64(d.position))
                        st.bind(12, Int64(d.modelVersion))
                        s.row.removeAll(keepingCapacity: true)
                        let eventID = Self.append(d.eventID, to: &s.row)
                        let policyID = Self.append(d.policyID, to: &s.row)
                        let customerID = d.customerID.map { Self.append($0, to: &s.row) }
                        let context = BlobCoding.append(d.context, to: &s.row)
                        let candidates = BlobCoding.append(d.candidates, to: &s.row)
                        let candidateIDs = BlobCoding.append(d.candidateIDs, to: &s.row)
                        let probabilities = BlobCoding.append(d.probabilities, to: &s.row)
                        let inserted = s.row.withUnsafeBytes { row -> Result<Bool, EngineError> in
                            st.bind(2, borrowedText: UnsafeRawBufferPointer(rebasing: row[eventID]))
                            st.bind(3, borrowedText: UnsafeRawBufferPointer(rebasing: row[policyID]))
                            if let customerID {
                                st.bind(5, borrowedText: UnsafeRawBufferPointer(rebasing: row[customerID]))
                            } else {
                                st.bind(5, nil as String?)
                            }
                            st.bind(7, borrowedBlob: UnsafeRawBufferPointer(rebasing: row[context]))
                            st.bind(8, borrowedBlob: UnsafeRawBufferPointer(rebasing: row[candidates]))
                            st.bind(9, borrowedBlob: UnsafeRawBufferPointer(rebasing: row[candidateIDs]))
                            st.bind(11, borrowedBlob: UnsafeRawBufferPointer(rebasing: row[probabilities]))
                            return Result { () throws(EngineError) in try st.step("insert decision \(d.eventID)") }
                        }
                        _ = try inserted.get()
                        if s.connection.changes == 1 {
                            sequence += 1
                            results.append((.stored, sequence))
                        } else {
                            results.append((.duplicate, 0))
                        }
                    case .reward(let r):
                        let exists = s.decisionExists
                        exists.reset()
                        exists.bind(1, r.eventID)
                        let found = try exists.step("look up event \(r.eventID)")
                        // Reset at once: a statement left on a row keeps a read snapshot open
                        // after COMMIT, and no checkpoint can then get past it.
                        exists.reset()
                        guard found else {
                            results.append((.unknownEvent, 0))
                            continue
                        }
                        let st = s.insertReward
                        st.reset()
                        st.bind(1, sequence + 1)
                        st.bind(2, r.eventID)
                        st.bind(3, r.key)
                        st.bind(4, r.value)
                        st.bind(5, r.timestamp)
                        _ = try st.step("insert reward for \(r.eventID)")
                        if s.connection.changes == 1 {
                            sequence += 1
                            results.append((.stored, sequence))
                        } else {
                            results.append((.duplicate, 0))
                        }
                    }
                }
                for o in outcomes {
                    // Both statements take the decision (sequence or event id) first.
                    let st = o.sequence > 0 ? s.upsertOutcome : s.upsertOutcomeByEventID
                    st.reset()
                    if o.sequence > 0 { st.bind(1, o.sequence) } else { st.bind(1, o.eventID) }
                    st.bind(2, o.reward)
                    st.bind(3, Int64(o.isDefault ? 1 : 0))
                    st.bind(4, o.closedAt)
                    _ = try st.step("store the outcome of \(o.eventID)")
                }
                try s.commit.run("commit")
            } catch {
                try? s.rollback.run("roll back")
                throw error
            }
            s.sequence = sequence
            return results
        }
    }

    /// Appends the UTF-8 bytes of `text` to `bytes`; returns where they went.
    private static func append(_ text: String, to bytes: inout [UInt8]) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: text.utf8)
        return start..<bytes.count
    }

    /// The journal tables whose rows carry a commit time (`ts`).
    private enum TimedTable: String {
        case decisions, rewards
    }

    /// The journal sequence of the first decision committed at or after `time` (one past the
    /// last decision when there is none): a binary search over sequences, O(log N) lookups by
    /// rowid, exact because decisions' times never decrease along the journal.
    private static func firstDecisionSequence(atOrAfter time: Double, on connection: SQLiteConnection) throws(EngineError) -> Int64 {
        try firstSequence(in: .decisions, atOrAfter: time, on: connection)
    }

    /// The journal sequence of the first row of `table` committed at or after `time` (one past
    /// its last row when there is none), by the same binary search (rewards' times, too, never
    /// decrease along the journal).
    private static func firstSequence(in table: TimedTable, atOrAfter time: Double, on connection: SQLiteConnection) throws(EngineError) -> Int64 {
        let first = try connection.prepare("SELECT seq, ts FROM \(table.rawValue) WHERE seq >= ? ORDER BY seq LIMIT 1")
        let last = try connection.prepare("SELECT max(seq) FROM \(table.rawValue)")
        guard try last.step("read the last row of \(table.rawValue)"), let end = last.int64(0) else { return 1 }
        // The first row at or after sequence `x` is at or after `time`, or there is none:
        // false, then true, as `x` grows. Find the smallest `x` where it holds; that row
        // (or none) is the answer, kept from the probe that found it.
        var low: Int64 = 0, high = end + 1, answer = end + 1
        while low < high {
            let middle = low + (high - low) / 2
            first.reset()
            first.bind(1, middle)
            let found = try first.step("find the \(table.rawValue) from \(time)") ? first.int64(0) : nil
            if let found, first.double(1) < time {
                low = found + 1
            } else {
                high = middle
                answer = found ?? end + 1
            }
        }
        first.reset()
        return answer
    }

    /// Deletes old decisions, their rewards and outcomes in one transaction; see `EventStore`.
    /// Decisions go by journal order: those before the first one committed at or after `before`.
    public func deleteEntries(before: Double) throws(EngineError) -> Int {
        try state.withLock { (s: inout State) throws(EngineError) -> Int in
            try s.connection.execute("BEGIN IMMEDIATE")
            do throws(EngineError) {
                let cut = try Self.firstDecisionSequence(atOrAfter: before, on: s.connection)
                try s.connection.execute("DELETE FROM outcomes WHERE seq < \(cut)")
                // Rewards by journal order too: no index on their time, no scan of the table.
                let rewardCut = try Self.firstSequence(in: .rewards, atOrAfter: before, on: s.connection)
                try s.connection.execute("DELETE FROM rewards WHERE seq < \(rewardCut)")
                try s.connection.execute("DELETE FROM decisions WHERE seq < \(cut)")
                let deleted = Int(s.connection.changes)
                try s.connection.execute("COMMIT")
                return deleted
            } catch {
                try? s.connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    // MARK: - Reading

    /// The highest journal sequence; see `EventStore`.
    public func lastSequence() throws(EngineError) -> Int64 {
        state.withLock { $0.sequence }
    }

    /// The decision with this event id; see `EventStore`.
    public func decision(eventID: String) throws(EngineError) -> DecisionRecord? {
        try state.withLock { (s: inout State) throws(EngineError) -> DecisionRecord? in
            let st = s.selectDecision
            st.reset()
            st.bind(1, eventID)
            defer { st.reset() }
            return try st.step("look up \(eventID)") ? Self.readDecision(st, from: 0) : nil
        }
    }

    /// The decisions with these sequences (primary-key lookups); see `EventStore`.
    public func decisions(sequences: [Int64]) throws(EngineError) -> [Int64: DecisionRecord] {
        guard !sequences.isEmpty else { return [:] }
        return try state.withLock { (s: inout State) throws(EngineError) -> [Int64: DecisionRecord] in
            let st = try s.connection.prepare("SELECT \(Self.decisionColumns) FROM decisions WHERE seq = ?")
            var found: [Int64: DecisionRecord] = [:]
            found.reserveCapacity(sequences.count)
            for sequence in sequences {
                st.reset()
                st.bind(1, sequence)
                if try st.step("look up the decision at sequence \(sequence)") { found[sequence] = Self.readDecision(st, from: 0) }
            }
            st.reset()
            return found
        }
    }

    /// Replays decisions and rewards merged in journal order; see `EventStore`.
    public func replay(after sequence: Int64, _ body: (JournalEntry) throws(EngineError) -> Void) throws(EngineError) {
        try state.withLock { (s: inout State) throws(EngineError) in
            let decisions = try s.connection.prepare("SELECT \(Self.decisionColumns) FROM decisions WHERE seq > ? ORDER BY seq")
            let rewards = try s.connection.prepare("SELECT seq, event_id, reward_key, value, ts FROM rewards WHERE seq > ? ORDER BY seq")
            decisions.bind(1, sequence)
            rewards.bind(1, sequence)
            var nextDecision = try decisions.step("replay decisions") ? Self.readDecision(decisions, from: 0) : nil
            var nextReward = try rewards.step("replay rewards") ? Self.readReward(rewards) : nil
            while nextDecision != nil || nextReward != nil {
                if let d = nextDecision, nextReward.map({ d.sequence < $0.sequence }) ?? true {
                    try body(.decision(d))
                    nextDecision = try decisions.step("replay decisions") ? Self.readDecision(decisions, from: 0) : nil
                } else if let r = nextReward {
                    try body(.reward(r))
                    nextReward = try rewards.step("replay rewards") ? Self.readReward(rewards) : nil
                }
            }
        }
    }

    /// The latest closed decisions of a policy, read backwards from the newest on the reader
    /// connection; see `EventStore`.
    public func closedDecisions(policyID: String, limit: Int) throws(EngineError) -> [LoggedDecision] {
        let columns = Self.decisionColumns.split(separator: ",").map { "d." + $0.filter { $0 != " " } }.joined(separator: ", ")
        let sql = "SELECT \(columns), o.reward, o.is_default, o.closed_at FROM decisions d "
            + "JOIN outcomes o ON o.seq = d.seq WHERE d.policy = ? ORDER BY d.seq DESC LIMIT ?"
        func read(_ connection: SQLiteConnection) throws(EngineError) -> [LoggedDecision] {
            let st = try connection.prepare(sql)
            st.bind(1, policyID)
            st.bind(2, Int64(max(limit, 1)))
            var rounds: [LoggedDecision] = []
            while try st.step("read the closed decisions of \(policyID)") {
                let d = Self.readDecision(st, from: 0)
                rounds.append(LoggedDecision(decision: d, outcome: OutcomeRecord(
                    sequence: d.sequence, eventID: d.eventID, reward: st.double(12), isDefault: st.int64(13) == 1, closedAt: st.double(14))))
            }
            return rounds.reversed()
        }
        guard path != ":memory:" else { return try state.withLock { (s: inout State) throws(EngineError) in try read(s.connection) } }
        return try reader.withLock { (connection: inout SQLiteConnection?) throws(EngineError) -> [LoggedDecision] in
            if connection == nil { connection = try SQLiteConnection(path: path) }
            guard let connection else { return [] }
            return try read(connection)
        }
    }

    /// Decisions joined with their outcomes, in journal order; see `EventStore`.
    public func export(since: Double?, _ body: (LoggedDecision) throws(EngineError) -> Void) throws(EngineError) {
        try state.withLock { (s: inout State) throws(EngineError) in
            let columns = Self.decisionColumns.split(separator: ",").map { "d." + $0.filter { $0 != " " } }.joined(separator: ", ")
            let st = try s.connection.prepare("""
                SELECT \(columns), o.reward, o.is_default, o.closed_at FROM decisions d
                LEFT JOIN outcomes o ON o.seq = d.seq WHERE d.seq >= ? AND d.ts >= ? ORDER BY d.seq
                """)
            st.bind(1, try since.map { t throws(EngineError) in try Self.firstDecisionSequence(atOrAfter: t, on: s.connection) } ?? 0)
            st.bind(2, since ?? -Double.greatestFiniteMagnitude)
            while try st.step("export decisions") {
                let d = Self.readDecision(st, from: 0)
                let outcome = st.isNull(12) ? nil
                    : OutcomeRecord(sequence: d.sequence, eventID: d.eventID, reward: st.double(12), isDefault: st.int64(13) == 1,
                                    closedAt: st.double(14))
                try body(LoggedDecision(decision: d, outcome: outcome))
            }
        }
    }

    /// Rewrites an earlier database's `outcomes` table, keyed by event id, to the sequence key
    /// (outcomes whose decision is gone, which retention would have deleted, are dropped).
    /// One transaction: a crash leaves the earlier table whole, and the next open tries again.
    /// - Throws: `EngineError.storage` when the schema cannot be read or rewritten.
    private static func rekeyOutcomesBySequence(_ c: SQLiteConnection) throws(EngineError) {
        let columns = try c.prepare("SELECT count(*) FROM pragma_table_info('outcomes') WHERE name = 'event_id'")
        let keyedByEventID = try columns.step("read the outcomes schema") && (columns.int64(0) ?? 0) > 0
        // A statement left stepped holds the schema: the table could not be dropped.
        columns.reset()
        guard keyedByEventID else { return }
        try c.execute("""
            BEGIN IMMEDIATE;
            CREATE TABLE outcomes_by_sequence(
              seq INTEGER PRIMARY KEY, reward REAL NOT NULL, is_default INTEGER NOT NULL, closed_at REAL NOT NULL);
            INSERT INTO outcomes_by_sequence SELECT d.seq, o.reward, o.is_default, o.closed_at
              FROM outcomes o JOIN decisions d ON d.event_id = o.event_id;
            DROP TABLE outcomes;
            ALTER TABLE outcomes_by_sequence RENAME TO outcomes;
            COMMIT;
            """)
    }

    private static func readDecision(_ st: SQLiteStatement, from c: Int32) -> DecisionRecord {
        DecisionRecord(
            sequence: st.int64(c) ?? 0, eventID: st.text(c + 1) ?? "", policyID: st.text(c + 2) ?? "",
            timestamp: st.double(c + 3), customerID: st.text(c + 4), segment: st.int64(c + 5).map { Int($0) },
            context: BlobCoding.decodeDoubles(st.blob(c + 6)), candidates: BlobCoding.decodeInts(st.blob(c + 7)),
            candidateIDs: BlobCoding.decodeStrings(st.blob(c + 8)), position: Int(st.int64(c + 9) ?? 0),
            probabilities: BlobCoding.decodeDoubles(st.blob(c + 10)), modelVersion: Int(st.int64(c + 11) ?? 0))
    }

    private static func readReward(_ st: SQLiteStatement) -> RewardRecord {
        RewardRecord(sequence: st.int64(0) ?? 0, eventID: st.text(1) ?? "", key: st.text(2) ?? "",
                     value: st.double(3), timestamp: st.double(4))
    }
}
