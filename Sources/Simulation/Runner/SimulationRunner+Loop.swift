#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import Dispatch

// MARK: - The round loop

extension SimulationRunner {
    /// One run of `policy` (or of the oracle when `oracle`), on a fresh copy of the environment.
    ///
    /// The steady state allocates nothing: the context, candidates, decision and feedback pool
    /// are reused every round (logging, when enabled, allocates its text).
    func loop<P: Policy>(_ policy: inout P, oracle: Bool, name: String, seed: UInt64, log: JSONLinesWriter?, events: JSONLinesWriter? = nil) throws(SimulationError) -> RunMetrics {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = Self.threadCPUSeconds()
        var env = environment
        let master = SeededGenerator(seed: seed)
        var populationStream = master.child(0)
        var contextStream = master.child(1)
        var responseStream = master.child(2)
        var policyStream = master.child(3)
        var delayStream = master.child(4)
        env.reset(using: &populationStream)
        if events != nil { env.recordEvents(true) }

        let slots = env.slotCount
        let segments = env.segmentNames.count
        let points = min(curvePoints, horizon)
        var metrics = RunMetrics()
        metrics.rounds = horizon
        metrics.rewardCurve.reserveCapacity(points)
        metrics.regretCurve.reserveCapacity(points)
        metrics.rewardBySegment = Array(repeating: 0, count: segments)
        metrics.roundsBySegment = Array(repeating: 0, count: segments)

        var context = Context(features: Array(repeating: 0, count: env.contextDimension))
        var candidates: [Int] = []
        candidates.reserveCapacity(env.catalog.count)
        var decision = Decision()
        decision.candidates.reserveCapacity(env.catalog.count)
        decision.probabilities.reserveCapacity(env.catalog.count)
        var queue = FeedbackQueue(lag: feedback.maximumLag, slots: slots)
        let geometricRatio = Double(feedback.delayRounds) / (1 + Double(feedback.delayRounds))
        let logTerms = log.map { _ in LogTerms(catalog: env.catalog, seed: seed, slots: slots) }
        // The oracle learns nothing: without a log its decisions need not be queued.
        let queues = !oracle || log != nil

        var windowReward = 0.0
        var windowStart = 0
        var nextBoundary = horizon / points
        for round in 0..<horizon {
            let active = env.beginRound(round, context: &context, candidates: &candidates, using: &contextStream)
            let segment = env.currentSegment
            if let segment, segment < segments { metrics.roundsBySegment[segment] += 1 }
            if active {
                for slot in 0..<slots where !candidates.isEmpty {
                    let best = env.bestCandidate(among: candidates, slot: slot)
                    if oracle {
                        let position = candidates.firstIndex(of: best.action) ?? 0
                        decision.probabilities.removeAll(keepingCapacity: true)
                        for i in 0..<candidates.count { decision.probabilities.append(i == position ? 1 : 0) }
                        fill(&decision, candidates: candidates, position: position, version: 0)
                    } else {
                        do throws(BanditsError) {
                            try policy.decide(for: context, among: candidates, using: &policyStream, into: &decision)
                        } catch {
                            throw .policy(name, error)
                        }
                        guard decision.probabilities.count == candidates.count, decision.position >= 0,
                              decision.position < candidates.count, decision.action == candidates[decision.position] else {
                            throw .policy(name: name, reason: "it returned a decision inconsistent with its candidates (round \(round))")
                        }
                    }
                    let expected = env.expectedReward(of: decision.action, slot: slot)
                    let outcome = env.respond(to: decision.action, slot: slot, using: &responseStream)
                    metrics.decisions += 1
                    metrics.totalReward += outcome.reward
                    metrics.totalExpectedReward += expected
                    metrics.totalRegret += best.expectedReward - expected
                    metrics.revenue += outcome.revenue
                    metrics.margin += outcome.margin
                    if outcome.converted { metrics.conversions += 1 }
                    if let segment, segment < segments { metrics.rewardBySegment[segment] += outcome.reward }
                    windowReward += outcome.reward
                    // The delay is drawn even when nothing is queued, so that streams stay aligned.
                    let delay = drawDelay(geometricRatio, &delayStream)
                    if queues {
                        queue.enqueue(round: round, slot: slot, context: context, decision: decision, observedReward: outcome.reward,
                                      delay: delay, window: feedback.windowRounds)
                    }
                    if slots > 1 { candidates.remove(at: decision.position) }
                }
                if env.endRound(using: &responseStream) { metrics.churnedCustomers += 1 }
                if let events { try env.drainEvents { (e) throws(SimulationError) in try e.write(to: events) } }
            }
            if queues { try queue.deliver(round: round, defaultReward: feedback.defaultReward) { (pending) throws(SimulationError) in
                if !oracle {
                    do throws(BanditsError) {
                        try policy.learn(from: pending.interaction)
                    } catch {
                        throw .policy(name, error)
                    }
                }
                if let log, let logTerms { try logTerms.write(pending, segment: pending.interaction.context.segment, env: env, to: log) }
            } }
            if round & 8191 == 8191 { progress?(8192) }
            if round + 1 == nextBoundary {
                metrics.rewardCurve.append(windowReward / Double(round + 1 - windowStart))
                metrics.regretCurve.append(metrics.totalRegret)
                windowReward = 0
                windowStart = round + 1
                nextBoundary = (metrics.rewardCurve.count + 1) * horizon / points
            }
        }
        if let log, let logTerms {
            try queue.drain(after: horizon - 1, defaultReward: feedback.defaultReward) { (pending) throws(SimulationError) in
                try logTerms.write(pending, segment: pending.interaction.context.segment, env: env, to: log)
            }
        }
        progress?(horizon & 8191)
        metrics.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        metrics.cpuSeconds = Self.threadCPUSeconds() - cpuStart
        return metrics
    }

