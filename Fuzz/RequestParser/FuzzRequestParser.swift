import AttuneCore
import Bandits
import Engine
import Foundation
import Segmentation
import Server

/// libFuzzer entry point: the first byte of the input picks a route, the rest is the request
/// body, handled by a `Router` over a live engine (two policies, one with slots and segments,
/// live customer segmentation, an in-memory store).
///
/// Beyond the sanitizers' own checks, every reply must be a JSON object with a status in
/// 200…599; an error reply must carry `error.code`; a decision must name an action among its
/// probabilities, which must sum to 1. A violation aborts, which libFuzzer reports as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0, let router = FuzzTarget.router else { return 0 }
    let route = FuzzTarget.routes[Int(data[0]) % FuzzTarget.routes.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let response = router.handle(HTTPRequest(method: "POST", path: route, body: body))
    FuzzTarget.check(response, route: route)
    return 0
}

enum FuzzTarget {
    static let routes = ["/v1/decisions", "/v1/rewards", "/v1/events", "/v1/policies/offers/kill-switch",
                         "/v1/policies/content/candidates", "/v1/policies/offers/reload"]

    /// Built once per process; `nil` (every input ignored) only if the fixtures fail to build.
    static let router: Router? = {
        do {
            var configuration = EngineConfiguration(tickSeconds: 0.01)
            configuration.maxOpenWindows = 20_000
            let customers = try CustomerSegments(model: segmentModel(), limits: CustomerSegments.Limits(maxCustomers: 10_000, idleSeconds: 3600))
            let engine = try Engine(specifications: [specification(offers), specification(content)], store: MemoryEventStore(),
                                    configuration: configuration, customers: customers)
            return Router(engine: engine)
        } catch {
            FileHandle.standardError.write(Data("fuzz target setup failed: \(error)\n".utf8))
            return nil
        }
    }()

    static func check(_ response: HTTPResponse, route: String) {
        guard (200...599).contains(response.status) else { fail("status \(response.status) from \(route)") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            fail("\(route) replied with a body that is not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
        }
        if response.status >= 400 {
            guard let error = object["error"] as? [String: Any], error["code"] is String, error["message"] is String else {
                fail("\(route) replied \(response.status) without error.code and error.message")
            }
        }
        if route == "/v1/decisions", response.status == 200 {
            guard let action = object["action_id"] as? String, let probabilities = object["probabilities"] as? [[String: Any]] else {
                fail("a decision without action_id or probabilities")
            }
            let ids = probabilities.compactMap { $0["id"] as? String }
            let sum = probabilities.compactMap { $0["probability"] as? Double }.reduce(0, +)
            guard ids.contains(action), ids.count == probabilities.count, abs(sum - 1) < 1e-6 else {
                fail("decision \(action) with probabilities \(probabilities) (sum \(sum))")
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("fuzz invariant violated: \(message)\n".utf8))
        abort()
    }

    static let offers = """
    {"format": "attune.policy/1", "id": "offers",
     "catalog": [{"id": "a", "kind": "offer"}, {"id": "b", "kind": "offer", "eligibility": {"rules": [{"feature": "x", "min": 0}]}},
                 {"id": "c", "kind": "offer", "cost": 2}],
     "feature_schema": {"features": [{"name": "x", "default": 0}, {"name": "frequency", "center": 1, "scale": 2}], "intercept": true},
     "algorithm": {"kind": "linucb", "alpha": 0.5, "ridge": 1},
     "explorer": {"kind": "epsilon_greedy", "epsilon": 0.1},
     "constraints": {"frequency_caps": [{"actions": ["c"], "max_exposures": 2, "period_seconds": 60}]},
     "reward": {"events": ["click"], "aggregation": "max", "default_reward": 0, "window_seconds": 5}}
    """

    static let content = """
    {"format": "attune.policy/1", "id": "content",
     "catalog": [{"id": "h1", "kind": "content"}, {"id": "h2", "kind": "content"}, {"id": "h3", "kind": "content"}, {"id": "h4", "kind": "content"}],
     "feature_schema": {"features": [{"name": "depth", "default": 1}], "intercept": true},
     "segmentation": {"field": "segment", "count": 2, "strategy": "per_segment"},
     "algorithm": {"kind": "linucb", "alpha": 0.5, "ridge": 1},
     "explorer": {"kind": "softmax", "temperature": 0.5},
     "reward": {"events": ["click"], "aggregation": "sum", "default_reward": 0, "window_seconds": 5},
     "slots": {"count": 2}}
    """

    static func specification(_ json: String) throws -> PolicySpecification {
        try PolicySpecification(decoding: Data(json.utf8))
    }

    /// Two segments (spenders, browsers) fitted on synthetic events.
    static func segmentModel() throws -> SegmentationModel {
        var lines: [String] = []
        for c in 0..<20 {
            let spender = c % 2 == 0
            for k in 0..<(spender ? 6 : 1) {
                lines.append(#"{"customer_id":"t\#(c)","timestamp":\#(1_700_000_000 + k * 86_400),"channel":"web","type":"purchase","value":\#(spender ? 150 : 15)}"#)
            }
            for k in 0..<(spender ? 2 : 9) {
                lines.append(#"{"customer_id":"t\#(c)","timestamp":\#(1_700_000_600 + k * 43_200),"channel":"app","type":"page_view","duration_s":20}"#)
            }
        }
        var parser = JSONLineParser()
        var table = ProfileTable()
        for (i, line) in lines.enumerated() { table.update(with: try parser.parse(line, line: i + 1)) }
        let schema = try table.makeSchema()
        let (_, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 11)
        return try SegmentationFitter(.init(k: 2, initializations: 2, bootstrapRuns: 0))
            .fit(raw: x, featureNames: schema.names, schema: schema, referenceTime: table.latestTimestamp, using: &rng)
    }
}

// MARK: - Entry point

/// libFuzzer's driver, for builds whose entry point is the module's own (SwiftPM's debug
/// executables): it parses libFuzzer's flags and calls the entry below for each input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzRequestParser_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzRequest(data, size) }
}
