import AttuneCore
@testable import Engine
import Foundation
import Testing

@Suite("RewardJoiner")
struct RewardJoinerTests {
    let rule = RewardJoiner.Rule(windowSeconds: 10, aggregation: .sum, defaultReward: -1)

    func decision(_ id: String, at t: Double, sequence: Int64) -> DecisionRecord {
        Fixtures.decisionRecord(id, timestamp: t, sequence: sequence)
    }

    func reward(_ id: String, _ value: Double, at t: Double) -> RewardRecord {
        RewardRecord(eventID: id, key: "", value: value, timestamp: t)
    }

    @Test func joinedRewardsAreSummedAndTheWindowClosesAtItsDeadline() {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        joiner.register(decision("e1", at: 0, sequence: 1), rule: rule, into: &closed)
        #expect(joiner.join(reward("e1", 2, at: 3), into: &closed) == .joined)
        #expect(joiner.join(reward("e1", 0.5, at: 9.5), into: &closed) == .joined)
        joiner.advance(to: 9.99, into: &closed)
        #expect(closed.isEmpty)
        joiner.advance(to: 10, into: &closed)
        #expect(closed.count == 1)
        #expect(closed[0].reward == 2.5 && !closed[0].isDefault && closed[0].closedAt == 10)
        #expect(joiner.counters.joinedRewards == 2 && joiner.counters.defaultRewards == 0)
    }

    @Test func noRewardGivesTheDefaultAndALateRewardIsCountedNotJoined() {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        joiner.register(decision("e1", at: 0, sequence: 1), rule: rule, into: &closed)
        // The reward arrives after the deadline: the window closes first, with the default.
        #expect(joiner.join(reward("e1", 5, at: 10.5), into: &closed) == .late)
        #expect(closed.map(\.reward) == [-1] && closed[0].isDefault)
        #expect(joiner.counters.lateRewards == 1 && joiner.counters.defaultRewards == 1 && joiner.counters.joinedRewards == 0)
    }

    @Test(arguments: [
        (RewardJoiner.Aggregation.sum, 6.0), (.first, 1.0), (.last, 2.0), (.max, 3.0),
    ])
    func aggregation(_ aggregation: RewardJoiner.Aggregation, expected: Double) {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        joiner.register(decision("e", at: 0, sequence: 1),
                        rule: .init(windowSeconds: 100, aggregation: aggregation, defaultReward: 0), into: &closed)
        for (i, v) in [1.0, 3, 2].enumerated() { _ = joiner.join(reward("e", v, at: Double(i + 1)), into: &closed) }
        joiner.advance(to: 1_000, into: &closed)
        #expect(closed.count == 1)
        #expect(closed[0].reward == expected)
        // `first` closes at the first reward: the two later ones are late.
        #expect(joiner.counters.lateRewards == (aggregation == .first ? 2 : 0))
    }

    @Test func windowsCloseInDeadlineThenSequenceOrder() {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        let short = RewardJoiner.Rule(windowSeconds: 1, aggregation: .sum, defaultReward: 0)
        joiner.register(decision("long", at: 0, sequence: 1), rule: rule, into: &closed)
        joiner.register(decision("tie2", at: 0, sequence: 3), rule: short, into: &closed)
        joiner.register(decision("tie1", at: 0, sequence: 2), rule: short, into: &closed)
        joiner.register(decision("mid", at: 0.5, sequence: 4), rule: short, into: &closed)
        joiner.advance(to: 100, into: &closed)
        #expect(closed.map(\.decision.eventID) == ["tie1", "tie2", "mid", "long"])
    }

    @Test func stateRoundTripClosesTheSameWindowsWithTheSameRewards() {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        for i in 0..<20 {
            joiner.register(decision("e\(i)", at: Double(i), sequence: Int64(i + 1)), rule: rule, into: &closed)
            if i % 3 == 0 { _ = joiner.join(reward("e\(i)", Double(i), at: Double(i) + 0.5), into: &closed) }
        }
        var restored = RewardJoiner(state: joiner.state)
        #expect(restored.state == joiner.state)
        var a: [RewardJoiner.Closed] = [], b: [RewardJoiner.Closed] = []
        joiner.advance(to: 50, into: &a)
        restored.advance(to: 50, into: &b)
        #expect(a == b && a.count == 10)  // e10…e19 were still open at time 19.5
        #expect(restored.counters == joiner.counters)
    }

