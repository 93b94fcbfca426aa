import AttuneCore
import Bandits
import Engine
import Foundation
import Segmentation
import Server
import Testing

@Suite("POST /v1/events")
struct EventsRouteTests {
    static let start = 1_700_000_000

    static func lines(_ customer: String, purchases: Int, views: Int) -> [String] {
        (0..<purchases).map { #"{"customer_id":"\#(customer)","timestamp":\#(start + $0 * 86_400),"type":"purchase","value":150,"category":"shoes"}"# }
            + (0..<views).map { #"{"customer_id":"\#(customer)","timestamp":\#(start + $0 * 43_200 + 60),"channel":"app","type":"page_view"}"# }
    }

    /// Buyers and browsers, two segments, and a router whose policy learns per segment on `frequency`.
    static func makeRouter() throws -> Router {
        var parser = JSONLineParser()
        var table = ProfileTable()
        let training = (0..<5).flatMap { lines("buyer-\($0)", purchases: 7, views: 1) } + (0..<5).flatMap { lines("browser-\($0)", purchases: 0, views: 6 + $0) }
        for (i, line) in training.enumerated() { table.update(with: try parser.parse(line, line: i + 1)) }
        let schema = try table.makeSchema()
        let (_, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 3)
        let model = try SegmentationFitter(.init(k: 2, initializations: 2, bootstrapRuns: 0))
            .fit(raw: x, featureNames: schema.names, schema: schema, referenceTime: table.latestTimestamp, using: &rng)
        let spec = try PolicySpecification(decoding: Data("""
        {"format": "attune.policy/1", "id": "offers",
         "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer"}],
         "feature_schema": {"features": [{"name": "frequency", "default": 0}], "intercept": true},
         "segmentation": {"field": "segment", "count": 2, "strategy": "per_segment"},
         "algorithm": {"kind": "linucb", "alpha": 0.1, "ridge": 1},
         "reward": {"events": ["click"], "aggregation": "sum", "default_reward": 0, "window_seconds": 10}}
        """.utf8))
        let clock = ManualClock(Double(start + 6 * 86_400))
        let engine = try Engine(specifications: [spec], store: SQLiteEventStore(path: ":memory:"),
                                configuration: EngineConfiguration(tickSeconds: 0.01), customers: CustomerSegments(model: model),
                                clock: clock.function)
        return Router(engine: engine, clock: clock.function)
    }

    @Test func eventsSetTheSegmentLaterDecisionsUse() throws {
        let router = try Self.makeRouter()
        defer { router.engine.shutdown() }
        let buyer = Self.lines("new-buyer", purchases: 6, views: 0)
        let browser = Self.lines("new-browser", purchases: 0, views: 7)
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/events", body: (buyer + browser).joined(separator: "\n") + "\n"))
        #expect(response.status == 200)
        let body = try Support.object(response)
        #expect(body["accepted"] as? Int == buyer.count + browser.count)
        let events = try #require(body["events"] as? [[String: Any]])
        let buyerSegment = try #require(events[buyer.count - 1]["segment"] as? Int)
        let browserSegment = try #require(events.last?["segment"] as? Int)
        #expect(buyerSegment != browserSegment)
        #expect(events.last?["customer_id"] as? String == "new-browser")

        for (customer, segment) in [("new-buyer", buyerSegment), ("new-browser", browserSegment)] {
            let decision = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions",
                                                     body: #"{"customer_id": "\#(customer)", "context": {}}"#))
            #expect(decision.status == 200)
            #expect(try Support.object(decision)["segment"] as? Int == segment)
        }
        let segments = try Support.object(router.handle(HTTPRequest(method: "GET", path: "/v1/segments")))
        let live = try #require(segments["live"] as? [String: Any])
        #expect(live["count"] as? Int == 2 && live["events_ingested"] as? Int == buyer.count + browser.count)
        #expect((live["rules"] as? [String])?.count == 2)
        let metrics = router.handle(HTTPRequest(method: "GET", path: "/metrics")).text
        #expect(metrics.contains("attune_customer_events_total \(buyer.count + browser.count)\n"))
        #expect(metrics.contains("attune_http_requests_total{route=\"/v1/events\""))
    }

    @Test(arguments: [
        (#"{"customer_id": "c", "timestamp": 5, "type": "purchase", "value": "lots"}"#, "events[0].value"),
        ("{\"customer_id\": \"c\", \"timestamp\": 5, \"type\": \"click\"}\nnot json", "events[1]"),
        ("\n  \n", "events"),
    ])
    func malformedEventsAreRefusedWithTheirPlace(body: String, field: String) throws {
        let router = try Self.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/events", body: body))
        #expect(response.status == 400)
        #expect(Support.errorCode(response) == "invalid_event")
        let error = try #require(try Support.object(response)["error"] as? [String: Any])
        #expect(error["field"] as? String == field)
        // Nothing of the batch was applied, and the server keeps serving.
        #expect(router.engine.customers?.segment(of: "c") == nil)
        #expect(router.handle(HTTPRequest(method: "GET", path: "/healthz")).status == 200)
    }

    @Test func withoutASegmentModelEventsGetAConflictNamingTheSetting() throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/events", body: Self.lines("c", purchases: 1, views: 0)[0]))
        #expect(response.status == 409 && Support.errorCode(response) == "no_segment_model")
        let big = HTTPRequest(method: "POST", path: "/v1/events", body: String(repeating: " ", count: 70_000))
        #expect(router.handle(big).status == 413)
    }
}
