import AttuneCore
import Bandits
import Foundation
import Testing
import _AttuneTestSupport

@Suite("Non-stationarity: sliding windows and forgetting")
struct NonStationarityTests {
    // MARK: - Sliding window = a fresh fit on the window

    /// One observation of the stream.
    struct Observation { var x: [Double]; var action: Int; var reward: Double; var weight: Double }

    /// A fresh, window-free LinUCB fed only the last `window` observations of each action.
    static func freshFit(_ history: [Observation], window: Int, k: Int, d: Int, alpha: Double) throws -> LinUCB {
        var fresh = try LinUCB(actionCount: k, contextDimension: d, configuration: .init(alpha: alpha, ridge: 0.5))
        for a in 0..<k {
            for o in history.filter({ $0.action == a }).suffix(window) {
                try o.x.withUnsafeBufferPointer { x in
                    try fresh.learn(features: x, segment: nil, action: a, reward: o.reward, weight: o.weight)
                }
            }
        }
        return fresh
    }

    static func scores(_ scorer: LinUCB, _ x: [Double]) -> (estimates: [Double], bonuses: [Double]) {
        let k = scorer.actionCount
        var estimates = [Double](repeating: 0, count: k), bonuses = estimates
        var scratch = [Double](repeating: 0, count: scorer.scratchCount(candidateCount: k))
        let candidates = Array(0..<k)
        x.withUnsafeBufferPointer { xs in
            candidates.withUnsafeBufferPointer { c in
                estimates.withUnsafeMutableBufferPointer { e in
                    bonuses.withUnsafeMutableBufferPointer { b in
                        scratch.withUnsafeMutableBufferPointer { s in
                            scorer.scores(features: xs, segment: nil, candidates: c, estimates: e, bonuses: b, scratch: s)
                        }
                    }
                }
            }
        }
        return (estimates, bonuses)
    }

