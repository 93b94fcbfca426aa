import Bandits
import Engine
import Foundation
import Server
import Synchronization

final class ManualClock: Sendable {
    private let time: Mutex<Double>
    init(_ start: Double = 1_000_000) { time = Mutex(start) }
    var now: Double { time.withLock { $0 } }
    func advance(by seconds: Double) { time.withLock { $0 += seconds } }
    var function: @Sendable () -> Double { { [self] in now } }
}

enum Support {
    static func policyJSON(id: String = "offers", window: Double = 10, epsilon: Double = 0.1) -> String {
        """
        {"format": "attune.policy/1", "id": "\(id)",
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}, {"id": "c", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "x", "default": 0}], "intercept": true},
         "algorithm": {"kind": "linucb", "alpha": 0.1, "ridge": 1},
         "explorer": {"kind": "epsilon_greedy", "epsilon": \(epsilon)},
         "reward": {"events": ["click"], "aggregation": "sum", "default_reward": 0, "window_seconds": \(window)}}
        """
    }

    static func specification(id: String = "offers", window: Double = 10, epsilon: Double = 0.1) throws -> PolicySpecification {
        try PolicySpecification(decoding: Data(policyJSON(id: id, window: window, epsilon: epsilon).utf8))
    }

    static func makeRouter(configuration: ServerConfiguration = .init(), clock: ManualClock = ManualClock(),
                           window: Double = 10) throws -> Router {
        let engine = try Engine(specifications: [specification(window: window)], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.01), clock: clock.function)
        return Router(engine: engine, configuration: configuration, clock: clock.function)
    }

    static func object(_ response: HTTPResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    static func errorCode(_ response: HTTPResponse) -> String? {
        ((try? object(response))?["error"] as? [String: Any])?["code"] as? String
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "attune-server-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
