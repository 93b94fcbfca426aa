@testable import Engine
import Foundation
import Testing

@Suite("SQLiteEventStore")
struct SQLiteEventStoreTests {
    /// Records share their fields copy-on-write: a changed copy leaves the original as it was,
    /// and the JSON form (checkpoints hold it) keeps the keys of the plain struct it replaced.
    @Test func decisionRecordsAreValuesAndKeepTheirCodingKeys() throws {
        let original = Fixtures.decisionRecord("e1", sequence: 7)
        var changed = original
        changed.probabilities[1] = 0.5
        changed.eventID = "e2"
        changed.timestamp = 9
        #expect(original.probabilities == [0.25, 0.75] && original.eventID == "e1" && original.timestamp == 0)
        #expect(changed.probabilities == [0.25, 0.5] && changed.eventID == "e2" && changed != original)
        var same = original
        same.sequence = 7
        #expect(same == original)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(original), as: UTF8.self)
        #expect(json == #"{"candidateIDs":["a","c"],"candidates":[0,2],"context":[0.5,-0,1e-300],"customerID":"c","eventID":"e1","#
            + #""modelVersion":3,"policyID":"test","position":1,"probabilities":[0.25,0.75],"segment":1,"sequence":7,"timestamp":0}"#)
        #expect(try JSONDecoder().decode(DecisionRecord.self, from: Data(json.utf8)) == original)
        var anonymous = original
        anonymous.customerID = nil
        anonymous.segment = nil
        let bare = String(decoding: try encoder.encode(anonymous), as: UTF8.self)
        #expect(!bare.contains("customerID") && !bare.contains("segment"))
        #expect(try JSONDecoder().decode(DecisionRecord.self, from: Data(bare.utf8)) == anonymous)
    }

    @Test func appendAssignsOneJournalOrderAndReportsDuplicatesAndUnknownEvents() throws {
        let store = try SQLiteEventStore(path: ":memory:")
        let results = try store.append([
            .decision(Fixtures.decisionRecord("e1", timestamp: 1)),
            .reward(RewardRecord(eventID: "e1", key: "", value: 1, timestamp: 2)),
            .reward(RewardRecord(eventID: "e1", key: "", value: 9, timestamp: 2)),     // same key: duplicate
            .reward(RewardRecord(eventID: "e1", key: "second", value: 2, timestamp: 2)),
            .reward(RewardRecord(eventID: "nope", key: "", value: 1, timestamp: 2)),
            .decision(Fixtures.decisionRecord("e1", timestamp: 3)),                     // duplicate event id
            .decision(Fixtures.decisionRecord("e2", timestamp: 3)),
        ], outcomes: [])
        #expect(results.map(\.0) == [.stored, .stored, .duplicate, .stored, .unknownEvent, .duplicate, .stored])
        #expect(results.map(\.1) == [1, 2, 0, 3, 0, 0, 4])
        #expect(try store.lastSequence() == 4)

        var replayed: [JournalEntry] = []
        try store.replay(after: 1) { replayed.append($0) }
        #expect(replayed.map(\.sequence) == [2, 3, 4])
        guard case .reward(let r) = replayed[0], case .decision(let d) = replayed[2] else {
            Issue.record("wrong entry kinds: \(replayed)")
            return
        }
        #expect(r.value == 1 && r.eventID == "e1")
        var expected = Fixtures.decisionRecord("e2", timestamp: 3)
        expected.sequence = 4
        #expect(d == expected)
        // Exact round trip of the numbers, including -0 and subnormal-adjacent values.
        #expect(d.context.map(\.bitPattern) == expected.context.map(\.bitPattern))
    }

    @Test func decisionsAreLookedUpByJournalSequence() throws {
        let store = try SQLiteEventStore(path: ":memory:")
        _ = try store.append([.decision(Fixtures.decisionRecord("e1", timestamp: 1)),
                              .reward(RewardRecord(eventID: "e1", key: "", value: 1, timestamp: 2)),
                              .decision(Fixtures.decisionRecord("e2", timestamp: 3))], outcomes: [])
        // Sequence 2 is a reward and 9 was never written: neither is a decision.
        let found = try store.decisions(sequences: [3, 1, 2, 9])
        #expect(found.keys.sorted() == [1, 3])
        #expect(found[1] == Fixtures.decisionRecord("e1", timestamp: 1, sequence: 1))
        #expect(found[3]?.eventID == "e2" && found[3]?.sequence == 3)
        #expect(try store.decisions(sequences: []).isEmpty)
    }

