import AttuneCore
import Bandits
@testable import Engine
import Foundation
import PolicyGradient
import Testing

/// The engine serves a trained policy-gradient file: decisions from its softmax, logged with
/// the exact propensity, rewards joined, the model left as trained.
@Suite("Policy-gradient serving")
struct PolicyGradientServingTests {
    /// A trained linear softmax over three offers, one named feature plus the intercept.
    static func file(parameters: [Double] = [2, 0.5, -1, 0, 0, 1]) throws -> PolicyGradientSpecification {
        let json = """
        {"format": "attune.policy-gradient/1", "id": "pg", "policy": {"kind": "softmax", "scorer": {"kind": "linear", "parameters": \(parameters)}},
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}, {"id": "c", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "x", "default": 0}], "intercept": true},
         "reward": {"events": ["purchase"], "value": "margin", "default_reward": 0, "window_seconds": 5},
         "objective": {"discount_per_week": 0.99, "horizon_weeks": 26}, "learner": {"algorithm": "ppo"}}
        """
        return try PolicyGradientSpecification(decoding: Data(json.utf8))
    }

    static func makeEngine(_ file: PolicyGradientSpecification, mode: PolicyMode = PolicyMode(.logging), clock: ManualClock,
                           store: any EventStore, directory: String? = nil) throws -> Engine {
        try Engine(specifications: [file.servingSpecification()], store: store,
                   configuration: EngineConfiguration(dataDirectory: directory, checkpointEveryInteractions: 1_000_000,
                                                      checkpointIntervalSeconds: 1e9, tickSeconds: 0.01, modes: ["pg": mode]),
                   models: ["pg": try file.makeServingPolicy()], clock: clock.function)
    }

