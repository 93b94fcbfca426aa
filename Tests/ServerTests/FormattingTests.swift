import Engine
import Foundation
import Server
import Testing

@Suite("Formatting and keys")
struct FormattingTests {
    @Test func jsonTextEscapesAndRoundTripsThroughFoundation() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} é 😀"
        let text = JSONText.render(.object([("s", .string(tricky)), ("d", .number(0.1)), ("i", .number(3)),
                                            ("big", .number(1e300)), ("n", .null), ("a", .array([.bool(true)]))]))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == tricky)
        #expect(parsed["d"] as? Double == 0.1 && parsed["i"] as? Int == 3 && parsed["big"] as? Double == 1e300)
        #expect(JSONText.nestingDepth(of: Array(#"{"a": "[[[[", "b": [[1]]}"#.utf8)) == 3)
    }

    @Test func exportLinesCarryWhatTheEvaluatorReads() throws {
        let record = DecisionRecord(sequence: 1, eventID: "e1", policyID: "p", timestamp: 1_700_000_000.25, segment: 2,
                                    context: [0.5, 1], candidates: [0, 2], candidateIDs: ["a", "c"], position: 1,
                                    probabilities: [0.2, 0.8], modelVersion: 7)
        let open = try #require(try JSONSerialization.jsonObject(with: Data(LogExport.jsonLine(LoggedDecision(decision: record, outcome: nil)).utf8)) as? [String: Any])
        #expect(open["reward"] == nil && open["action"] as? String == "c" && open["propensity"] as? Double == 0.8)
        #expect(open["actions"] as? [String] == ["a", "c"] && open["context"] as? [Double] == [0.5, 1])
        #expect(open["timestamp"] as? String == "2023-11-14T22:13:20.250Z")
        let closed = LoggedDecision(decision: record, outcome: OutcomeRecord(eventID: "e1", reward: 0, isDefault: true, closedAt: 0))
        let line = try #require(try JSONSerialization.jsonObject(with: Data(LogExport.jsonLine(closed).utf8)) as? [String: Any])
        #expect(line["reward"] as? Double == 0 && line["reward_is_default"] as? Bool == true)
        #expect(try LogExport.parseTime("2023-11-14T22:13:20Z") == 1_700_000_000)
        #expect(try LogExport.parseTime("1700000000.5") == 1_700_000_000.5)
        #expect(throws: EngineError.self) { try LogExport.parseTime("yesterday") }
    }

    @Test(arguments: ["name", "n:short:decide", "n:0123456789abcdef:fly", ":0123456789abcdef:decide"])
    func badKeyListsAreRefused(_ text: String) {
        #expect(throws: APIError.self) { try APIKeys.parse(text) }
    }

    @Test func keyListsParseWithScopes() throws {
        let keys = try APIKeys.parse("web:0123456789abcdef:decide+reward,ops:fedcba9876543210:admin")
        #expect(keys.keys.map(\.name) == ["web", "ops"] && keys.keys[0].scopes == [.decide, .reward])
        #expect(keys.match(authorization: "Bearer fedcba9876543210")?.name == "ops")
        #expect(keys.match(authorization: "Bearer fedcba9876543210x") == nil)
    }
}

@Suite("Serve configuration")
struct ServeConfigurationTests {
    @Test func aConfigurationFileDecodesStrictly() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = directory + "/good.json", typo = directory + "/typo.json"
        try #"{"host": "127.0.0.1", "port": 9000, "retention_days": 30, "api_keys": [{"name": "web", "key": "0123456789abcdef", "scopes": ["decide"]}]}"#
            .write(toFile: good, atomically: true, encoding: .utf8)
        try #"{"prot": 9000}"#.write(toFile: typo, atomically: true, encoding: .utf8)
        let configuration = try ServeConfiguration(contentsOfFile: good)
        #expect(configuration.port == 9000 && configuration.retentionDays == 30 && configuration.apiKeys?.first?.scopes == [.decide])
        #expect(throws: (any Error).self) { try ServeConfiguration(contentsOfFile: typo) }
    }
}