    /// Every field of varied decisions in one batch (the text and blob columns share one
    /// reused buffer, bound in place) reads back exactly: empty and non-ASCII text, a customer
    /// absent or empty, short and long contexts.
    @Test func everyFieldOfABatchRoundTrips() throws {
        let store = try SQLiteEventStore(path: ":memory:")
        let eventIDs = ["a", "événement-ünïcode-", "x-" + String(repeating: "9", count: 40)]
        let customers: [String?] = [nil, "", "c", "клиент-"]
        var records: [DecisionRecord] = []
        for i in 0..<6 {
            let k = i % 4 + 1
            let context: [Double] = (0..<(i * 7 % 25)).map { Double($0) * -0.1 + .ulpOfOne * Double(i) }
            let ids: [String] = (0..<k).map { $0 == 1 ? "" : "offer-\($0)-ß" }
            records.append(DecisionRecord(eventID: eventIDs[i % 3] + "\(i)", policyID: i % 2 == 0 ? "p" : "policy-with-a-longer-name",
                                          timestamp: 100 + Double(i), customerID: customers[i % 4].map { $0 + ($0.isEmpty ? "" : "\(i)") },
                                          segment: i % 3 == 0 ? nil : i, context: context, candidates: Array(0..<k), candidateIDs: ids,
                                          position: i % k, probabilities: Array(repeating: 1 / Double(k), count: k),
                                          modelVersion: i * 1_000_003))
        }
        _ = try store.append(records.map { JournalEntry.decision($0) }, outcomes: [])
        let found = try store.decisions(sequences: (1...6).map(Int64.init))
        for (i, record) in records.enumerated() {
            var expected = record
            expected.sequence = Int64(i + 1)
            #expect(found[Int64(i + 1)] == expected)
            #expect(try store.decision(eventID: record.eventID) == expected)
        }
    }

    /// Export from a time and retention before a time find their cut by a binary search over
    /// sequences: against a plain filter of every decision by time, over batches that share a
    /// timestamp (as group commits do), rewards between decisions (gaps in the decisions'
    /// sequences), and times before, at, between and after the logged ones.
    @Test func exportAndRetentionFromATimeMatchAFilterByTime() throws {
        var records: [DecisionRecord] = []
        var batches: [[JournalEntry]] = []
        var t = 100.0
        for b in 0..<40 {
            t += Double(b % 3)  // some batches share their time with the one before
            var batch: [JournalEntry] = []
            for i in 0..<(b % 5 + 1) {
                let d = Fixtures.decisionRecord("b\(b)-\(i)", timestamp: t)
                records.append(d)
                batch.append(.decision(d))
                if i % 2 == 1 { batch.append(.reward(RewardRecord(eventID: d.eventID, key: "", value: 1, timestamp: t))) }
            }
            batches.append(batch)
        }
        let times = [0, 100, 100.5, t / 2 + 50, records[37].timestamp, t, t + 1] + (0..<8).map { 100 + Double($0 * 3) + 0.5 }
        for time in times {
            let store = try SQLiteEventStore(path: ":memory:")
            for batch in batches { _ = try store.append(batch, outcomes: []) }
            _ = try store.append([], outcomes: records.map { OutcomeRecord(eventID: $0.eventID, reward: 0, isDefault: true, closedAt: 1) })
            let expected = records.filter { $0.timestamp >= time }.map(\.eventID)
            var exported: [String] = []
            try store.export(since: time) { exported.append($0.decision.eventID) }
            #expect(exported == expected, "export since \(time)")
            #expect(try store.deleteEntries(before: time) == records.count - expected.count, "retention before \(time)")
            var kept: [LoggedDecision] = []
            try store.export(since: nil) { kept.append($0) }
            #expect(kept.map(\.decision.eventID) == expected && kept.allSatisfy { $0.outcome != nil }, "kept after retention before \(time)")
            var rewardsKept: [String] = []
            try store.replay(after: 0) { entry in
                if case .reward(let r) = entry { rewardsKept.append(r.eventID) }
            }
            let rewardsExpected = batches.joined().compactMap { entry -> String? in
                guard case .reward(let r) = entry, r.timestamp >= time else { return nil }
                return r.eventID
            }
            #expect(rewardsKept == rewardsExpected, "rewards kept after retention before \(time)")
        }
    }