    /// CPU seconds consumed so far by the calling thread (0 where the clock is unavailable).
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// The delay of one reward, in rounds: fixed, or geometric with ratio q = μ/(1+μ)
    /// (`⌊ln U / ln q⌋`, mean μ).
    @inline(__always)
    func drawDelay(_ q: Double, _ stream: inout SeededGenerator) -> Int {
        switch feedback.delay {
        case .fixed:
            return feedback.delayRounds
        case .geometric:
            guard q > 0 else { return 0 }
            let d = (log(stream.nextOpenUniform()) / log(q)).rounded(.down)
            return d < 1e9 ? Int(d) : 1_000_000_000
        }
    }
}

// MARK: - Decision log lines

/// Pre-escaped action ids and the line writer of the decision log (DESIGN.md "Decision log").
struct LogTerms {
    let ids: [String]
    let seed: UInt64
    let slots: Int

    init(catalog: ActionCatalog, seed: UInt64, slots: Int) {
        ids = catalog.actions.map(\.id.rawValue)
        self.seed = seed
        self.slots = slots
    }

    /// `{"event_id", "timestamp", "segment", "context", "actions", "action", "propensity",
    /// "probabilities", "reward", "model_version"}` (+ `"slot"` for multi-slot decisions).
    func write<E: SimulationEnvironment>(_ p: PendingFeedback, segment: Int?, env: E, to w: JSONLinesWriter) throws(SimulationError) {
        w.write("{\"event_id\":")
        w.write(string: slots > 1 ? "s\(seed)-r\(p.round)-\(p.slot)" : "s\(seed)-r\(p.round)")
        w.write(",\"timestamp\":")
        w.write(string: JSONLinesWriter.iso8601(seconds: env.timestamp(ofRound: p.round)))
        w.write(",\"segment\":")
        if let segment { w.write(integer: Int64(segment)) } else { w.write("null") }
        w.write(",\"context\":")
        w.write(numbers: p.interaction.context.features)
        w.write(",\"actions\":[")
        for (i, a) in p.interaction.candidates.enumerated() {
            if i > 0 { w.write(",") }
            w.write(string: ids[a])
        }
        w.write("],\"action\":")
        w.write(string: ids[p.interaction.action])
        w.write(",\"propensity\":")
        w.write(number: p.interaction.propensity)
        w.write(",\"probabilities\":")
        w.write(numbers: p.interaction.probabilities)
        w.write(",\"reward\":")
        w.write(number: p.interaction.reward)
        w.write(",\"model_version\":")
        w.write(integer: Int64(p.modelVersion))
        if slots > 1 { w.write(",\"slot\":\(p.slot)") }
        w.write("}")
        try w.endLine()
    }
}
