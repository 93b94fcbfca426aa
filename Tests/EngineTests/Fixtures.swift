import Bandits
import Engine
import Foundation
import Synchronization

/// A clock the test moves by hand (seconds since 1970).
final class ManualClock: Sendable {
    private let time: Mutex<Double>
    init(_ start: Double = 1_000_000) { time = Mutex(start) }
    var now: Double { time.withLock { $0 } }
    func advance(by seconds: Double) { time.withLock { $0 += seconds } }
    var function: @Sendable () -> Double { { [self] in now } }
}

enum Fixtures {
    /// Three actions, one named feature plus intercept, LinUCB with ε-greedy exploration.
    static func specification(id: String = "test", window: Double = 10, aggregation: String = "sum",
                              epsilon: Double = 0.1, defaultReward: Double = 0) throws -> PolicySpecification {
        let json = """
        {"format": "attune.policy/1", "id": "\(id)",
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}, {"id": "c", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "x", "default": 0}], "intercept": true},
         "algorithm": {"kind": "linucb", "alpha": 0.1, "ridge": 1},
         "explorer": {"kind": "epsilon_greedy", "epsilon": \(epsilon)},
         "reward": {"events": ["click"], "aggregation": "\(aggregation)", "default_reward": \(defaultReward), "window_seconds": \(window)}}
        """
        return try PolicySpecification(decoding: Data(json.utf8))
    }

    static func decisionRecord(_ eventID: String, policy: String = "test", timestamp: Double = 0, sequence: Int64 = 0) -> DecisionRecord {
        DecisionRecord(sequence: sequence, eventID: eventID, policyID: policy, timestamp: timestamp, customerID: "c",
                       segment: 1, context: [0.5, -0.0, 1e-300], candidates: [0, 2], candidateIDs: ["a", "c"], position: 1,
                       probabilities: [0.25, 0.75], modelVersion: 3)
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "attune-engine-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
