import AttuneCore
import Bandits
@testable import Engine
import Foundation
import Segmentation
import Testing

/// Two clear groups of customers (big spenders, browsers who never buy) and a k-means model
/// fitted on them, shared by the live-segmentation tests.
enum CustomerFixtures {
    static let start = 1_700_000_000.0

    static func lines(customer: String, purchases: Int, views: Int, value: Double = 200, from: Double = start) -> [String] {
        var result: [String] = []
        for i in 0..<purchases {
            result.append(#"{"customer_id":"\#(customer)","timestamp":\#(Int(from) + i * 86_400),"channel":"web","type":"purchase","value":\#(value),"category":"shoes"}"#)
        }
        for i in 0..<views {
            result.append(#"{"customer_id":"\#(customer)","timestamp":\#(Int(from) + i * 43_200 + 600),"channel":"app","type":"page_view","duration_s":30}"#)
        }
        return result
    }

    static var trainingLines: [String] {
        (0..<6).flatMap { lines(customer: "big-\($0)", purchases: 8, views: 2) }
            + (0..<6).flatMap { lines(customer: "browse-\($0)", purchases: 0, views: 8 + $0) }
    }

    static func table(_ lines: [String]) throws -> ProfileTable {
        var parser = JSONLineParser()
        var table = ProfileTable()
        for (i, line) in lines.enumerated() { table.update(with: try parser.parse(line, line: i + 1)) }
        return table
    }

    static func model() throws -> SegmentationModel {
        let table = try table(trainingLines)
        let schema = try table.makeSchema()
        let (_, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 7)
        return try SegmentationFitter(.init(k: 2, initializations: 2, bootstrapRuns: 0))
            .fit(raw: x, featureNames: schema.names, schema: schema, referenceTime: table.latestTimestamp, using: &rng)
    }

    /// One profile feature (`frequency`) and the intercept, LinUCB per segment over two segments.
    static func specification() throws -> PolicySpecification {
        try PolicySpecification(decoding: Data("""
        {"format": "attune.policy/1", "id": "segmented",
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "frequency", "default": 0}], "intercept": true},
         "segmentation": {"field": "segment", "count": 2, "strategy": "per_segment"},
         "algorithm": {"kind": "linucb", "alpha": 0.1, "ridge": 1},
         "explorer": {"kind": "epsilon_greedy", "epsilon": 0.1},
         "reward": {"events": ["click"], "aggregation": "sum", "default_reward": 0, "window_seconds": 10}}
        """.utf8))
    }
}

@Suite("Live customer segmentation")
struct CustomerSegmentsTests {
    @Test func liveSegmentsEqualTheBatchAssignmentOfTheSameEvents() throws {
        let model = try CustomerFixtures.model()
        let customers = try CustomerSegments(model: model)
        let now = CustomerFixtures.start + 7 * 86_400   // the model's reference time
        let big = CustomerFixtures.lines(customer: "big-0", purchases: 8, views: 2)
        let browser = CustomerFixtures.lines(customer: "browse-0", purchases: 0, views: 9)
        let newcomer = CustomerFixtures.lines(customer: "new", purchases: 5, views: 1, value: 180)
        let updates = try customers.ingest(jsonLines: Array((big + browser + newcomer).joined(separator: "\n").utf8), now: now)
        #expect(updates.count == big.count + browser.count + newcomer.count)
        #expect(customers.ingestedEvents == updates.count)
        for (id, lines) in [("big-0", big), ("browse-0", browser), ("new", newcomer)] {
            // Reference: the batch feature path on the customer's events alone, assigned by the model.
            let table = try CustomerFixtures.table(lines)
            let schema = try #require(model.schema)
            let (_, x) = table.featureMatrix(schema: schema, asOf: max(now, table.latestTimestamp))
            #expect(customers.segment(of: id) == (try model.assign(raw: x)).first, "\(id)")
        }
        #expect(customers.segment(of: "big-0") != customers.segment(of: "browse-0"))
        #expect(customers.segment(of: "new") == customers.segment(of: "big-0"))
        #expect(updates.last?.customerID == "new" && updates.last?.segment == customers.segment(of: "new"))
    }

    @Test func aMalformedLineIsNamedAndNothingIsApplied() throws {
        let customers = try CustomerSegments(model: CustomerFixtures.model())
        let body = CustomerFixtures.lines(customer: "ok", purchases: 1, views: 0)[0] + "\n\n"
            + #"{"customer_id": "bad", "timestamp": "yesterday", "type": "click"}"#
        #expect {
            _ = try customers.ingest(jsonLines: Array(body.utf8), now: CustomerFixtures.start)
        } throws: { error in
            guard case EngineError.invalidField(let field, let reason) = error else { return false }
            return field.hasPrefix("events[1]") && reason.contains("line 3")
        }
        #expect(customers.segment(of: "ok") == nil && customers.ingestedEvents == 0)
        #expect(throws: EngineError.self) { try customers.ingest(jsonLines: Array(" \n\n".utf8), now: 0) }
    }

    @Test func aDecisionForAKnownCustomerGetsTheirSegmentAndProfileFeatures() throws {
        let customers = try CustomerSegments(model: CustomerFixtures.model())
        let clock = ManualClock(CustomerFixtures.start + 7 * 86_400)
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try Engine(specifications: [CustomerFixtures.specification()], store: store,
                                configuration: EngineConfiguration(tickSeconds: 0.01), customers: customers, clock: clock.function)
        defer { engine.shutdown() }
        let lines = CustomerFixtures.lines(customer: "new", purchases: 5, views: 1, value: 180)
        _ = try engine.ingestEvents(jsonLines: Array(lines.joined(separator: "\n").utf8))
        let segment = try #require(customers.segment(of: "new"))
        let frequency = try #require(customers.lookup("new", features: ["frequency"], now: clock.now)?.values["frequency"])
        #expect(frequency == 5)

        let reply = try engine.decide(DecisionRequest(eventID: "d1", customerID: "new", context: .named([:])))
        #expect(reply.segment == segment)
        #expect(try store.decision(eventID: "d1")?.context == [frequency, 1])
        // What the caller sends wins over the profile.
        let explicit = try engine.decide(DecisionRequest(eventID: "d2", customerID: "new", context: .named(["frequency": 1]),
                                                         segment: 1 - segment))
        #expect(explicit.segment == 1 - segment)
        #expect(try store.decision(eventID: "d2")?.context == [1, 1])
        // A customer without events: the feature's default, and no segment (this policy needs one).
        #expect(throws: EngineError.self) { try engine.decide(DecisionRequest(customerID: "nobody", context: .named([:]))) }
        let unknown = try engine.decide(DecisionRequest(eventID: "d3", customerID: "nobody", context: .named([:]), segment: 0))
        #expect(unknown.segment == 0)
        #expect(try store.decision(eventID: "d3")?.context == [0, 1])
    }

    @Test func withoutASegmentationModelEventsAreRefusedWithTheSettingToUse() throws {
        let engine = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        #expect(throws: EngineError.invalidField(field: "segment_model", reason:
            "no segmentation model is configured; set segment_model in the serve configuration to accept events")) {
            try engine.ingestEvents(jsonLines: Array(CustomerFixtures.lines(customer: "c", purchases: 1, views: 0)[0].utf8))
        }
    }
}