    @Test func decisionsFollowTheTrainedSoftmaxAndLogItsExactPropensity() throws {
        let file = try Self.file()
        let clock = ManualClock()
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try Self.makeEngine(file, clock: clock, store: store)
        defer { engine.shutdown() }
        let reference = try file.makePolicy()
        var counts: [String: Int] = [:]
        let n = 400
        for i in 0..<n {
            let reply = try engine.decide(DecisionRequest(eventID: "e\(i)", context: .named(["x": 0.7]), actions: [.init(id: "a"), .init(id: "c")]))
            // The distribution over the request's candidates is the file's softmax restricted to them.
            let expected = try reference.distribution(for: Context(features: [0.7, 1]), among: [0, 2]).probabilities
            #expect(reply.probabilities.map(\.id) == ["a", "c"])
            for (p, q) in zip(reply.probabilities.map(\.probability), expected) { #expect(abs(p - q) < 1e-12) }
            let logged = try #require(try store.decision(eventID: reply.eventID))
            #expect(logged.propensity == reply.probabilities.first { $0.id == reply.actionID }?.probability)
            counts[reply.actionID, default: 0] += 1
            _ = try engine.reward(RewardRequest(eventID: reply.eventID, reward: 1))
        }
        // Sampled from that distribution: the share of "a" is within 4 standard errors.
        let pa = try reference.distribution(for: Context(features: [0.7, 1]), among: [0, 2]).probabilities[0]
        let share = Double(counts["a", default: 0]) / Double(n)
        #expect(abs(share - pa) < 4 * (pa * (1 - pa) / Double(n)).squareRoot(), "share \(share), p \(pa)")
        clock.advance(by: 6)
        engine.closeDueWindows()
        engine.waitUntilLearned()
        // Rewards were joined, and the model is still the file's.
        #expect(engine.statistics.joiner.closedDecisions == n && engine.statistics.learned == 0)
        let served = try #require(engine.model(of: "pg"))
        #expect(served.modelVersion == 0)
        #expect(try served.snapshot().payload == reference.snapshot().payload)
    }

    @Test func aModelThatDoesNotMatchItsSpecificationIsRefused() throws {
        let file = try Self.file()
        var other = try Self.file().servingSpecification()
        other.catalog.swapAt(0, 1)
        #expect(throws: EngineError.self) {
            _ = try Engine(specifications: [other], store: SQLiteEventStore(path: ":memory:"), models: ["pg": try file.makeServingPolicy()])
        }
        #expect(throws: EngineError.self) {
            _ = try Engine(specifications: [try file.servingSpecification()], store: SQLiteEventStore(path: ":memory:"),
                           models: ["nope": try file.makeServingPolicy()])
        }
    }

    @Test func aRetrainedFileDoesNotRestoreTheOldCheckpoint() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        do {
            let engine = try Self.makeEngine(Self.file(), mode: .online, clock: clock, store: SQLiteEventStore(path: directory + "/e.sqlite"), directory: directory)
            _ = try engine.decide(DecisionRequest(eventID: "e0", context: .named(["x": 0.1])))
            engine.shutdown()
        }
        let retrained = try Self.file(parameters: [-1, 0, 3, 0.5, 0, 0])
        let engine = try Self.makeEngine(retrained, mode: .online, clock: clock, store: SQLiteEventStore(path: directory + "/e.sqlite"), directory: directory)
        defer { engine.shutdown() }
        // The checkpoint of the old file exists and is refused: the retrained parameters serve.
        #expect(engine.recovery.discardedModels.count == 1, "\(engine.recovery)")
        let served = try #require(engine.model(of: "pg"))
        #expect(try served.snapshot().payload == retrained.makePolicy().snapshot().payload)
    }

    /// A Gaussian price file over four price points, mean 20 + 5·x, σ = e^0.5.
    static func gaussianFile() throws -> PolicyGradientSpecification {
        let json = """
        {"format": "attune.policy-gradient/1", "id": "price", "policy": {"kind": "gaussian_price", "guardrails": {"low": 10, "high": 40},
          "mean_weights": [5, 20], "log_std": 0.5},
         "catalog": [{"id": "p15", "kind": "price", "price": 15}, {"id": "p20", "kind": "price", "price": 20},
                     {"id": "p25", "kind": "price", "price": 25}, {"id": "p30", "kind": "price", "price": 30}],
         "feature_schema": {"features": [{"name": "x", "default": 0}], "intercept": true},
         "reward": {"events": ["purchase"], "value": "margin", "default_reward": 0, "window_seconds": 5},
         "objective": {"discount_per_week": 1, "horizon_weeks": 1}, "learner": {"algorithm": "reinforce"}}
        """
        return try PolicyGradientSpecification(decoding: Data(json.utf8))
    }

    @Test func aGaussianPriceFileIsServedOverItsPricePoints() throws {
        let file = try Self.gaussianFile()
        #expect(file.servedAlgorithm == "gaussian_price_policy_gradient")
        let store = try SQLiteEventStore(path: ":memory:")
        let engine = try Engine(specifications: [file.servingSpecification()], store: store,
                                configuration: EngineConfiguration(modes: ["price": PolicyMode(.logging)]),
                                models: ["price": try file.makeServingPolicy()])
        defer { engine.shutdown() }
        let reply = try engine.decide(DecisionRequest(policy: "price", eventID: "e1", context: .named(["x": 1])))
        // Mean 25: the bins are cut at the midpoints 17.5, 22.5, 27.5, the tails folded into the end bins.
        let sigma = exp(0.5)
        func cdf(_ v: Double) -> Double { 0.5 * erfc(-(v - 25) / (sigma * 2.0.squareRoot())) }
        let expected = [cdf(17.5), cdf(22.5) - cdf(17.5), cdf(27.5) - cdf(22.5), 1 - cdf(27.5)]
        #expect(reply.probabilities.map(\.id) == ["p15", "p20", "p25", "p30"])
        for (p, q) in zip(reply.probabilities.map(\.probability), expected) { #expect(abs(p - q) < 1e-9, "\(p) vs \(q)") }
        let logged = try #require(try store.decision(eventID: "e1"))
        #expect(logged.propensity == reply.probabilities.first { $0.id == reply.actionID }?.probability)
    }

    @Test func aPolicyGradientFileWithoutACatalogHasNoServingView() throws {
        let json = """
        {"format": "attune.policy-gradient/1", "id": "price", "policy": {"kind": "gaussian_price", "guardrails": {"low": 10, "high": 40},
          "mean_weights": [5, 20], "log_std": 0.5},
         "feature_schema": {"features": [{"name": "x", "default": 0}], "intercept": true},
         "reward": {"events": ["purchase"], "value": "margin", "default_reward": 0, "window_seconds": 5},
         "objective": {"discount_per_week": 1, "horizon_weeks": 1}, "learner": {"algorithm": "reinforce"}}
        """
        let file = try PolicyGradientSpecification(decoding: Data(json.utf8))
        #expect(throws: PolicyGradientError.self) { _ = try file.servingSpecification() }
    }

    @Test func aPolicyServedFromItsFileIsNotReplacedByACandidate() throws {
        let file = try Self.file()
        let engine = try Self.makeEngine(file, clock: ManualClock(), store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        #expect(engine.prebuiltPolicyIDs == ["pg"])
        var candidate = try file.servingSpecification()
        candidate.description = "a bandit in the policy-gradient policy's place"
        do {
            _ = try engine.promote(candidate, dryRun: true)
            Issue.record("a candidate replaced a prebuilt model")
        } catch {
            guard case .invalidField(let field, let reason) = error else { throw error }
            #expect(field == "id" && reason.contains("restart"), "\(reason)")
        }
    }

    @Test func versionsRecordedForAPrebuiltPolicyAreSetAsideAtStart() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try Self.file().servingSpecification()
        var other = file
        other.description = "an earlier bandit version"
        var versions = PolicyVersions()
        versions.policies["pg"] = .init(fileFingerprint: file.fingerprint, served: other, earlier: [.init(specification: file, model: nil)])
        try versions.write(toDirectory: directory)
        // Without a prebuilt model the recorded version serves; with one, the file's version does.
        let plain = try Engine.recordedVersions(files: [file], directory: directory)
        #expect(plain.served.map(\.fingerprint) == [other.fingerprint] && plain.kept["pg"] != nil)
        let prebuilt = try Engine.recordedVersions(files: [file], directory: directory, prebuilt: ["pg"])
        #expect(prebuilt.served.map(\.fingerprint) == [file.fingerprint] && prebuilt.kept["pg"] == nil)
        #expect(prebuilt.notes.contains { $0.contains("set aside") })
    }
}
