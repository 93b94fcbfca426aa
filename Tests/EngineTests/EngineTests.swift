import Bandits
@testable import Engine
import Foundation
import Synchronization
import Testing

@Suite("Engine")
struct EngineTests {
    func makeEngine(_ specs: [PolicySpecification]? = nil, clock: ManualClock = ManualClock(),
                    store: (any EventStore)? = nil, directory: String? = nil) throws -> Engine {
        try Engine(specifications: specs ?? [Fixtures.specification()], store: store ?? SQLiteEventStore(path: ":memory:"),
                   configuration: EngineConfiguration(dataDirectory: directory, checkpointEveryInteractions: 1_000_000,
                                                      checkpointIntervalSeconds: 1e9, tickSeconds: 0.01),
                   clock: clock.function)
    }

    @Test func commitPacingNeverHoldsALoneClient() throws {
        var configuration = EngineConfiguration(tickSeconds: 0.01)
        configuration.commitIntervalSeconds = 0.4
        let engine = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"),
                                configuration: configuration)
        defer { engine.shutdown() }
        // One request at a time: every commit carries one entry, so none is paced (paced, these
        // six would take at least 2 s). The pacing under load is measured by `attune-bench server`.
        let started = Date()
        for i in 0..<6 { _ = try engine.decide(DecisionRequest(eventID: "lone\(i)", context: .vector([0.1, 1]))) }
        #expect(Date().timeIntervalSince(started) < 1.2)
    }

    /// Every completion of a commit runs between the reply batch's `begin` and `end`, on the
    /// journal thread: a server that holds its loops' wake-ups until `end` releases them all.
    @Test func completionsOfACommitRunInsideOneReplyBatch() throws {
        var configuration = EngineConfiguration(tickSeconds: 0.01)
        configuration.commitIntervalSeconds = 0.2
        let engine = try Engine(specifications: [Fixtures.specification()], store: SQLiteEventStore(path: ":memory:"),
                                configuration: configuration)
        defer { engine.shutdown() }
        let events = Mutex<[String]>([])
        engine.replyBatching = ReplyBatching(begin: { events.withLock { $0.append("begin") } },
                                             end: { events.withLock { $0.append("end") } })
        // A reply comes before its batch's `end`, which the journal thread runs next.
        func awaitBatchEnd() {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, events.withLock({ $0.last }) != "end" { usleep(1_000) }
        }
        // Two requests first, so that the next commits are paced and gather the rest.
        _ = try engine.decide(DecisionRequest(eventID: "w0", context: .vector([0.1, 1])))
        awaitBatchEnd()
        events.withLock { $0.removeAll() }
        let done = DispatchGroup()
        for i in 0..<8 {
            done.enter()
            engine.decide(DecisionRequest(eventID: "b\(i)", context: .vector([0.1, 1]))) { result in
                events.withLock { $0.append((try? result.get()) == nil ? "failed" : "reply") }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        awaitBatchEnd()
        let log = events.withLock { $0 }
        #expect(log.filter { $0 == "reply" }.count == 8)
        // Replies only inside begin…end pairs, which never nest.
        var open = false
        for event in log {
            switch event {
            case "begin": #expect(!open); open = true
            case "end": #expect(open); open = false
            default: #expect(open, "a reply outside a batch: \(log)")
            }
        }
        #expect(!open)
        engine.replyBatching = nil
        _ = try engine.decide(DecisionRequest(eventID: "after", context: .vector([0.1, 1])))
        #expect(events.withLock { $0 }.count == log.count)
    }

    @Test func generatedEventIDsAreThePrefixAndTheZeroPaddedCounterInBase36() {
        var counters: [UInt64] = [0, 1, 9, 10, 35, 36, 1_295, 1_296, 46_655, 123_456_789, .max - 1, .max]
        var state: UInt64 = 7
        for _ in 0..<200 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            counters.append(state >> (state % 60))
        }
        for prefix in ["", "mg2k4x1c-1bq7z0f", "é"] {
            for counter in counters {
                let digits = String(counter, radix: 36)
                #expect(Engine.eventID(prefix: prefix, counter: counter)
                        == prefix + "-" + String(repeating: "0", count: max(7 - digits.count, 0)) + digits)
            }
        }
        // In the order they were made, as text too (what the store's index on them sees).
        let made = (counters.filter { $0 < 78_364_164_096 } + [78_364_164_095]).sorted()
        let ids = made.map { Engine.eventID(prefix: "mg2k4x1c-1bq7z0f", counter: $0) }
        #expect(ids == ids.sorted() && Set(ids).count == Set(made).count)
    }

    @Test func aDecisionIsLoggedBeforeTheReplyAndCarriesItsDistribution() throws {
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try makeEngine(store: store)
        defer { engine.shutdown() }
        let reply = try engine.decide(DecisionRequest(eventID: "e1", context: .named(["x": 0.3]),
                                                      actions: [.init(id: "c"), .init(id: "a")]))
        #expect(reply.eventID == "e1" && reply.policy == "test")
        #expect(reply.probabilities.map(\.id) == ["c", "a"])
        #expect(abs(reply.probabilities.map(\.probability).reduce(0, +) - 1) < 1e-12)
        let logged = try #require(try store.decision(eventID: "e1"))
        #expect(logged.actionID == reply.actionID && logged.context == [0.3, 1])
        #expect(logged.propensity == reply.probabilities.first { $0.id == reply.actionID }?.probability)
        let generated = try engine.decide(DecisionRequest(context: .vector([1, 1])))
        #expect(!generated.eventID.isEmpty && generated.eventID != "e1")
    }

    @Test(arguments: [
        (DecisionRequest(context: .vector([1])), "dimension"),
        (DecisionRequest(context: .vector([.nan, 1])), "nan or infinite"),
        (DecisionRequest(context: .named(["x": .infinity])), "nan or infinite"),
        (DecisionRequest(context: .named(["y": 1])), "unknown feature"),
        (DecisionRequest(context: .vector([1, 1]), actions: [.init(id: "zzz")]), "unknown action"),
        (DecisionRequest(context: .vector([1, 1]), excludedActions: ["zzz"]), "unknown action"),
        (DecisionRequest(context: .vector([1, 1]), excludedActions: ["a", "b", "c"]), "no eligible"),
        (DecisionRequest(context: .vector([1, 1]), actions: [.init(id: "a", features: [3])]), "features"),
        (DecisionRequest(policy: "other", context: .vector([1, 1])), "unknown policy"),
        (DecisionRequest(eventID: "", context: .vector([1, 1])), "event_id"),
    ])
    func badDecisionRequestsAreTypedErrorsAndNothingIsLogged(_ request: DecisionRequest, expected: String) throws {
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try makeEngine(store: store)
        defer { engine.shutdown() }
        do {
            _ = try engine.decide(request)
            Issue.record("accepted \(request)")
        } catch {
            #expect(error.description.lowercased().contains(expected), "\(error.description)")
        }
        #expect(try store.lastSequence() == 0)
    }

    @Test func duplicateEventIDsAndUnknownRewardsAreRefusedAndDuplicateRewardsIgnored() throws {
        let engine = try makeEngine()
        defer { engine.shutdown() }
        _ = try engine.decide(DecisionRequest(eventID: "e1", context: .vector([0, 1])))
        #expect(throws: EngineError.duplicateEvent("e1")) { try engine.decide(DecisionRequest(eventID: "e1", context: .vector([0, 1]))) }
        #expect(throws: EngineError.unknownEvent("ghost")) { try engine.reward(RewardRequest(eventID: "ghost", reward: 1)) }
        #expect(throws: EngineError.self) { try engine.reward(RewardRequest(eventID: "e1", reward: .nan)) }
        #expect(try engine.reward(RewardRequest(eventID: "e1", reward: 1)).status == .joined)
        #expect(try engine.reward(RewardRequest(eventID: "e1", reward: 1)).status == .duplicate)
        #expect(try engine.reward(RewardRequest(eventID: "e1", reward: 2, rewardID: "second")).status == .joined)
        #expect(engine.statistics.joiner.joinedRewards == 2 && engine.statistics.duplicateRewards == 1)
    }

    @Test func windowsCloseWithTheDefaultAndLateRewardsAreCounted() throws {
        let clock = ManualClock()
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try makeEngine([Fixtures.specification(window: 5, defaultReward: -0.5)], clock: clock, store: store)
        defer { engine.shutdown() }
        _ = try engine.decide(DecisionRequest(eventID: "quiet", context: .vector([0, 1])))
        _ = try engine.decide(DecisionRequest(eventID: "rewarded", context: .vector([0, 1])))
        #expect(try engine.reward(RewardRequest(eventID: "rewarded", reward: 3)).status == .joined)
        clock.advance(by: 6)
        engine.closeDueWindows()
        #expect(try engine.reward(RewardRequest(eventID: "quiet", reward: 1)).status == .late)
        engine.waitUntilLearned()
        let stats = engine.statistics
        #expect(stats.joiner.defaultRewards == 1 && stats.joiner.lateRewards == 1 && stats.joiner.closedDecisions == 2)
        #expect(stats.learned == 2 && stats.policies[0].modelVersion == 2)
        var outcomes: [String: OutcomeRecord] = [:]
        try store.export(since: nil) { if let o = $0.outcome { outcomes[o.eventID] = o } }
        #expect(outcomes["quiet"]?.reward == -0.5 && outcomes["quiet"]?.isDefault == true)
        #expect(outcomes["rewarded"]?.reward == 3 && outcomes["rewarded"]?.isDefault == false)
    }

    @Test func learningFromRewardsShiftsLaterDecisionsTowardTheRewardedAction() throws {
        let clock = ManualClock()
        let engine = try makeEngine([Fixtures.specification(window: 1, epsilon: 0.3)], clock: clock)
        defer { engine.shutdown() }
        let before = try engine.decide(DecisionRequest(context: .vector([0.2, 1]))).probabilities
        #expect(before.allSatisfy { abs($0.probability - 1.0 / 3) < 1e-12 })  // untrained: no preference
        for _ in 0..<60 {
            let reply = try engine.decide(DecisionRequest(context: .vector([0.2, 1])))
            _ = try engine.reward(RewardRequest(eventID: reply.eventID, reward: reply.actionID == "b" ? 1 : 0))
        }
        clock.advance(by: 2)
        engine.closeDueWindows()
        let after = try engine.decide(DecisionRequest(context: .vector([0.2, 1]))).probabilities
        let pB = try #require(after.first { $0.id == "b" }?.probability)
        #expect(abs(pB - (0.7 + 0.1)) < 1e-12, "b should be the greedy choice: \(after)")
        #expect(try #require(engine.model(of: "test")).modelVersion == 61)
    }

    @Test func recoveryRestoresTheCheckpointAndReplaysTheLogAfterIt() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let spec = try Fixtures.specification(window: 3, aggregation: "max")
        let path = directory + "/events.sqlite"
        func traffic(_ engine: Engine, _ range: Range<Int>) throws {
            for i in range {
                let x = Double(i % 7) / 7
                let reply = try engine.decide(DecisionRequest(eventID: "e\(i)", context: .vector([x, 1])))
                if i % 2 == 0 { _ = try engine.reward(RewardRequest(eventID: reply.eventID, reward: reply.actionID == "c" ? 1 : x)) }
                clock.advance(by: 0.25)
            }
        }
        let first = try makeEngine([spec], clock: clock, store: SQLiteEventStore(path: path), directory: directory)
        try traffic(first, 0..<40)
        try first.checkpoint()
        let checkpointed = first.statistics.lastCheckpointSequence
        #expect(checkpointed > 0)
        try traffic(first, 40..<80)
        first.waitUntilLearned()
        // A crash: the journal and learner stop without a last checkpoint.
        first.journal.stop(checkpoint: false)
        first.learner.stop()
        let expected = try #require(first.learner.model("test"))
        let expectedStats = first.statistics

        let second = try makeEngine([spec], clock: clock, store: SQLiteEventStore(path: path), directory: directory)
        defer { second.shutdown() }
        #expect(second.recovery.checkpointSequence == checkpointed)
        #expect(second.recovery.replayedEntries > 0 && second.recovery.discardedModels.isEmpty)
        let recovered = try #require(second.model(of: "test"))
        #expect(recovered.modelVersion == expected.modelVersion)
        #expect(try recovered.snapshot() == expected.snapshot())
        #expect(second.statistics.pendingDecisions == expectedStats.pendingDecisions)
        // The recovered engine keeps joining rewards of decisions made before the crash.
        let open = try #require((70..<80).first { $0 % 2 == 1 })
        #expect(try second.reward(RewardRequest(eventID: "e\(open)", reward: 1)).status == .joined)
    }

    @Test func theKillSwitchIsPersistedInTheDataDirectory() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.sqlite"
        let first = try makeEngine(store: SQLiteEventStore(path: path), directory: directory)
        #expect(throws: EngineError.unknownAction(field: "action", id: "zz")) { try first.setKillSwitch(policy: "test", action: "zz") }
        try first.setKillSwitch(policy: "test", action: "b")
        first.shutdown()
        let second = try makeEngine(store: SQLiteEventStore(path: path), directory: directory)
        defer { second.shutdown() }
        #expect(second.killSwitches == ["test": "b"])
        let reply = try second.decide(DecisionRequest(context: .vector([0.3, 1])))
        #expect(reply.actionID == "b" && reply.probabilities.map(\.probability).sorted() == [0, 0, 1])
        try second.setKillSwitch(policy: "test", action: nil)
        #expect(second.killSwitches.isEmpty)
    }
}
