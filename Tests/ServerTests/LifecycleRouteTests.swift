import Engine
import Foundation
import Server
import Testing

@Suite("Policy reload and rollback over HTTP")
struct LifecycleRouteTests {
    @Test func reloadRefusesAnInvalidFileKeepsServingAndRollsBack() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/offers.json"
        try Support.policyJSON(epsilon: 0.1).write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = ServerConfiguration()
        configuration.policyFiles = ["offers": path]
        let engine = try Engine(specifications: [Support.specification(epsilon: 0.1)], store: SQLiteEventStore(path: ":memory:"))
        let router = Router(engine: engine, configuration: configuration)
        defer { engine.shutdown() }
        let v1 = engine.specifications[0].fingerprint

        // A typo in the file: refused with the key named, the old version keeps serving.
        try Support.policyJSON(epsilon: 0.1).replacingOccurrences(of: "\"explorer\"", with: "\"explorr\"")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let refused = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/reload"))
        #expect(refused.status == 422 && Support.errorCode(refused) == "invalid_policy")
        #expect(refused.text.contains("explorr"))
        #expect(engine.specifications[0].fingerprint == v1)
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}}"#)).status == 200)

        try Support.policyJSON(epsilon: 0.1).write(toFile: path, atomically: true, encoding: .utf8)
        let unchanged = try Support.object(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/reload")))
        #expect(unchanged["status"] as? String == "unchanged" && unchanged["earlier_versions"] as? Int == 0)

        try Support.policyJSON(epsilon: 0.3).write(toFile: path, atomically: true, encoding: .utf8)
        let reloaded = try Support.object(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/reload", body: "{}")))
        #expect(reloaded["status"] as? String == "reloaded" && reloaded["previous_fingerprint"] as? String == v1)
        let v2 = try Support.specification(epsilon: 0.3).fingerprint
        #expect(reloaded["fingerprint"] as? String == v2 && engine.specifications[0].fingerprint == v2)

        let rolled = try Support.object(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/rollback")))
        #expect(rolled["status"] as? String == "rolled_back" && rolled["fingerprint"] as? String == v1)
        #expect(engine.specifications[0].fingerprint == v1)
        let again = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/rollback"))
        #expect(again.status == 409 && Support.errorCode(again) == "no_earlier_version")
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/nope/reload")).status == 404)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/v1/policies/offers/reload")).status == 405)
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/reload", body: #"{"x": 1}"#)).status == 400)
    }

    @Test func reloadOfAPrebuiltModelAsksForARestartAndThePolicyListGivesItsFamily() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/offers.json"
        try Support.policyJSON(epsilon: 0.3).write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = ServerConfiguration()
        // Even with a readable file of the API's format, a prebuilt model is never rebuilt from it.
        configuration.policyFiles = ["offers": path]
        let served = try Support.specification(epsilon: 0.1)
        configuration.prebuiltModels = ["offers": .init(file: path, algorithm: "softmax_policy_gradient", fingerprint: served.fingerprint)]
        let engine = try Engine(specifications: [served], store: SQLiteEventStore(path: ":memory:"))
        let router = Router(engine: engine, configuration: configuration)
        defer { engine.shutdown() }
        let v1 = engine.specifications[0].fingerprint

        let refused = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/reload"))
        #expect(refused.status == 409 && Support.errorCode(refused) == "restart_required")
        #expect(refused.text.contains("restart the server") && refused.text.contains("offers.json"), "\(refused.text)")
        #expect(engine.specifications[0].fingerprint == v1)
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}}"#)).status == 200)

        let listed = try Support.object(router.handle(HTTPRequest(method: "GET", path: "/v1/policies")))
        let policy = try #require((listed["policies"] as? [[String: Any]])?.first)
        #expect(policy["algorithm"] as? String == "softmax_policy_gradient")
        #expect(policy["explorer"] is NSNull)

        // A record of another version (not the one serving) is not this model: the policy is
        // described by its specification and reloads from its file.
        var stale = configuration
        stale.prebuiltModels["offers"]?.fingerprint = "another-version"
        let other = Router(engine: engine, configuration: stale)
        let plain = try Support.object(other.handle(HTTPRequest(method: "GET", path: "/v1/policies")))
        let described = try #require((plain["policies"] as? [[String: Any]])?.first)
        #expect(described["algorithm"] as? String == "linucb" && described["explorer"] as? String == "epsilon_greedy")
        let reloaded = try Support.object(other.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/reload")))
        #expect(reloaded["status"] as? String == "reloaded", "\(reloaded)")
    }
}