    @Test func checkpointEncodingRoundTripsExactlyAndRefusesDamage() throws {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        var anonymous = decision("anon", at: 1, sequence: 2)
        anonymous.customerID = nil
        anonymous.segment = nil
        joiner.register(decision("e1", at: 0, sequence: 1), rule: rule, into: &closed)
        joiner.register(anonymous, rule: .init(windowSeconds: 5, aggregation: .max, defaultReward: 0.25), into: &closed)
        _ = joiner.join(reward("e1", -2.5, at: 1), into: &closed)
        let data = try JSONEncoder().encode(joiner.state)
        let decoded = try JSONDecoder().decode(RewardJoiner.State.self, from: data)
        #expect(decoded == joiner.state)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let encoded = try #require(object["pending"] as? String)
        let blob = try #require(Data(base64Encoded: encoded))
        object["pending"] = blob.prefix(blob.count - 3).base64EncodedString()
        let damaged = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RewardJoiner.State.self, from: damaged) }
    }
    @Test func checkpointsKeepOpenWindowsByReferenceAndResolveThemFromTheLog() throws {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        let first = decision("e1", at: 0, sequence: 1)
        var anonymous = decision("anon", at: 1, sequence: 2)
        anonymous.customerID = nil
        anonymous.segment = nil
        joiner.register(first, rule: rule, into: &closed)
        joiner.register(anonymous, rule: .init(windowSeconds: 5, aggregation: .max, defaultReward: 0.25), into: &closed)
        _ = joiner.join(reward("e1", -2.5, at: 1), into: &closed)
        let data = try JSONEncoder().encode(joiner.checkpointState)
        // The file names decisions by sequence: no context, candidate or probability in it.
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let windows = try #require(object["windows"] as? String)
        let blob = try #require(Data(base64Encoded: windows))
        #expect(object["pending"] == nil && blob.count < 2 * 60)
        let decoded = try JSONDecoder().decode(RewardJoiner.CheckpointState.self, from: data)
        #expect(decoded.windows.map(\.sequence) == [1, 2] && decoded.counters == joiner.counters)
        let restored = try RewardJoiner(state: decoded, decisions: [1: first, 2: anonymous])
        #expect(restored.state == joiner.state)
        // A window whose decision the log no longer holds is a typed error that says what to do.
        #expect {
            _ = try RewardJoiner(state: decoded, decisions: [1: first])
        } throws: { error in
            guard case EngineError.checkpoint(_, let reason) = error else { return false }
            return reason.contains("journal sequence 2") && reason.contains("replaying the whole log")
        }
    }

    @Test func checkpointsOfTheFirstFormatDecodeToReferences() throws {
        var joiner = RewardJoiner()
        var closed: [RewardJoiner.Closed] = []
        joiner.register(decision("e1", at: 0, sequence: 7), rule: rule, into: &closed)
        _ = joiner.join(reward("e1", 3, at: 1), into: &closed)
        // The first format carried whole decisions under "pending".
        let legacy = try JSONEncoder().encode(joiner.state)
        let decoded = try JSONDecoder().decode(RewardJoiner.CheckpointState.self, from: legacy)
        #expect(decoded == joiner.checkpointState)
        #expect(decoded.windows.first?.rewards == [3] && decoded.windows.first?.sequence == 7)
    }

    /// A naive joiner: a list of open windows, scanned for the earliest (deadline, sequence).
    struct NaiveJoiner {
        var open: [(decision: DecisionRecord, window: RewardJoiner.OpenWindow)] = []
        var closed: [(String, Double, Bool)] = []
        var capacity = Int.max

        mutating func closeDue(_ now: Double) {
            while let i = earliest(), open[i].window.deadline <= now { close(i, at: open[i].window.deadline) }
        }
        func earliest() -> Int? {
            open.indices.min { (open[$0].window.deadline, open[$0].decision.sequence) < (open[$1].window.deadline, open[$1].decision.sequence) }
        }
        mutating func close(_ i: Int, at time: Double) {
            let (d, w) = open.remove(at: i)
            let value = RewardJoiner.aggregate(w.rewards, w.aggregation)
            closed.append((d.eventID, value ?? w.defaultReward, value == nil))
        }
        mutating func register(_ d: DecisionRecord, rule: RewardJoiner.Rule) {
            closeDue(d.timestamp)
            while open.count >= capacity, let i = earliest() { close(i, at: d.timestamp) }
            open.append((d, .init(sequence: d.sequence, deadline: d.timestamp + rule.windowSeconds, aggregation: rule.aggregation,
                                  defaultReward: rule.defaultReward, rewards: [])))
        }
        mutating func join(_ r: RewardRecord) {
            closeDue(r.timestamp)
            guard let i = open.firstIndex(where: { $0.decision.eventID == r.eventID }) else { return }
            open[i].window.rewards.append(r.value)
            if open[i].window.aggregation == .first { close(i, at: r.timestamp) }
        }
    }

    /// Thousands of decisions with mixed windows (most short, some long), every aggregation,
    /// rewards on time, late and unknown, and a cap: the closed windows, their rewards and
    /// the checkpoint state match the naive joiner at every step, through every compaction.
    /// With a handful of window lengths the deadlines go through per-length FIFOs (and the
    /// heap for decisions stamped out of order); with a new length per decision most of them
    /// go through the heap.
    ///
    /// Open windows are found by a hash of their event id: masked to 2 bits or none, most ids
    /// share a key and go through the collision path.
    @Test(arguments: [(Int.max, false, UInt64.max), (300, false, .max), (Int.max, true, .max), (300, true, .max),
                      (300, false, 3), (Int.max, true, 0)])
    func matchesANaiveJoinerThroughCompactions(capacity: Int, fewLengths: Bool, keyMask: UInt64) {
        var random = SeededGenerator(seed: 41)
        var joiner = RewardJoiner(keyMask: keyMask)
        joiner.capacity = capacity
        var naive = NaiveJoiner()
        naive.capacity = capacity
        var closed: [RewardJoiner.Closed] = []
        let aggregations: [RewardJoiner.Aggregation] = [.sum, .first, .last, .max]
        var t = 0.0
        for n in 1...6_000 {
            t += random.nextUniform() * 0.01
            let long = random.nextUniform() < 0.05
            let short = fewLengths ? [0.5, 0.75, 1.5][Int(random.next() % 3)] : 0.5 + random.nextUniform()
            let rule = RewardJoiner.Rule(windowSeconds: long ? 40 : short,
                                         aggregation: aggregations[Int(random.next() % 4)], defaultReward: -Double(n % 3))
            // With few lengths, some decisions come stamped a little earlier than the one before,
            // so that their deadlines fall out of their length's order.
            let stamp = fewLengths && random.nextUniform() < 0.1 ? t - random.nextUniform() * 0.05 : t
            let d = decision("e\(n)", at: stamp, sequence: Int64(n))
            joiner.register(d, rule: rule, into: &closed)
            naive.register(d, rule: rule)
            for _ in 0..<Int(random.next() % 3) {
                let target = n - Int(random.next() % 200)
                let r = reward("e\(target)", Double(random.next() % 7) - 2, at: t)
                _ = joiner.join(r, into: &closed)
                naive.join(r)
            }
            if n % 500 == 0 {
                #expect(joiner.checkpointState.windows == naive.open.map(\.window))
                #expect(joiner.pendingCount == naive.open.count)
            }
        }
        joiner.advance(to: t + 100, into: &closed)
        naive.closeDue(t + 100)
        #expect(closed.count == naive.closed.count)
        #expect(zip(closed, naive.closed).allSatisfy { $0.decision.eventID == $1.0 && $0.reward == $1.1 && $0.isDefault == $1.2 })
        #expect(joiner.pendingCount == 0 && joiner.checkpointState.windows.isEmpty)
    }

    /// A decision registered again (its window replaced), rewards for open, replaced and
    /// unknown ids, with keys that collide (1 bit of hash) or not: the same joins, closed
    /// windows and open set.
    @Test func collidingKeysJoinAndCloseLikeDistinctOnes() {
        var random = SeededGenerator(seed: 5)
        var distinct = RewardJoiner()
        var colliding = RewardJoiner(keyMask: 1)
        var closed: ([RewardJoiner.Closed], [RewardJoiner.Closed]) = ([], [])
        let rule = RewardJoiner.Rule(windowSeconds: 1, aggregation: .sum, defaultReward: 0)
        var t = 0.0
        for n in 1...3_000 {
            t += random.nextUniform() * 0.01
            // One decision in ten repeats a recent id: its open window is replaced.
            let id = random.nextUniform() < 0.1 ? "e\(max(n - Int(random.next() % 50), 1))" : "e\(n)"
            let d = decision(id, at: t, sequence: Int64(n))
            distinct.register(d, rule: rule, into: &closed.0)
            colliding.register(d, rule: rule, into: &closed.1)
            let r = reward("e\(n - Int(random.next() % 150))", 1, at: t)
            #expect(distinct.join(r, into: &closed.0) == colliding.join(r, into: &closed.1))
            let probe = "e\(n - Int(random.next() % 150))"
            #expect(distinct.isPending(probe) == colliding.isPending(probe))
        }
        #expect(distinct.pendingCount == colliding.pendingCount && distinct.pendingCount > 50)
        distinct.advance(to: t + 10, into: &closed.0)
        colliding.advance(to: t + 10, into: &closed.1)
        #expect(closed.0.count == closed.1.count && closed.0.count > 2_000)
        #expect(zip(closed.0, closed.1).allSatisfy { $0.decision == $1.decision && $0.reward == $1.reward && $0.isDefault == $1.isDefault })
        #expect(colliding.pendingCount == 0)
    }
}
