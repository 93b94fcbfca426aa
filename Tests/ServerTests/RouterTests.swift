import Engine
import Foundation
import Server
import Testing

@Suite("Router")
struct RouterTests {
    @Test func decideThenRewardThroughTheRouterAndTheMetricsCountThem() throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let decision = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions",
                                                 body: #"{"event_id": "e1", "context": {"x": 0.5}, "customer_id": "c1"}"#))
        #expect(decision.status == 200, "\(decision.text)")
        let body = try Support.object(decision)
        #expect(body["event_id"] as? String == "e1" && body["policy"] as? String == "offers")
        let probabilities = try #require(body["probabilities"] as? [[String: Any]])
        #expect(probabilities.count == 3)
        #expect(abs(probabilities.compactMap { $0["probability"] as? Double }.reduce(0, +) - 1) < 1e-12)
        let reward = router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", body: #"{"event_id": "e1", "reward": 1}"#))
        #expect(reward.status == 200 && reward.text == #"{"event_id":"e1","status":"joined"}"#)
        let again = router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", body: #"{"event_id": "e1", "reward": 1}"#))
        #expect(again.text.contains("duplicate"))

        let metrics = router.handle(HTTPRequest(method: "GET", path: "/metrics"))
        #expect(metrics.status == 200 && metrics.contentType.hasPrefix("text/plain"))
        let chosen = try #require(body["action_id"] as? String)
        for line in [
            #"attune_http_requests_total{route="/v1/decisions",status="200"} 1"#,
            #"attune_http_requests_total{route="/v1/rewards",status="200"} 2"#,
            #"attune_decisions_total{policy="offers",action="\#(chosen)"} 1"#,
            "attune_rewards_joined_total 1", "attune_rewards_duplicate_total 1", "attune_pending_decisions 1",
            #"attune_http_request_duration_seconds_count{route="/v1/decisions"} 1"#,
        ] {
            #expect(metrics.text.contains(line + "\n"), "missing \(line)")
        }
    }

    @Test(arguments: [
        ("{", 400, "invalid_json"),
        ("", 400, "invalid_json"),
        (#"{"context": {"x": NaN}}"#, 400, "invalid_json"),
        (#"{"context": "x"}"#, 400, "invalid_json"),
        (#"{"contxt": {"x": 1}}"#, 400, "unknown_field"),
        (#"{"context": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}"#, 400, "too_deep"),
        (#"{"context": [1, 2, 3]}"#, 422, "dimension_mismatch"),
        (#"{"context": {"y": 1}}"#, 422, "invalid_field"),
        (#"{"context": {"x": 1e308}, "actions": [{"id": "zz"}]}"#, 422, "unknown_action"),
        (#"{"context": {}, "excluded_actions": ["a", "b", "c"]}"#, 422, "no_eligible_action"),
        (#"{"context": {}, "policy": "nope"}"#, 404, "unknown_policy"),
        (#"{"context": {}, "event_id": ""}"#, 422, "invalid_field"),
    ])
    func badDecisionBodiesAreClientErrorsAndTheRouterKeepsServing(body: String, status: Int, code: String) throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: body))
        #expect(response.status == status, "\(response.text)")
        #expect(Support.errorCode(response) == code, "\(response.text)")
        let ok = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}}"#))
        #expect(ok.status == 200)
    }

    @Test func oversizedBodiesDuplicateEventsUnknownRoutesAndMethods() throws {
        let router = try Support.makeRouter(configuration: ServerConfiguration(maxBodyBytes: 100))
        defer { router.engine.shutdown() }
        let big = #"{"context": {"x": 1}, "customer_id": "\#(String(repeating: "z", count: 200))"}"#
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: big)).status == 413)
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", isBodyTooLarge: true)).status == 413)
        let body = #"{"context": {"x": 1}, "event_id": "same"}"#
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: body)).status == 200)
        let duplicate = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: body))
        #expect(duplicate.status == 409 && Support.errorCode(duplicate) == "duplicate_event")
        let unknown = router.handle(HTTPRequest(method: "POST", path: "/v1/rewards", body: #"{"event_id": "ghost", "reward": 1}"#))
        #expect(unknown.status == 404 && Support.errorCode(unknown) == "unknown_event")
        #expect(router.handle(HTTPRequest(method: "GET", path: "/v2/nothing")).status == 404)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/v1/decisions")).status == 405)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/healthz")).text == #"{"status":"ok"}"#)
        let ready = try Support.object(router.handle(HTTPRequest(method: "GET", path: "/readyz")))
        #expect(ready["status"] as? String == "ready")
        let policies = try Support.object(router.handle(HTTPRequest(method: "GET", path: "/v1/policies")))
        let first = try #require((policies["policies"] as? [[String: Any]])?.first)
        #expect(first["id"] as? String == "offers" && first["actions"] as? [String] == ["a", "b", "c"])
        #expect(first["context_dimension"] as? Int == 2)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/v1/segments")).text == #"{"segmentations":[]}"#)
    }

    @Test func apiKeysAreRequiredWithTheRightScope() throws {
        let keys = APIKeys([APIKey(name: "campaigns", key: "decide-key-0123456789", scopes: [.decide]),
                            APIKey(name: "ops", key: "admin-key-0123456789ab", scopes: [.admin, .reward])])
        let router = try Support.makeRouter(configuration: ServerConfiguration(apiKeys: keys))
        defer { router.engine.shutdown() }
        let body = #"{"context": {"x": 1}}"#
        let cases: [(String?, String, Int, String?)] = [
            (nil, "/v1/decisions", 401, "missing_api_key"),
            ("Bearer wrong-key-0123456789", "/v1/decisions", 401, "invalid_api_key"),
            ("decide-key-0123456789", "/v1/decisions", 401, "invalid_api_key"),   // no "Bearer "
            ("Bearer decide-key-012345678", "/v1/decisions", 401, "invalid_api_key"),  // a prefix of the key
            ("Bearer admin-key-0123456789ab", "/v1/decisions", 403, "insufficient_scope"),
            ("Bearer decide-key-0123456789", "/v1/decisions", 200, nil),
        ]
        for (authorization, path, status, code) in cases {
            let response = router.handle(HTTPRequest(method: "POST", path: path, authorization: authorization, body: Array(body.utf8)))
            #expect(response.status == status, "\(String(describing: authorization)): \(response.text)")
            #expect(Support.errorCode(response) == code)
        }
        #expect(router.handle(HTTPRequest(method: "GET", path: "/metrics", authorization: "Bearer decide-key-0123456789")).status == 403)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/metrics", authorization: "Bearer admin-key-0123456789ab")).status == 200)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/healthz")).status == 200)
    }

    @Test func rateLimitingRefusesBeyondTheBurstAndRefills() throws {
        let clock = ManualClock()
        let router = try Support.makeRouter(configuration: ServerConfiguration(rateLimitPerSecond: 2, rateLimitBurst: 3), clock: clock)
        defer { router.engine.shutdown() }
        let request = HTTPRequest(method: "GET", path: "/v1/policies")
        #expect((0..<5).map { _ in router.handle(request).status } == [200, 200, 200, 429, 429])
        clock.advance(by: 1)
        #expect((0..<3).map { _ in router.handle(request).status } == [200, 200, 429])
    }

    @Test func theOpenAPIDocumentIsJSONAndDescribesEveryRouteTheRouterServes() throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "GET", path: "/openapi.json"))
        let document = try Support.object(response)
        #expect(document["openapi"] as? String == "3.0.3")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == Set(OpenAPIDocument.routes.map(\.path)))
        for (method, path) in OpenAPIDocument.routes {
            #expect(paths[path]?[method] != nil, "\(method) \(path) undocumented")
            let body = path.hasSuffix("kill-switch") ? #"{"enabled": false}"# : "{}"
            let served = router.handle(HTTPRequest(method: method.uppercased(), path: path.replacingOccurrences(of: "{id}", with: "offers"), body: body))
            #expect(served.status != 404 && served.status != 405, "\(method) \(path) not served")
        }
        // Every status the decisions route can produce is documented.
        let decisionStatuses = try #require((paths["/v1/decisions"]?["post"] as? [String: Any])?["responses"] as? [String: Any])
        for status in ["200", "400", "401", "403", "404", "409", "413", "422", "429", "503"] {
            #expect(decisionStatuses[status] != nil, "status \(status) undocumented")
        }
    }

    @Test func theKillSwitchServesTheFallbackActionWithProbabilityOneAndIsReported() throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let on = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/kill-switch", body: #"{"enabled": true, "action": "c"}"#))
        #expect(on.status == 200 && on.text == #"{"policy":"offers","kill_switch":"c"}"#, "\(on.text)")
        for _ in 0..<5 {
            let decision = try Support.object(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}}"#)))
            #expect(decision["action_id"] as? String == "c")
            let probabilities = try #require(decision["probabilities"] as? [[String: Any]])
            #expect(probabilities.first { $0["id"] as? String == "c" }?["probability"] as? Double == 1)
        }
        // Excluded fallback: the first allowed candidate is served.
        let excluded = try Support.object(router.handle(HTTPRequest(method: "POST", path: "/v1/decisions",
                                                                   body: #"{"context": {"x": 1}, "excluded_actions": ["c", "a"]}"#)))
        #expect(excluded["action_id"] as? String == "b")
        let listed = try Support.object(router.handle(HTTPRequest(method: "GET", path: "/v1/policies")))
        #expect((listed["policies"] as? [[String: Any]])?.first?["kill_switch"] as? String == "c")
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/kill-switch", body: #"{"enabled": true, "action": "zz"}"#)).status == 422)
        #expect(router.handle(HTTPRequest(method: "POST", path: "/v1/policies/nope/kill-switch", body: #"{"enabled": false}"#)).status == 404)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/v1/policies/offers/kill-switch")).status == 405)
        let off = router.handle(HTTPRequest(method: "POST", path: "/v1/policies/offers/kill-switch", body: #"{"enabled": false}"#))
        #expect(off.text == #"{"policy":"offers","kill_switch":null}"# && router.engine.killSwitches.isEmpty)
    }
}
