import AttuneCore
import Bandits
import Foundation
import Testing

@Suite("Snapshots")
struct SnapshotTests {
    static func trained() throws -> ContextualBandit<LinUCB, OptimisticArgmax> {
        var policy = try ContextualBandit(catalog: .numbered(3),
                                          scorer: LinUCB(actionCount: 3, contextDimension: 4, configuration: .init(alpha: 0.4, forgetting: 0.95)),
                                          explorer: OptimisticArgmax())
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<50 {
            let context = Context(features: (0..<4).map { _ in rng.nextStandardNormal() / 3 })
            let decision = try policy.decide(for: context, among: [0, 1, 2], using: &rng)
            try policy.learn(from: Interaction(context: context, decision: decision, reward: rng.nextStandardNormal()))
        }
        return policy
    }

    @Test func restoredStateIsBitIdentical() throws {
        let original = try Self.trained()
        let bytes = try original.snapshot().encoded()
        var restored = try ContextualBandit(catalog: .numbered(3),
                                            scorer: LinUCB(actionCount: 3, contextDimension: 4, configuration: .init(alpha: 0.4, forgetting: 0.95)),
                                            explorer: OptimisticArgmax())
        try restored.restore(from: PolicySnapshot(decoding: bytes))
        #expect(restored.scorer == original.scorer)   // every Double, bit for bit
        #expect(restored.modelVersion == 50)
        let json = try #require(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        #expect(json["format"] as? String == "attune.snapshot/1")
        #expect((json["checksum"] as? String)?.count == 16)
        #expect(json["kind"] as? String == "linucb+optimistic_argmax")
        #expect(json["model_version"] as? Int == 50)
    }

    @Test func damagedBytesAreRefusedWithTypedErrors() throws {
        let bytes = try Self.trained().snapshot().encoded()
        #expect(throws: BanditsError.self) { try PolicySnapshot(decoding: bytes.prefix(bytes.count / 2)) }
        var policy = try Self.trained()
        var snapshot = try PolicySnapshot(decoding: bytes)
        snapshot.checksum = "0000000000000000"
        #expect(throws: BanditsError.corruptSnapshot(reason: "checksum mismatch")) { try policy.restore(from: snapshot) }
    }

    /// A model that takes another's work buffers (as a published update takes the serving
    /// model's) decides exactly as it would have, and the donor's state is untouched.
    @Test func adoptedWorkBuffersChangeNoDecision() throws {
        let trained = try Self.trained()
        var donor = try ContextualBandit(catalog: .numbered(3),
                                         scorer: LinUCB(actionCount: 3, contextDimension: 4, configuration: .init(alpha: 0.4, forgetting: 0.95)),
                                         explorer: OptimisticArgmax())
        var warm = SeededGenerator(seed: 9)
        _ = try donor.decide(for: Context(features: [5, -5, 5, -5]), among: [2, 0, 1], using: &warm)  // fills its buffers
        var adopting = trained
        adopting.adoptWorkBuffers(from: donor)
        let otherType = try ContextualBandit(catalog: .numbered(3), scorer: LinUCB(actionCount: 3, contextDimension: 4, configuration: .init(alpha: 1)),
                                             explorer: EpsilonGreedy(epsilon: 0.5))
        adopting.adoptWorkBuffers(from: otherType)  // another type: nothing moves
        var reference = trained
        var a = SeededGenerator(seed: 4), b = SeededGenerator(seed: 4)
        for i in 0..<20 {
            let context = Context(features: (0..<4).map { _ in a.nextStandardNormal() / 3 })
            _ = b.nextStandardNormal(); _ = b.nextStandardNormal(); _ = b.nextStandardNormal(); _ = b.nextStandardNormal()
            let candidates = i.isMultiple(of: 2) ? [0, 1, 2] : [2, 1]
            #expect(try adopting.decide(for: context, among: candidates, using: &a) == reference.decide(for: context, among: candidates, using: &b))
        }
        #expect(adopting.scorer == trained.scorer)
        #expect(donor.modelVersion == 0)
    }

    @Test func fnv1aMatchesReferenceValues() {
        // Published FNV-1a 64 test vectors.
        #expect(PolicySnapshot.fnv1a64(Data()) == "cbf29ce484222325")
        #expect(PolicySnapshot.fnv1a64(Data("a".utf8)) == "af63dc4c8601ec8c")
        #expect(PolicySnapshot.fnv1a64(Data("foobar".utf8)) == "85944171f73967e8")
    }
}

