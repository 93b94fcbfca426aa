import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport

@Suite("Segments")
struct SegmentTests {
    static let k = 4, d = 4, segments = 12

    static func policy(_ strategy: SegmentStrategy, shrinkage: Double = 2) throws -> ContextualBandit<SegmentedLinUCB, OptimisticArgmax> {
        try ContextualBandit(
            catalog: .numbered(k),
            scorer: SegmentedLinUCB(actionCount: k, contextDimension: d,
                                    configuration: .init(alpha: 0.3, strategy: strategy, segmentCount: segments, shrinkage: shrinkage)),
            explorer: OptimisticArgmax())
    }

    static func segmentedContext(_ rng: inout SeededGenerator, _ dimension: Int) -> Context {
        var x = (0..<dimension - 1).map { _ in rng.nextStandardNormal() }
        x.append(1)
        return Context(features: x, segment: Int(rng.nextUniform() * Double(segments)))
    }

    @Test(arguments: SegmentStrategy.allCases)
    func everyStrategyConforms(strategy: SegmentStrategy) {
        let failures = PolicyConformance.check(makePolicy: { try Self.policy(strategy) }, makeContext: Self.segmentedContext)
        #expect(failures.isEmpty, "\(failures)")
        let thompson = PolicyConformance.check(makePolicy: {
            try ContextualBandit(
                catalog: .numbered(Self.k),
                scorer: SegmentedLinUCB(actionCount: Self.k, contextDimension: Self.d,
                                        configuration: .init(strategy: strategy, segmentCount: Self.segments, samples: 8, scale: 0.5)),
                explorer: Greedy(), seed: 1)
        }, makeContext: Self.segmentedContext)
        #expect(thompson.isEmpty, "\(thompson)")
    }

    /// Segments that share most of their behaviour, each seen ~30 times: pooling toward the
    /// global model must beat independent per-segment models.
    @Test func shrinkageBeatsPerSegmentModelsOnSmallSegments() throws {
        var rng = SeededGenerator(seed: 77)
        let shared = (0..<Self.k).map { _ in (0..<Self.d).map { _ in rng.nextStandardNormal() * 0.5 } }
        let deviation = (0..<Self.segments).map { _ in (0..<Self.k).map { _ in (0..<Self.d).map { _ in rng.nextStandardNormal() * 0.05 } } }
        func mean(_ c: Context, _ a: Int) -> Double {
            let s = c.segment ?? 0
            return (0..<Self.d).reduce(0) { $0 + c.features[$1] * (shared[a][$1] + deviation[s][a][$1]) }
        }
        func regret(_ strategy: SegmentStrategy, thompson: Bool = false) throws -> Double {
            var policy: any Policy = try Self.policy(strategy)
            if thompson {
                policy = try ContextualBandit(
                    catalog: .numbered(Self.k),
                    scorer: SegmentedLinUCB(actionCount: Self.k, contextDimension: Self.d,
                                            configuration: .init(strategy: strategy, segmentCount: Self.segments, shrinkage: 2,
                                                                 samples: 16, scale: 0.3)),
                    explorer: Greedy(), seed: 1)
            }
            var stream = SeededGenerator(seed: 5)
            var total = 0.0
            for _ in 0..<360 {
                let context = Self.segmentedContext(&stream, Self.d)
                let decision = try policy.decide(for: context, among: Array(0..<Self.k), using: &stream)
                let best = (0..<Self.k).map { mean(context, $0) }.max() ?? 0
                total += best - mean(context, decision.action)
                let reward = mean(context, decision.action) + 0.3 * stream.nextStandardNormal()
                try policy.learn(from: Interaction(context: context, decision: decision, reward: reward))
            }
            return total
        }
        let hierarchical = try regret(.hierarchical)
        let perSegment = try regret(.perSegment)
        let oneHot = try regret(.sharedOneHot)
        #expect(hierarchical < 0.7 * perSegment, "hierarchical \(hierarchical), per-segment \(perSegment)")
        #expect(oneHot < perSegment, "one-hot \(oneHot), per-segment \(perSegment)")
        let hierarchicalThompson = try regret(.hierarchical, thompson: true)
        let perSegmentThompson = try regret(.perSegment, thompson: true)
        #expect(hierarchicalThompson < 0.7 * perSegmentThompson, "Thompson: hierarchical \(hierarchicalThompson), per-segment \(perSegmentThompson)")
    }

    @Test func hierarchicalSegmentWithoutDataScoresLikeTheGlobalModel() throws {
        var policy = try Self.policy(.hierarchical, shrinkage: 1)
        var global = try Self.policy(.global)
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<50 {
            var context = Self.segmentedContext(&rng, Self.d)
            context.segment = 0
            let action = Int(rng.nextUniform() * Double(Self.k))
            let interaction = Interaction(context: context, candidates: [action], action: action, reward: context.features[0])
            try policy.learn(from: interaction)
            try global.learn(from: interaction)
        }
        // Segment 5 has no data: θ_5 = (λₕI)⁻¹ λₕ θ_g = θ_g exactly.
        let x = [0.3, -1.2, 0.7, 1]
        var a = Context(features: x, segment: 5)
        let hierarchicalMeans = try policy.scorer.estimates(for: &a)
        let globalMeans = try global.scorer.estimates(for: &a)
        for i in 0..<Self.k { #expect(abs(hierarchicalMeans[i] - globalMeans[i]) < 1e-12) }
    }
}

extension SegmentedLinUCB {
    /// The estimates of every action (test helper).
    func estimates(for context: inout Context) throws -> [Double] {
        var estimates = Array(repeating: 0.0, count: actionCount)
        var bonuses = estimates
        var scratch = Array(repeating: 0.0, count: scratchCount(candidateCount: actionCount))
        let candidates = Array(0..<actionCount)
        context.features.withUnsafeBufferPointer { x in
            candidates.withUnsafeBufferPointer { c in
                estimates.withUnsafeMutableBufferPointer { e in
                    bonuses.withUnsafeMutableBufferPointer { b in
                        scratch.withUnsafeMutableBufferPointer { s in
                            scores(features: x, segment: context.segment, candidates: c, estimates: e, bonuses: b, scratch: s)
                        }
                    }
                }
            }
        }
        return estimates
    }
}
