import CSQLite
import CSQLiteWALBuffer
@testable import Engine
import Foundation
import Testing

/// The store's writing connection hands each commit's WAL frames to the kernel as one write
/// (`attune_sqlite_wal_buffer_vfs`): the database must be the one SQLite's own writes give,
/// readable by other connections as soon as a commit returns.
@Suite("WAL write gathering")
struct WALWriteGatheringTests {
    /// Decisions with contexts large enough that a commit spans many WAL pages.
    static func batch(_ commit: Int, size: Int) -> [JournalEntry] {
        (0..<size).map { i in
            var d = Fixtures.decisionRecord("c\(commit)-\(i)", timestamp: Double(commit))
            d.context = (0..<200).map { Double(commit * 1_000 + i) + Double($0) / 7 }
            return .decision(d)
        }
    }

    /// Every commit is visible at once to a second connection on the default VFS, SQLite's
    /// writes to the WAL reach the kernel in far fewer calls, and the WAL is rewound many times
    /// on the way (a restart every 64 frames) without losing a row. One commit is larger than
    /// the default VFS takes in one write (128 KiB), which it refuses as a full disk.
    @Test func commitsAreGatheredAndReadableByAnotherConnectionAtOnce() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        let store = try SQLiteEventStore(path: path, walRestartFrames: 64)
        #expect(store.gathersWALWrites)
        let reader = try SQLiteConnection(path: path)
        let count = try reader.prepare("SELECT count(*), coalesce(sum(length(context)), 0) FROM decisions")
        var osBefore: UInt64 = 0, sqliteBefore: UInt64 = 0
        attune_sqlite_wal_buffer_counts(&osBefore, &sqliteBefore)
        var written = 0
        for commit in 0..<40 {
            // Commit 20 is about 700 KiB of pages: more than the default VFS writes in one call.
            let entries = Self.batch(commit, size: commit == 20 ? 400 : 1 + commit % 13)
            _ = try store.append(entries, outcomes: [])
            written += entries.count
            count.reset()
            #expect(try count.step("count"))
            #expect(count.int64(0) == Int64(written))
            #expect(count.int64(1) == Int64(written * 200 * 8))
        }
        var osAfter: UInt64 = 0, sqliteAfter: UInt64 = 0
        attune_sqlite_wal_buffer_counts(&osAfter, &sqliteAfter)
        // Other tests' stores add to both counts, never more to the first (one write to the
        // kernel gathers one or more of SQLite's): this test's 40 commits, 2 writes a page
        // and at least 5 pages for most, leave a gap of hundreds.
        #expect((sqliteAfter - sqliteBefore) - (osAfter - osBefore) >= 300)
    }

    /// The same appends, with and without gathering, give the same journal, the same export
    /// and the same database after the store is closed and opened again.
    @Test func theJournalIsTheSameWithAndWithoutGathering() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func run(gathering: Bool) throws -> (journal: [JournalEntry], exported: [LoggedDecision]) {
            let path = directory + "/\(gathering).sqlite"
            do {
                let store = try SQLiteEventStore(path: path, walRestartFrames: 32, gatheringWALWrites: gathering)
                #expect(store.gathersWALWrites == gathering)
                for commit in 0..<30 {
                    var entries = Self.batch(commit, size: commit == 10 ? 300 : 1 + commit % 7)
                    entries.append(.reward(RewardRecord(eventID: "c\(commit)-0", key: "", value: Double(commit), timestamp: Double(commit))))
                    let outcomes = commit == 0 ? [] : [OutcomeRecord(eventID: "c\(commit - 1)-0", reward: 1, isDefault: false, closedAt: Double(commit))]
                    _ = try store.append(entries, outcomes: outcomes)
                }
            }
            let reopened = try SQLiteEventStore(path: path, gatheringWALWrites: gathering)
            var journal: [JournalEntry] = []
            try reopened.replay(after: 0) { journal.append($0) }
            var exported: [LoggedDecision] = []
            try reopened.export(since: nil) { exported.append($0) }
            return (journal, exported)
        }
        let gathered = try run(gathering: true)
        let plain = try run(gathering: false)
        #expect(gathered.journal.count == (0..<30).reduce(0) { $0 + ($1 == 10 ? 301 : 2 + $1 % 7) })
        #expect(gathered.journal == plain.journal)
        #expect(gathered.exported == plain.exported && gathered.exported.filter { $0.outcome != nil }.count == 29)
    }

    @Test func anInMemoryStoreHasNoWALToGather() throws {
        #expect(try !SQLiteEventStore(path: ":memory:").gathersWALWrites)
    }
}