    @Test(arguments: [(3, 4, 6), (2, 45, 5), (4, 3, 1)])
    func windowedLinUCBEqualsAFreshFitOnTheWindow(k: Int, d: Int, window: Int) throws {
        var windowed = try LinUCB(actionCount: k, contextDimension: d, configuration: .init(alpha: 0.7, ridge: 0.5, window: window))
        var rng = SeededGenerator(seed: 11)
        var history: [Observation] = []
        for step in 0..<(9 * window + 13) {
            let x = (0..<d).map { _ in rng.nextStandardNormal() * 2 }
            let o = Observation(x: x, action: Int(rng.next() % UInt64(k)), reward: rng.nextStandardNormal() + 1,
                                weight: step % 3 == 0 ? 2 : 1)
            history.append(o)
            try x.withUnsafeBufferPointer { try windowed.learn(features: $0, segment: nil, action: o.action, reward: o.reward, weight: o.weight) }
            // Checked between refactorizations too (downdates only) and right after them.
            guard step % 4 == 0 || step > 8 * window else { continue }
            let fresh = try Self.freshFit(history, window: window, k: k, d: d, alpha: 0.7)
            let probe = (0..<d).map { _ in rng.nextStandardNormal() }
            let (e1, b1) = Self.scores(windowed, probe), (e2, b2) = Self.scores(fresh, probe)
            // The packed single-precision widths (d ≥ 40) agree to about 1e-6 relative.
            let widthTolerance = d >= 40 ? 1e-5 : 1e-9
            for a in 0..<k {
                #expect(abs(e1[a] - e2[a]) <= 1e-9 * (1 + abs(e2[a])), "step \(step) action \(a): \(e1[a]) vs \(e2[a])")
                #expect(abs(b1[a] - b2[a]) <= widthTolerance * (1 + b2[a]), "step \(step) action \(a): \(b1[a]) vs \(b2[a])")
                let c1 = windowed.coefficients(of: a), c2 = fresh.coefficients(of: a)
                for j in 0..<d { #expect(abs(c1[j] - c2[j]) <= 1e-9 * (1 + abs(c2[j]))) }
            }
        }
    }

    @Test func windowForgetsAnOldRegimeEntirely() throws {
        // After W observations of a new regime, the old one has no trace at all.
        let window = 20
        var policy = try LinUCB(actionCount: 1, contextDimension: 2, configuration: .init(alpha: 0, ridge: 1e-6, window: window))
        for t in 0..<(200 + window) {
            let x = [1.0, Double(t % 5)]
            let reward = t < 200 ? 5 + 2 * x[1] : -1 + 0.5 * x[1]
            try x.withUnsafeBufferPointer { try policy.learn(features: $0, segment: nil, action: 0, reward: reward, weight: 1) }
        }
        let theta = policy.coefficients(of: 0)
        #expect(abs(theta[0] - -1) < 1e-4 && abs(theta[1] - 0.5) < 1e-4, "\(theta)")
    }

    static func windowedLinUCB() throws -> ContextualBandit<LinUCB, OptimisticArgmax> {
        try ContextualBandit(catalog: .numbered(4),
                             scorer: LinUCB(actionCount: 4, contextDimension: 3, configuration: .init(alpha: 1, window: 7)),
                             explorer: OptimisticArgmax())
    }

    static func windowedThompson() throws -> ContextualBandit<LinearThompsonSampling, Greedy> {
        try ContextualBandit(catalog: .numbered(4),
                             scorer: LinearThompsonSampling(actionCount: 4, contextDimension: 3,
                                                            configuration: .init(scale: 0.3, samples: 8, window: 5)),
                             explorer: Greedy(), seed: 2)
    }

    @Test func forgettingAndWindowedLearnersConform() {
        #expect(PolicyConformance.check(makePolicy: { try Self.windowedLinUCB() }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.windowedThompson() }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.switching(UCB1(actionCount: 3, contextDimension: 2,
                                                                             configuration: .init(forgetting: 0.9)), OptimisticArgmax()) }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.switching(LogisticThompsonSampling(
            actionCount: 3, contextDimension: 2, configuration: .init(samples: 8, forgetting: 0.9)), Greedy()) }) == [])
        #expect(PolicyConformance.check(makePolicy: { try Self.switching(BootstrapThompson(
            actionCount: 3, contextDimension: 2, configuration: .init(bags: 4, samples: 8, seed: 1, forgetting: 0.9)), Greedy()) }) == [])
    }

    @Test(arguments: [(-1, 1.0), (3, 0.9), (20_000_000, 1.0)])
    func badWindowsAreRefused(window: Int, forgetting: Double) {
        #expect(throws: BanditsError.self) { try LinUCB.Configuration(forgetting: forgetting, window: window) }
        #expect(throws: BanditsError.self) { try LinearThompsonSampling.Configuration(forgetting: forgetting, window: window) }
    }

    @Test func perSegmentWindowsAreWindowedLinUCBsPerSegment() throws {
        let k = 3, d = 2, window = 4
        var segmented = try SegmentedLinUCB(actionCount: k, contextDimension: d, configuration: .init(
            alpha: 0.8, ridge: 0.5, strategy: .perSegment, segmentCount: 2, window: window))
        var perSegment = try (0..<2).map { _ in
            try LinUCB(actionCount: k, contextDimension: d, configuration: .init(alpha: 0.8, ridge: 0.5, window: window))
        }
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<60 {
            let x = (0..<d).map { _ in rng.nextStandardNormal() }
            let s = Int(rng.next() % 2), a = Int(rng.next() % UInt64(k)), r = rng.nextStandardNormal()
            try x.withUnsafeBufferPointer { xs in
                try segmented.learn(features: xs, segment: s, action: a, reward: r, weight: 1)
                try perSegment[s].learn(features: xs, segment: nil, action: a, reward: r, weight: 1)
            }
        }
        let probe = [0.3, -1.1]
        for s in 0..<2 {
            var estimates = [Double](repeating: 0, count: k), bonuses = estimates
            var scratch = [Double](repeating: 0, count: segmented.scratchCount(candidateCount: k))
            let candidates = Array(0..<k)
            probe.withUnsafeBufferPointer { xs in
                candidates.withUnsafeBufferPointer { c in
                    estimates.withUnsafeMutableBufferPointer { e in
                        bonuses.withUnsafeMutableBufferPointer { b in
                            scratch.withUnsafeMutableBufferPointer { w in
                                segmented.scores(features: xs, segment: s, candidates: c, estimates: e, bonuses: b, scratch: w)
                            }
                        }
                    }
                }
            }
            let expected = Self.scores(perSegment[s], probe)
            for a in 0..<k {
                #expect(abs(estimates[a] - expected.estimates[a]) < 1e-12 && abs(bonuses[a] - expected.bonuses[a]) < 1e-12)
            }
        }
        for strategy in [SegmentStrategy.sharedOneHot, .hierarchical, .perSegment] {
            let failures = PolicyConformance.check(
                makePolicy: {
                    try ContextualBandit(catalog: .numbered(3), scorer: SegmentedLinUCB(
                        actionCount: 3, contextDimension: 2,
                        configuration: .init(strategy: strategy, segmentCount: 2, samples: 4, window: 5)), explorer: Greedy())
                },
                makeContext: { rng, d in Context(features: (0..<d).map { _ in rng.nextStandardNormal() }, segment: Int(rng.next() % 2)) })
            #expect(failures.isEmpty, "\(strategy): \(failures)")
        }
    }

    @Test func windowedShardsDoNotMerge() throws {
        var a = try Self.windowedLinUCB()
        let b = try Self.windowedLinUCB()
        #expect(throws: BanditsError.self) { try a.merge(b) }
    }

    // MARK: - Forgetting, closed form

    @Test func discountedUCBMatchesTheClosedForm() throws {
        let gamma = 0.9
        var scorer = try UCB1(actionCount: 2, contextDimension: 0, configuration: .init(alpha: 1, forgetting: gamma))
        let empty = UnsafeBufferPointer<Double>(start: nil, count: 0)
        try scorer.learn(features: empty, segment: nil, action: 0, reward: 1, weight: 1)
        try scorer.learn(features: empty, segment: nil, action: 1, reward: 0, weight: 1)
        try scorer.learn(features: empty, segment: nil, action: 0, reward: 0.5, weight: 1)
        let n0 = gamma * gamma + 1, s0 = gamma * gamma + 0.5, n1 = gamma, total = n0 + n1
        #expect(abs(scorer.counts[0] - n0) < 1e-15 && abs(scorer.rewardSums[0] - s0) < 1e-15)
        #expect(abs(scorer.counts[1] - n1) < 1e-15 && abs(scorer.segmentTotals[0] - total) < 1e-15)
        var estimates = [0.0, 0.0], bonuses = [0.0, 0.0]
        let candidates = [0, 1]
        candidates.withUnsafeBufferPointer { c in
            estimates.withUnsafeMutableBufferPointer { e in
                bonuses.withUnsafeMutableBufferPointer { b in
                    scorer.scores(features: empty, segment: nil, candidates: c, estimates: e, bonuses: b,
                                  scratch: UnsafeMutableBufferPointer(start: nil, count: 0))
                }
            }
        }
        #expect(abs(estimates[0] - s0 / n0) < 1e-15)
        #expect(abs(bonuses[0] - (2 * log(total) / n0).squareRoot()) < 1e-14)
        #expect(abs(bonuses[1] - (2 * log(total) / n1).squareRoot()) < 1e-14)
    }

    // MARK: - Forgetting tracks a switched environment

    static func switching<S: Scorer, E: Explorer>(_ scorer: S, _ explorer: E) throws -> ContextualBandit<S, E> {
        try ContextualBandit(catalog: .numbered(scorer.actionCount), scorer: scorer, explorer: explorer, seed: 4)
    }

    /// Two Bernoulli actions: action 1 clicks at 0.5 throughout, action 0 at 0.8 for `switchAt`
    /// rounds and at 0.2 afterwards; returns the share of the last `tail` rounds that chose
    /// the new best action (1). A learner that keeps its whole history needs about as many
    /// rounds as the first phase before action 0's average falls below 0.5.
    static func trackedShare<P: Policy>(_ policy: inout P, rounds: Int = 1_300, switchAt: Int = 1_000, tail: Int = 150) throws -> Double {
        var rng = SeededGenerator(seed: 99)
        var hits = 0
        for t in 0..<rounds {
            let context = Context(features: [1])
            let decision = try policy.decide(for: context, among: [0, 1], using: &rng)
            let rate = decision.action == 1 ? 0.5 : (t < switchAt ? 0.8 : 0.2)
            let reward: Double = rng.nextUniform() < rate ? 1 : 0
            try policy.learn(from: Interaction(context: context, candidates: [0, 1], action: decision.action, reward: reward))
            if t >= rounds - tail, decision.action == 1 { hits += 1 }
        }
        return Double(hits) / Double(tail)
    }

    @Test func forgettingTracksASwitchedEnvironment() throws {
        // One intercept feature: RidgeArms caps the discount so that no direction's variance
        // exceeds the prior's, so a direction the data never excite would stop the forgetting.
        var ucbOld = try Self.switching(UCB1(actionCount: 2, contextDimension: 1, configuration: .init(alpha: 0.5)), OptimisticArgmax())
        var ucbNew = try Self.switching(UCB1(actionCount: 2, contextDimension: 1, configuration: .init(alpha: 0.5, forgetting: 0.95)), OptimisticArgmax())
        var logOld = try Self.switching(LogisticThompsonSampling(actionCount: 2, contextDimension: 1, configuration: .init(samples: 1)), Greedy())
        var logNew = try Self.switching(LogisticThompsonSampling(actionCount: 2, contextDimension: 1,
                                                                 configuration: .init(samples: 1, forgetting: 0.95)), Greedy())
        var bagOld = try Self.switching(BootstrapThompson(actionCount: 2, contextDimension: 1,
                                                          configuration: .init(bags: 8, samples: 1, seed: 3)), Greedy())
        var bagNew = try Self.switching(BootstrapThompson(actionCount: 2, contextDimension: 1,
                                                          configuration: .init(bags: 8, samples: 1, seed: 3, forgetting: 0.95)), Greedy())
        let ucb = (try Self.trackedShare(&ucbOld), try Self.trackedShare(&ucbNew))
        let logistic = (try Self.trackedShare(&logOld), try Self.trackedShare(&logNew))
        let bootstrap = (try Self.trackedShare(&bagOld), try Self.trackedShare(&bagNew))
        for (name, (without, with)) in [("ucb1", ucb), ("logistic", logistic), ("bootstrap", bootstrap)] {
            #expect(with >= 0.7, "\(name): \(with) with forgetting")
            #expect(with >= without + 0.2, "\(name): \(with) with forgetting vs \(without) without")
        }
    }
}
