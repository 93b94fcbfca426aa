import Engine
import Foundation
import Testing

/// The store's background checkpointer copies the WAL into the database while commits go on
/// (before it first read the database, its checkpoints did nothing and the WAL only grew).
@Suite("SQLite WAL checkpoints under load")
struct WALCheckpointTests {
    @Test func theDatabaseFileGrowsWhileCommitsContinue() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        let store = try SQLiteEventStore(path: path)
        func size(_ file: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0 }
        var n = 0
        let end = Date().addingTimeInterval(2.5)
        while Date() < end {
            var batch: [JournalEntry] = (0..<20).map { _ in
                n += 1
                return .decision(DecisionRecord(eventID: "e\(n)", policyID: "p", timestamp: Double(n), context: [1, 2], candidates: [0, 1],
                                                candidateIDs: ["a", "b"], position: 0, probabilities: [0.5, 0.5], modelVersion: 0))
            }
            // Rewards too: their event lookup must not leave a read snapshot open that pins the WAL.
            batch.append(.reward(RewardRecord(eventID: "e\(n)", key: "", value: 1, timestamp: Double(n))))
            _ = try store.append(batch, outcomes: [])
        }
        // Checkpoints run once a second: after 2.5 s of commits, pages have been copied.
        #expect(size(path) > 64 * 1024, "database \(size(path)) bytes, WAL \(size(path + "-wal")) bytes after \(n) decisions")
        #expect(try store.decision(eventID: "e1")?.eventID == "e1")
    }

    @Test func theWALStaysBoundedUnderContinuousCommits() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        // A threshold of 256 pages (1 MiB): the writer catches up and rewinds the WAL past it.
        // A RESTART checkpoint, the fallback, runs only past 4 MiB, and the file keeps its size.
        let store = try SQLiteEventStore(path: path, walRestartFrames: 256)
        func size(_ file: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0 }
        var n = 0
        var largest = 0
        // Until more than 4 MiB went through to the database (2 s here; longer on a slow or
        // instrumented build), with a deadline so that a checkpointer that never runs fails.
        let end = Date().addingTimeInterval(60)
        while size(path) <= 4 * 1024 * 1024, Date() < end {
            let batch: [JournalEntry] = (0..<20).map { _ in
                n += 1
                return .decision(DecisionRecord(eventID: "e\(n)", policyID: "p", timestamp: Double(n), context: Array(repeating: 0.5, count: 20),
                                                candidates: Array(0..<10), candidateIDs: (0..<10).map { "offer_\($0)" }, position: 0,
                                                probabilities: Array(repeating: 0.1, count: 10), modelVersion: 0))
            }
            _ = try store.append(batch, outcomes: [])
            largest = max(largest, size(path + "-wal"))
        }
        // Tens of MiB went through the WAL; its file never reached the fallback's 4 MiB.
        #expect(size(path) > 4 * 1024 * 1024, "database \(size(path)) bytes after \(n) decisions")
        #expect(largest < 4 * 1024 * 1024, "the WAL reached \(largest) bytes after \(n) decisions")
    }
}
