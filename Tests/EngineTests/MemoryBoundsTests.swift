import AttuneCore
import Bandits
@testable import Engine
import Foundation
import Segmentation
import Testing

@Suite("Memory bounds: open windows and customer profiles")
struct MemoryBoundsTests {
    static let rule = RewardJoiner.Rule(windowSeconds: 10, aggregation: .sum, defaultReward: -1)

    @Test func theOpenWindowCapClosesTheEarliestDeadlineEarlyWithItsJoinedRewards() {
        var joiner = RewardJoiner()
        joiner.capacity = 2
        var closed: [RewardJoiner.Closed] = []
        joiner.register(Fixtures.decisionRecord("d1", timestamp: 0, sequence: 1), rule: Self.rule, into: &closed)
        joiner.register(Fixtures.decisionRecord("d2", timestamp: 1, sequence: 2), rule: Self.rule, into: &closed)
        _ = joiner.join(RewardRecord(eventID: "d1", key: "", value: 3, timestamp: 2), into: &closed)
        #expect(closed.isEmpty && joiner.pendingCount == 2)
        joiner.register(Fixtures.decisionRecord("d3", timestamp: 3, sequence: 3), rule: Self.rule, into: &closed)
        // d1 (earliest deadline) closes at d3's time with its joined reward, not the default.
        #expect(closed.map(\.decision.eventID) == ["d1"] && closed[0].reward == 3 && !closed[0].isDefault && closed[0].closedAt == 3)
        joiner.register(Fixtures.decisionRecord("d4", timestamp: 4, sequence: 4), rule: Self.rule, into: &closed)
        #expect(closed.map(\.decision.eventID) == ["d1", "d2"] && closed[1].reward == -1 && closed[1].isDefault)
        #expect(joiner.pendingCount == 2 && joiner.counters.forcedCloses == 2 && joiner.counters.closedDecisions == 2)
        // A reward for a force-closed window is late.
        #expect(joiner.join(RewardRecord(eventID: "d2", key: "", value: 1, timestamp: 5), into: &closed) == .late)
        // Deadlines still close the rest on time.
        joiner.advance(to: 14, into: &closed)
        #expect(closed.map(\.decision.eventID) == ["d1", "d2", "d3", "d4"] && joiner.counters.forcedCloses == 2)
    }

    @Test func staleDeadlinesDoNotAccumulateWhenWindowsCloseEarly() {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        let first = RewardJoiner.Rule(windowSeconds: 1e9, aggregation: .first, defaultReward: 0)
        for i in 0..<5_000 {
            joiner.register(Fixtures.decisionRecord("e\(i)", timestamp: Double(i), sequence: Int64(i + 1)), rule: first, into: &closed)
            _ = joiner.join(RewardRecord(eventID: "e\(i)", key: "", value: 1, timestamp: Double(i)), into: &closed)
        }
        // Every window closed at its first reward; the deadline heap is compacted instead of holding 5,000 entries.
        #expect(joiner.pendingCount == 0 && closed.count == 5_000)
        #expect(joiner.heapCount <= 1_025)
    }

    /// A long steady stream (a decision a millisecond, 1 s windows, some closed early by a
    /// `first` reward, some rewards late): the window slots and deadline marks held stay within
    /// a constant factor of the open windows, however many decisions went through.
    @Test func windowSlotsAndDeadlineMarksStayBoundedInASteadyStream() {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        let sum = RewardJoiner.Rule(windowSeconds: 1, aggregation: .sum, defaultReward: 0)
        let first = RewardJoiner.Rule(windowSeconds: 1, aggregation: .first, defaultReward: 0)
        var largest = (slots: 0, marks: 0, open: 0)
        for i in 0..<60_000 {
            let t = Double(i) / 1000
            joiner.register(Fixtures.decisionRecord("s\(i)", timestamp: t, sequence: Int64(i + 1)), rule: i % 3 == 0 ? first : sum, into: &closed)
            if i % 3 == 0 || i % 7 == 0, i >= 5 {
                _ = joiner.join(RewardRecord(eventID: "s\(i - 5)", key: "", value: 1, timestamp: t), into: &closed)
            }
            closed.removeAll(keepingCapacity: true)
            if i > 5_000 {
                largest = (max(largest.slots, joiner.slotCount), max(largest.marks, joiner.heapCount), max(largest.open, joiner.pendingCount))
            }
        }
        #expect(largest.open <= 1_001)
        #expect(largest.slots <= 4 * largest.open + 1_024 && largest.marks <= 2 * largest.open + 1_024)
    }

    @Test func checkpointsWithoutTheForcedCloseCounterStillDecode() throws {
        let old = #"{"joinedRewards": 4, "lateRewards": 1, "defaultRewards": 2, "closedDecisions": 6}"#
        let counters = try JSONDecoder().decode(RewardJoiner.Counters.self, from: Data(old.utf8))
        #expect(counters.joinedRewards == 4 && counters.closedDecisions == 6 && counters.forcedCloses == 0)
        var withForced = counters
        withForced.forcedCloses = 3
        #expect(try JSONDecoder().decode(RewardJoiner.Counters.self, from: JSONEncoder().encode(withForced)) == withForced)
    }

