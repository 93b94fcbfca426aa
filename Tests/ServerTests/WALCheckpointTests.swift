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
}
