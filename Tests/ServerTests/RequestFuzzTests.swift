import AttuneCore
import Foundation
import Server
import Testing

/// Seeded mutations of valid requests through the router: every reply is a known status with a
/// JSON body, errors carry the `{"error": {"code", "message"}}` shape, and the router keeps
/// serving valid requests afterwards.
@Suite("Request fuzzing")
struct RequestFuzzTests {
    static let seeds: [String] = [
        #"{"event_id": "f1", "customer_id": "c", "context": {"x": 0.25}, "actions": [{"id": "a"}, {"id": "b"}], "excluded_actions": ["c"]}"#,
        #"{"context": [0.5, 1], "segment": 0, "policy": "offers"}"#,
        #"{"event_id": "f1", "reward": 1.5, "reward_id": "r"}"#,
    ]
    static let alphabet = Array(#"{}[]:,"\ 0123456789.eE-+truefalsnNaI\u{0}"#.utf8) + [0xC3, 0xA9, 0xFF]

    @Test func mutatedBodiesAlwaysGetAWellFormedReply() throws {
        let router = try Support.makeRouter(configuration: ServerConfiguration(maxBodyBytes: 512))
        defer { router.engine.shutdown() }
        var generator = SeededGenerator(seed: 2026)
        let allowed: Set<Int> = [200, 400, 404, 409, 413, 422]
        var statuses: [Int: Int] = [:]
        for i in 0..<1_500 {
            var body = Array(Self.seeds[i % Self.seeds.count].utf8)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = body.isEmpty ? 0 : Int(generator.next() % UInt64(body.count))
                switch generator.next() % 4 {
                case 0 where !body.isEmpty: body.remove(at: position)
                case 1: body.insert(Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))], at: position)
                case 2 where !body.isEmpty: body[position] = Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))]
                default: body.insert(contentsOf: body.prefix(Int(generator.next() % 40)), at: position)
                }
            }
            let path = i % Self.seeds.count == 2 ? "/v1/rewards" : "/v1/decisions"
            let response = router.handle(HTTPRequest(method: "POST", path: path, body: body))
            statuses[response.status, default: 0] += 1
            #expect(allowed.contains(response.status), "\(response.status) for \(String(decoding: body, as: UTF8.self))")
            let parsed = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect(parsed != nil, "reply is not a JSON object: \(response.text)")
            if response.status != 200 {
                let error = parsed?["error"] as? [String: Any]
                #expect(error?["code"] is String && error?["message"] is String, "\(response.text)")
            }
        }
        // The mutations reach the parser, the decoder and the engine, not only one of them.
        #expect(statuses[400, default: 0] > 100 && statuses[200, default: 0] + statuses[422, default: 0] + statuses[404, default: 0] > 20,
                "\(statuses)")
        let ok = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions", body: #"{"context": {"x": 1}}"#))
        #expect(ok.status == 200)
    }
}