    @Test func windowsCloseOnTimeWithoutTrafficAndTheEngineAppliesItsCap() throws {
        let clock = ManualClock()
        var configuration = EngineConfiguration(tickSeconds: 0.01)
        configuration.maxOpenWindows = 3
        let engine = try Engine(specifications: [Fixtures.specification(window: 10, defaultReward: 0)],
                                store: SQLiteEventStore(path: ":memory:"), configuration: configuration, clock: clock.function)
        defer { engine.shutdown() }
        for i in 0..<5 { _ = try engine.decide(DecisionRequest(eventID: "w\(i)", context: .named(["x": 1]))) }
        var statistics = engine.statistics
        #expect(statistics.pendingDecisions == 3 && statistics.joiner.forcedCloses == 2)
        // No request arrives: the journal's tick closes the remaining windows once time passes.
        clock.advance(by: 11)
        let deadline = Date().addingTimeInterval(5)
        while engine.statistics.pendingDecisions > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        statistics = engine.statistics
        #expect(statistics.pendingDecisions == 0 && statistics.joiner.defaultRewards == 5 && statistics.joiner.closedDecisions == 5)
    }

    @Test func customerRecencyEvictsInLeastRecentlyTouchedOrder() {
        var recency = CustomerRecency()
        for (i, id) in ["a", "b", "c"].enumerated() { recency.touch(id, at: Double(i)) }
        recency.touch("a", at: 5)
        #expect(recency.oldest?.id == "b" && recency.count == 3)
        recency.remove("b")
        #expect(recency.oldest?.id == "c")
        recency.touch("d", at: 2)   // earlier than the latest touch: counts at the latest time (5)
        #expect(recency.oldest?.id == "c" && recency.oldest?.time == 2)
        recency.remove("c")
        #expect(recency.oldest?.id == "a" && recency.oldest?.time == 5 && recency.count == 2)
        // Slots are reused: many touches of few ids keep the storage small.
        for i in 0..<1_000 { recency.touch("x\(i % 4)", at: 10 + Double(i)) }
        #expect(recency.count == 6)
    }

    @Test func customerProfilesAreCappedAndEvictedWhenIdle() throws {
        let limits = try CustomerSegments.Limits(maxCustomers: 3, idleSeconds: 100)
        let customers = try CustomerSegments(model: CustomerFixtures.model(), limits: limits)
        let t0 = CustomerFixtures.start
        for (i, id) in ["c1", "c2", "c3"].enumerated() {
            let event = #"{"customer_id":"\#(id)","timestamp":\#(Int(t0)),"channel":"web","type":"page_view"}"#
            _ = try customers.ingest(jsonLines: Array(event.utf8), now: t0 + Double(i))
        }
        // A decision for c1 is no activity (only events are, which the log keeps for a
        // replay): c1's last event is still the oldest, so c1 goes first.
        #expect(customers.lookup("c1", features: [], now: t0 + 3) != nil)
        let c4 = #"{"customer_id":"c4","timestamp":\#(Int(t0)),"channel":"web","type":"page_view"}"#
        _ = try customers.ingest(jsonLines: Array(c4.utf8), now: t0 + 4)
        #expect(customers.profileCount == 3 && customers.evictedProfiles == 1)
        #expect(customers.segment(of: "c1") == nil && customers.segment(of: "c2") != nil && customers.segment(of: "c3") != nil)
        // Idle times count from the events' receive times (t0+1, t0+2, t0+4), not their
        // timestamps (all t0): 100 s after its receipt c2 is idle; c3 and c4 are not yet.
        customers.evictIdle(now: t0 + 101.5)
        #expect(customers.profileCount == 2 && customers.evictedProfiles == 2 && customers.segment(of: "c2") == nil)
        // A lookup after everyone went idle finds nothing.
        #expect(customers.lookup("c4", features: [], now: t0 + 500) == nil)
        #expect(customers.profileCount == 0 && customers.evictedProfiles == 4)
        #expect(throws: EngineError.self) { try CustomerSegments.Limits(maxCustomers: 0) }
        #expect(throws: EngineError.self) { try CustomerSegments.Limits(idleSeconds: .nan) }
    }

    @Test func replayOfTheCustomerEventLogAppliesTheSameCap() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        do {
            let customers = try CustomerSegments(model: model, eventLog: log)
            let body = (0..<10).map { #"{"customer_id":"r\#($0)","timestamp":\#(Int(CustomerFixtures.start) + $0),"channel":"web","type":"page_view"}"# }
            _ = try customers.ingest(jsonLines: Array(body.joined(separator: "\n").utf8), now: CustomerFixtures.start + 20)
            #expect(customers.profileCount == 10 && customers.evictedProfiles == 0)
        }
        let bounded = try CustomerSegments(model: model, eventLog: log, limits: CustomerSegments.Limits(maxCustomers: 4))
        #expect(bounded.replayedEvents == 10 && bounded.profileCount == 4 && bounded.evictedProfiles == 6)
        #expect(bounded.segment(of: "r9") != nil && bounded.segment(of: "r5") == nil)
    }

    @Test func theWriteAheadLogIsCopiedBackAndRestartedWhileRewardsFlow() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        let store = try SQLiteEventStore(path: path)
        func bytes(_ file: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0 }
        var walSizes: [Int] = []
        for round in 0..<3 {
            let ids = (0..<200).map { "r\(round)-\($0)" }
            _ = try store.append(ids.map { .decision(Fixtures.decisionRecord($0)) }, outcomes: [])
            _ = try store.append(ids.map { .reward(RewardRecord(eventID: $0, key: "", value: 1, timestamp: 0)) }, outcomes: [])
            walSizes.append(bytes(path + "-wal"))
            // The background checkpointer copies the WAL back once a second.
            Thread.sleep(forTimeInterval: 1.1)
        }
        // Copied back: the database file holds the pages (not just its header page). Restarted:
        // each round reuses the WAL from its start, so the file stops growing after the first
        // round; a reader left open by the reward lookup would pin it and it would grow every round.
        #expect(bytes(path) > 4096, "database \(bytes(path)) bytes, WAL sizes \(walSizes)")
        #expect(walSizes[2] <= walSizes[0] * 3 / 2, "WAL sizes \(walSizes)")
    }
}