    @Test func exportJoinsOutcomesAndFiltersByTime() throws {
        let store = try SQLiteEventStore(path: ":memory:")
        _ = try store.append([.decision(Fixtures.decisionRecord("old", timestamp: 10)),
                              .decision(Fixtures.decisionRecord("new", timestamp: 20))], outcomes: [])
        _ = try store.append([], outcomes: [OutcomeRecord(eventID: "new", reward: 4, isDefault: false, closedAt: 25)])
        var all: [LoggedDecision] = []
        try store.export(since: nil) { all.append($0) }
        #expect(all.map(\.decision.eventID) == ["old", "new"])
        #expect(all[0].outcome == nil)
        #expect(all[1].outcome == OutcomeRecord(sequence: 2, eventID: "new", reward: 4, isDefault: false, closedAt: 25))
        var recent: [LoggedDecision] = []
        try store.export(since: 15) { recent.append($0) }
        #expect(recent.map(\.decision.eventID) == ["new"])
        #expect(try store.decision(eventID: "old")?.timestamp == 10)
        #expect(try store.decision(eventID: "missing") == nil)
    }

    /// The newest closed decisions of one policy, in journal order, equal a filter of the whole
    /// export, on the file store's reader connection (commits made after a read are seen by
    /// the next one) and on an in-memory store.
    @Test(arguments: [false, true])
    func closedDecisionsAreTheNewestOfThePolicyInJournalOrder(onFile: Bool) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteEventStore(path: onFile ? directory + "/events.sqlite" : ":memory:")
        func naive(_ policy: String, _ limit: Int) throws -> [String] {
            var all: [LoggedDecision] = []
            try store.export(since: nil) { all.append($0) }
            return all.filter { $0.decision.policyID == policy && $0.outcome != nil }.suffix(limit).map(\.decision.eventID)
        }
        for batch in 0..<3 {
            let records = (0..<100).map { i in
                Fixtures.decisionRecord("e\(batch)-\(i)", policy: i % 3 == 0 ? "b" : "a", timestamp: Double(batch * 100 + i))
            }
            // Every fourth decision's window is still open.
            let outcomes = records.enumerated().filter { $0.offset % 4 != 1 }
                .map { OutcomeRecord(eventID: $0.element.eventID, reward: Double($0.offset), isDefault: false, closedAt: 1) }
            _ = try store.append(records.map { .decision($0) }, outcomes: outcomes)
            for (policy, limit) in [("a", 30), ("b", 7), ("a", 1_000), ("c", 5)] {
                let fast = try store.closedDecisions(policyID: policy, limit: limit)
                #expect(fast.map(\.decision.eventID) == (try naive(policy, limit)), "batch \(batch), \(policy), \(limit)")
                #expect(fast.allSatisfy { $0.outcome?.eventID == $0.decision.eventID })
            }
        }
        let last = try #require(try store.closedDecisions(policyID: "a", limit: 1).first)
        #expect(last.decision == Fixtures.decisionRecord("e2-98", policy: "a", timestamp: 298, sequence: 299) && last.outcome?.reward == 98)
    }

    @Test func committedEntriesSurviveReopeningTheFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        do {
            let store = try SQLiteEventStore(path: path)
            _ = try store.append((0..<50).map { .decision(Fixtures.decisionRecord("e\($0)", timestamp: Double($0))) }, outcomes: [])
        }
        let reopened = try SQLiteEventStore(path: path)
        #expect(try reopened.lastSequence() == 50)
        let results = try reopened.append([.decision(Fixtures.decisionRecord("e0")), .decision(Fixtures.decisionRecord("e50", timestamp: 100))], outcomes: [])
        #expect(results.map(\.0) == [.duplicate, .stored] && results[1].1 == 51)
        #expect(try reopened.deleteEntries(before: 10) == 10)
        var count = 0
        try reopened.replay(after: 0) { _ in count += 1 }
        #expect(count == 41)
    }

    /// The outcomes schemas databases were made with: keyed by sequence (now), by event id
    /// without a rowid, by event id with a rowid (the first).
    enum OutcomesSchema: CaseIterable { case bySequence, byEventIDWithoutRowid, byEventIDWithRowid }

    /// Outcomes are keyed by their decision's sequence. An earlier database's table, keyed by
    /// event id, is rewritten when it is opened: its outcomes stay joined to their decisions,
    /// one whose decision is gone is dropped, and the earlier index on decision time goes too.
    /// Outcomes are stored by sequence, or by event id when they carry no sequence, and a
    /// replaced outcome keeps one row.
    @Test(arguments: OutcomesSchema.allCases)
    func outcomesAreKeyedBySequenceAndEarlierTablesAreRewritten(schema: OutcomesSchema) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        if schema != .bySequence {
            let rowid = schema == .byEventIDWithRowid ? "" : " WITHOUT ROWID"
            try SQLiteConnection(path: path).execute("""
                CREATE TABLE outcomes(event_id TEXT PRIMARY KEY, reward REAL NOT NULL, is_default INTEGER NOT NULL, closed_at REAL NOT NULL)\(rowid);
                CREATE TABLE decisions(
                  seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, policy TEXT NOT NULL, ts REAL NOT NULL,
                  customer TEXT, segment INTEGER, context BLOB NOT NULL, candidates BLOB NOT NULL,
                  candidate_ids BLOB NOT NULL, position INTEGER NOT NULL, probabilities BLOB NOT NULL,
                  model_version INTEGER NOT NULL);
                CREATE INDEX decisions_ts ON decisions(ts);
                INSERT INTO decisions VALUES (7, 'old', 'p', 0.5, NULL, NULL, x'', x'', x'', 0, x'', 1);
                INSERT INTO outcomes VALUES ('old', 5, 0, 0.75), ('deleted-decision', 1, 1, 0.75);
                """)
        }
        let store = try SQLiteEventStore(path: path)
        let stored = try store.append([.decision(Fixtures.decisionRecord("e1", timestamp: 1)),
                                       .decision(Fixtures.decisionRecord("e2", timestamp: 2)),
                                       .decision(Fixtures.decisionRecord("e3", timestamp: 2))], outcomes: [])
        let (s1, s2) = (stored[0].1, stored[1].1)
        _ = try store.append([], outcomes: [OutcomeRecord(sequence: s1, eventID: "e1", reward: 0, isDefault: true, closedAt: 3)])
        // A replaced outcome (the same event closed again after a replay) keeps one row.
        _ = try store.append([], outcomes: [OutcomeRecord(sequence: s1, eventID: "e1", reward: 2, isDefault: false, closedAt: 4)])
        // Without its sequence, an outcome is stored under its decision's, found by event id.
        _ = try store.append([], outcomes: [OutcomeRecord(eventID: "e2", reward: 3, isDefault: false, closedAt: 4)])
        var exported: [LoggedDecision] = []
        try store.export(since: nil) { exported.append($0) }
        let earlier = schema == .bySequence ? [] : [OutcomeRecord(sequence: 7, eventID: "old", reward: 5, isDefault: false, closedAt: 0.75)]
        #expect(exported.map(\.outcome) == earlier + [
            OutcomeRecord(sequence: s1, eventID: "e1", reward: 2, isDefault: false, closedAt: 4),
            OutcomeRecord(sequence: s2, eventID: "e2", reward: 3, isDefault: false, closedAt: 4), nil,
        ])
        let connection = try SQLiteConnection(path: path)
        let columns = try connection.prepare("SELECT group_concat(name) FROM pragma_table_info('outcomes')")
        #expect(try columns.step("read the schema") && columns.text(0) == "seq,reward,is_default,closed_at")
        let rows = try connection.prepare("SELECT count(*) FROM outcomes")
        #expect(try rows.step("count the outcomes") && rows.int64(0) == Int64(earlier.count + 2))
        let indices = try connection.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'decisions_ts'")
        #expect(try indices.step("count the indices") && indices.int64(0) == 0)
        // Retention deletes outcomes with their decisions.
        #expect(try store.deleteEntries(before: 1.5) == earlier.count + 1)
        let left = try SQLiteConnection(path: path).prepare("SELECT group_concat(seq) FROM outcomes")
        #expect(try left.step("list the outcomes") && left.text(0) == "\(s2)")
    }

    @Test func anUnopenableDatabaseIsATypedError() {
        #expect(throws: EngineError.self) { try SQLiteEventStore(path: "/nonexistent-directory-\(UUID().uuidString)/x.sqlite") }
    }
}
