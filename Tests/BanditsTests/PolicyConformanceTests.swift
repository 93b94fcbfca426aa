import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport

/// The checker itself must catch broken policies: each defect below is injected into an
/// otherwise conforming LinUCB policy.
@Suite("PolicyConformance catches defects")
struct PolicyConformanceTests {
    enum Defect: String, CaseIterable, Sendable {
        case wrongPropensity, unnormalized, ignoresNaN, forgetfulRestore, unseeded, acceptsNaNReward
    }

    struct Broken: Policy {
        var base: ContextualBandit<LinUCB, EpsilonGreedy>
        let defect: Defect
        var catalog: ActionCatalog { base.catalog }
        var contextDimension: Int { base.contextDimension }
        var modelVersion: Int { base.modelVersion }
        var calls = 0

        func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
            if defect == .ignoresNaN, context.features.contains(where: \.isNaN) {
                probabilities = candidates.map { _ in 1 / Double(candidates.count) }
                return
            }
            try base.distribution(for: context, among: candidates, into: &probabilities)
            if defect == .unnormalized { probabilities[0] += 0.01 }
        }

        mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator,
                             into decision: inout Decision) throws(BanditsError) {
            if defect == .ignoresNaN, context.features.contains(where: \.isNaN) {
                decision = Decision(action: candidates[0], position: 0, candidates: candidates,
                                    probabilities: candidates.map { _ in 1 / Double(candidates.count) }, modelVersion: 0)
                return
            }
            calls += 1
            if defect == .unseeded {
                var other = SeededGenerator(seed: UInt64(calls) &* 7919 &+ UInt64(UnseededSource.next()))
                try base.decide(for: context, among: candidates, using: &other, into: &decision)
                _ = generator.next()
            } else {
                try base.decide(for: context, among: candidates, using: &generator, into: &decision)
            }
            if defect == .unnormalized { decision.probabilities[0] += 0.01 }
            if defect == .wrongPropensity, decision.probabilities.count > 1 {
                decision.probabilities.swapAt(0, 1)
                decision.probabilities[decision.position] = 1 - decision.probabilities.reduce(0, +) + decision.probabilities[decision.position]
            }
        }

        mutating func learn(from interaction: Interaction) throws(BanditsError) {
            if defect == .acceptsNaNReward, interaction.reward.isNaN { return }
            try base.learn(from: interaction)
        }

        func snapshot() throws(BanditsError) -> PolicySnapshot { try base.snapshot() }

        mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
            if defect == .forgetfulRestore {
                try snapshot.validate(kind: ContextualBandit<LinUCB, EpsilonGreedy>.kind, fingerprint: base.fingerprint)
                return
            }
            try base.restore(from: snapshot)
        }
    }

    /// A process-wide counter standing in for an unseeded source of randomness.
    enum UnseededSource {
        nonisolated(unsafe) static var counter = 0
        static func next() -> Int { counter += 1; return counter }
    }

    static func make(_ defect: Defect) throws -> Broken {
        try Broken(base: ContextualBandit(catalog: .numbered(4),
                                          scorer: LinUCB(actionCount: 4, contextDimension: 3, configuration: .init(alpha: 0.5)),
                                          explorer: EpsilonGreedy(epsilon: 0.2)),
                   defect: defect)
    }

    @Test(.serialized, arguments: Defect.allCases)
    func defectIsReported(defect: Defect) {
        let failures = PolicyConformance.check(makePolicy: { try Self.make(defect) })
        #expect(!failures.isEmpty, "\(defect) went unnoticed")
    }
}