@Suite("Live customer segmentation: event log")
struct CustomerEventLogTests {
    @Test func profilesSurviveARestartEvenAfterATornLine() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        let now = CustomerFixtures.start + 7 * 86_400
        let buyer = CustomerFixtures.lines(customer: "new", purchases: 5, views: 1, value: 180)
        let browser = CustomerFixtures.lines(customer: "browse-x", purchases: 0, views: 9)
        do {
            let first = try CustomerSegments(model: model, eventLog: path)
            _ = try first.ingest(jsonLines: Array(buyer.joined(separator: "\n").utf8), now: now)
        }
        // A crash in the middle of an append leaves half a line.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"customer_id": "torn", "timest"#.utf8))
        try handle.close()
        // What one server that never stopped would hold: the same events received at `now`.
        let reference = try CustomerSegments(model: model)
        _ = try reference.ingest(jsonLines: Array((buyer + browser).joined(separator: "\n").utf8), now: now)
        do {
            let second = try CustomerSegments(model: model, eventLog: path)
            #expect(second.replayedEvents == buyer.count && second.segment(of: "torn") == nil)
            _ = try second.ingest(jsonLines: Array(browser.joined(separator: "\n").utf8), now: now)
        }
        let third = try CustomerSegments(model: model, eventLog: path)
        #expect(third.replayedEvents == buyer.count + browser.count)
        for id in ["new", "browse-x"] {
            #expect(third.segment(of: id) != nil && third.segment(of: id) == reference.segment(of: id), "\(id)")
        }
    }

    @Test func aReplayRebuildsTheLiveProfilesSegmentsAndEvictions() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        let limits = try CustomerSegments.Limits(maxCustomers: 5, idleSeconds: 3_600)
        // Events sent long after they happened (a nightly upload of in-store purchases, say):
        // each batch is received weeks after the events' own timestamps.
        let t0 = CustomerFixtures.start
        let received = t0 + 20 * 86_400
        func customer(_ id: String, big: Bool, from: Double = t0) -> [String] {
            CustomerFixtures.lines(customer: id, purchases: big ? 5 : 0, views: big ? 1 : 7, from: from)
        }
        let batches: [(now: Double, lines: [String])] = [
            (received, customer("big-a", big: true) + customer("browse-a", big: false)),
            (received + 60, customer("big-b", big: true, from: t0 + 86_400) + customer("browse-b", big: false, from: t0 + 3 * 86_400)),
            // Six customers for a cap of five: big-a, the least recently received, goes.
            (received + 1_800, customer("big-c", big: true, from: t0 + 9 * 86_400) + customer("browse-c", big: false)),
            // An hour after the first two batches they are idle; big-a comes back anew.
            (received + 4_000, customer("big-a", big: true, from: t0 + 12 * 86_400) + customer("browse-d", big: false, from: t0 + 2 * 86_400)),
        ]
        let ids = ["big-a", "browse-a", "big-b", "browse-b", "big-c", "browse-c", "browse-d"]
        let live = try CustomerSegments(model: model, eventLog: path, limits: limits)
        for batch in batches {
            _ = try live.ingest(jsonLines: Array(batch.lines.joined(separator: "\n").utf8), now: batch.now)
        }
        #expect(live.evictedProfiles == 4 && live.profileCount == 4)

        let replayed = try CustomerSegments(model: model, eventLog: path, limits: limits)
        #expect(replayed.replayedEvents == batches.map(\.lines.count).reduce(0, +))
        #expect(replayed.profileCount == live.profileCount && replayed.evictedProfiles == live.evictedProfiles)
        let at = received + 4_100
        for id in ids {
            #expect(replayed.segment(of: id) == live.segment(of: id), "\(id)")
            let features = (replayed.lookup(id, features: model.featureNames, now: at)?.values,
                            live.lookup(id, features: model.featureNames, now: at)?.values)
            #expect(features.0 == features.1, "\(id)")
        }
        // The receive times matter: the same events applied at their own timestamps (how the
        // log used to be replayed) leave other profiles and segments.
        let atEventTimes = try CustomerSegments(model: model, limits: limits)
        var parser = JSONLineParser()
        for line in batches.flatMap(\.lines) {
            _ = try atEventTimes.ingest(jsonLines: Array(line.utf8), now: try parser.parse(line, line: 1).timestamp)
        }
        #expect(atEventTimes.evictedProfiles != live.evictedProfiles
                || ids.contains { atEventTimes.segment(of: $0) != live.segment(of: $0) })
    }

    @Test func theReceiveTimeIsReadOnlyFromALoggedLinesLastKey() {
        func read(_ line: String) -> Double? {
            Array(line.utf8).withUnsafeBufferPointer { CustomerSegments.receivedAt($0) }
        }
        #expect(read(#"{"customer_id":"c1","timestamp":5,"received_at":1700000000.25}"#) == 1_700_000_000.25)
        #expect(read(#"{"received_at" : 12 } "#) == 12)
        #expect(read(#"{"customer_id":"c1","timestamp":5}"#) == nil)
        #expect(read(#"{"received_at":12,"customer_id":"c1"}"#) == nil)
        #expect(read(#"{"customer_id":"c1","xreceived_at":12}"#) == nil)
        #expect(read(#"{"customer_id":"c1","received_at":"12"}"#) == nil)
        #expect(read(#"{"customer_id":"c1","received_at":1e999}"#) == nil)
        #expect(read(#"{"customer_id":"c1","received_at":12x}"#) == nil)
        #expect(read(#"{"customer_id":"c1","received_at":12"#) == nil)
    }
}
