import Foundation
import Testing
import AttuneCore

private struct Explorer: Codable, Equatable {
    enum Kind: String, Codable, CaseIterable { case greedy, epsilonGreedy = "epsilon_greedy", softmax }
    var kind: Kind
    var epsilon: Double?
}

private struct Entry: Codable, Equatable {
    var id: String
    var cost: Double?
    var tags: [String]?
}

private struct Spec: Codable, Equatable {
    var format: String
    var seed: UInt64
    var count: Int
    var explorer: Explorer
    var catalog: [Entry]
    var weights: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case format, seed, count, explorer, catalog, weights
    }
}

private let valid = """
{
  "format": "attune.test/1",
  "seed": 18446744073709551615,
  "count": 3.0,
  "explorer": {"kind": "epsilon_greedy", "epsilon": 0.05},
  "catalog": [
    {"id": "a", "cost": 1.5},
    {"id": "b\\u00e9\\ud83d\\ude00", "tags": ["x", "y"]}
  ],
  "weights": {"recency days": 2, "frequency": -1e-3}
}
"""

private func decodeSpec(_ text: String) throws(AttuneCoreError) -> Spec {
    try StrictJSONDecoder().decode(Spec.self, from: text, source: "spec.json")
}

/// Runs `body` and returns the `AttuneCoreError` it throws, or nil when it does not throw
/// (another error is recorded as a test failure).
func failure<T>(_ body: () throws -> T) -> AttuneCoreError? {
    do {
        _ = try body()
        return nil
    } catch let error as AttuneCoreError {
        return error
    } catch {
        Issue.record("expected an AttuneCoreError, got \(error)")
        return nil
    }
}

@Suite struct StrictJSONDecoderTests {
    @Test func validDocumentDecodes() throws {
        let spec = try decodeSpec(valid)
        #expect(spec.seed == UInt64.max)
        #expect(spec.count == 3)
        #expect(spec.explorer == Explorer(kind: .epsilonGreedy, epsilon: 0.05))
        #expect(spec.catalog == [Entry(id: "a", cost: 1.5), Entry(id: "bé😀", tags: ["x", "y"])])
        #expect(spec.weights == ["recency days": 2, "frequency": -0.001])
    }

    @Test func agreesWithFoundationOnValidDocuments() throws {
        let ours = try decodeSpec(valid.replacingOccurrences(of: "3.0", with: "3"))
        let foundation = try JSONDecoder().decode(Spec.self, from: Data(valid.replacingOccurrences(of: "3.0", with: "3").utf8))
        #expect(ours == foundation)
    }

    @Test func unknownKeyInNestedObjectNamesPathAndSuggestion() {
        let text = valid.replacingOccurrences(of: "\"epsilon\": 0.05", with: "\"epsilonn\": 0.05")
        let error = failure { try decodeSpec(text) }
        #expect(error == .unknownKey(path: "$.explorer.epsilonn", key: "epsilonn", suggestion: "epsilon",
                                     location: SourceLocation(source: "spec.json", line: 5, column: 42)))
        #expect(error?.description.hasPrefix("spec.json:5:42: $.explorer.epsilonn: unknown key 'epsilonn': did you mean 'epsilon'?") == true)
    }

    @Test func documentedExampleIsExact() {
        struct Explorer: Codable { var kind: String; var epsilon: Double? }
        struct Policy: Codable { var id: String; var explorer: Explorer }
        let text = "{\"id\": \"a\", \"explorer\": {\"kind\": \"epsilon_greedy\", \"epsilonn\": 0.1}}"
        let error = failure { try StrictJSONDecoder().decode(Policy.self, from: text, source: "policy.json") }
        #expect(error?.description.hasPrefix("policy.json:1:52: $.explorer.epsilonn: unknown key 'epsilonn': did you mean 'epsilon'?") == true)
    }

    @Test func unknownKeyInsideArrayElementNamesIndex() {
        let text = valid.replacingOccurrences(of: "\"tags\"", with: "\"tag\"")
        let error = failure { try decodeSpec(text) }
        guard case .unknownKey(let path, let key, let suggestion, let location)? = error else {
            Issue.record("expected an unknown key, got \(String(describing: error))")
            return
        }
        #expect(path == "$.catalog[1].tag")
        #expect(key == "tag")
        #expect(suggestion == "tags")
        #expect(location?.line == 8)
    }

    @Test func unknownTopLevelKeyWithoutCloseMatchHasNoSuggestion() {
        let text = valid.replacingOccurrences(of: "\"format\"", with: "\"zzzzzzzzzz\": 1, \"format\"")
        let error = failure { try decodeSpec(text) }
        guard case .unknownKey(let path, _, let suggestion, _)? = error else {
            Issue.record("expected an unknown key, got \(String(describing: error))")
            return
        }
        #expect(path == "$.zzzzzzzzzz")
        #expect(suggestion == nil)
    }

    @Test func misspelledRequiredKeyIsReportedAsUnknownKey() {
        let text = valid.replacingOccurrences(of: "\"seed\"", with: "\"sede\"")
        let error = failure { try decodeSpec(text) }
        guard case .unknownKey(let path, _, let suggestion, _)? = error else {
            Issue.record("expected an unknown key, got \(String(describing: error))")
            return
        }
        #expect(path == "$.sede")
        #expect(suggestion == "seed")
    }

    @Test func ignorePolicyAcceptsUnknownKeys() throws {
        let text = valid.replacingOccurrences(of: "\"epsilon\": 0.05", with: "\"epsilon\": 0.05, \"extra\": [1, {\"b\": 2}]")
        let spec = try StrictJSONDecoder(unknownKeys: .ignore).decode(Spec.self, from: text)
        #expect(spec.explorer.epsilon == 0.05)
        #expect(failure { try decodeSpec(text) } != nil)
    }

    @Test(arguments: [
        ("\"epsilon\": 0.05", "\"epsilon\": \"0.05\"", "$.explorer.epsilon", "expected a number, got the string \"0.05\""),
        ("\"count\": 3.0", "\"count\": 2.5", "$.count", "expected an integer, got the number 2.5"),
        ("\"seed\": 18446744073709551615", "\"seed\": -1", "$.seed", "the number -1 is out of range"),
        ("{\"id\": \"a\", \"cost\": 1.5}", "{\"id\": 7}", "$.catalog[0].id", "expected a string, got the number 7"),
        ("[\"x\", \"y\"]", "[\"x\", null]", "$.catalog[1].tags[1]", "expected a string, got null"),
        ("\"frequency\": -1e-3", "\"frequency\": true", "$.weights.frequency", "expected a number, got the boolean true"),
        ("\"recency days\": 2", "\"recency days\": {}", "$.weights[\"recency days\"]", "expected a number, got an object"),
        ("\"epsilon_greedy\"", "\"epsilon_gredy\"", "$.explorer.kind", "did you mean 'epsilon_greedy'?"),
        ("\"explorer\": {", "\"explorer\": [{", "$.explorer", "expected an object, got an array"),
    ])
    func wrongValuesNameTheirPath(original: String, replacement: String, path: String, message: String) {
        var text = valid.replacingOccurrences(of: original, with: replacement)
        if replacement.hasPrefix("\"explorer\": [") {
            text = text.replacingOccurrences(of: "\"epsilon\": 0.05}", with: "\"epsilon\": 0.05}]")
        }
        let error = failure { try decodeSpec(text) }
        guard case .invalidJSON(let errorPath, let errorMessage, let location)? = error else {
            Issue.record("expected invalidJSON for \(replacement), got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(errorMessage.contains(message), "\(errorMessage)")
        #expect(location?.source == "spec.json")
    }

    @Test func typeErrorPointsAtTheValueToken() {
        let text = "{\n  \"a\": {\n    \"b\":   \"x\"\n  }\n}"
        struct Inner: Codable { var b: Int }
        struct Outer: Codable { var a: Inner }
        let error = failure { try StrictJSONDecoder().decode(Outer.self, from: text, source: "t.json") }
        #expect(error == .invalidJSON(path: "$.a.b", message: "expected an integer, got the string \"x\"",
                                      location: SourceLocation(source: "t.json", line: 3, column: 12)))
    }

    @Test func missingKeyNamesItsPath() {
        let text = valid.replacingOccurrences(of: "\"id\": \"a\", ", with: "")
        let error = failure { try decodeSpec(text) }
        guard case .invalidJSON(let path, let message, _)? = error else {
            Issue.record("expected invalidJSON, got \(String(describing: error))")
            return
        }
        #expect(path == "$.catalog[0].id")
        #expect(message.contains("missing required key 'id'"))
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "trailing comma", 1, 9),
        ("{\"a\": 1, \"a\": 2}", "duplicate key 'a'", 1, 10),
        ("[1, 2", "unexpected end of input", 1, 6),
        ("{\"a\": 01}", "leading zeros", 1, 8),
        ("{\"a\": NaN}", "unexpected 'N'", 1, 7),
        ("{\"a\": 1} x", "after the end of the JSON value", 1, 10),
        ("{\"a\":\n  \"é\tb\"}", "unescaped control character", 2, 5),
        ("", "the document is empty", 1, 1),
        ("// c\n{}", "unexpected '/'", 1, 1),
    ])
    func malformedDocumentsAreLocated(text: String, message: String, line: Int, column: Int) {
        let error = failure { try StrictJSONDecoder().decode([String: Int].self, from: text, source: "m.json") }
        guard case .invalidJSON(_, let errorMessage, let location)? = error else {
            Issue.record("expected invalidJSON for \(text), got \(String(describing: error))")
            return
        }
        #expect(errorMessage.contains(message), "\(errorMessage)")
        #expect(location == SourceLocation(source: "m.json", line: line, column: column))
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = failure { try StrictJSONDecoder().decode([String].self, from: text) }
        #expect(error?.description.contains("nested more than") == true)
    }

    @Test func datesAcceptISO8601AndEpochSeconds() throws {
        struct Event: Codable { var timestamp: Date }
        let a = try StrictJSONDecoder().decode(Event.self, from: "{\"timestamp\": \"2026-01-31T12:00:00Z\"}")
        let b = try StrictJSONDecoder().decode(Event.self, from: "{\"timestamp\": 1769860800}")
        let c = try StrictJSONDecoder().decode(Event.self, from: "{\"timestamp\": \"2026-01-31T12:00:00.250Z\"}")
        #expect(a.timestamp == b.timestamp)
        #expect(c.timestamp.timeIntervalSince(a.timestamp) == 0.25)
        #expect(failure { try StrictJSONDecoder().decode(Event.self, from: "{\"timestamp\": \"yesterday\"}") } != nil)
    }
}

private struct Probability: Codable {
    struct OutOfRange: Error, CustomStringConvertible {
        var value: Double
        var description: String { "probability \(value) is outside [0, 1]; give a value in [0, 1]" }
    }
    var value: Double

    init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Double.self)
        guard value >= 0, value <= 1 else { throw OutOfRange(value: value) }
    }
}

private struct Window: Codable {
    var seconds: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seconds = try container.decode(Int.self, forKey: .seconds)
        guard seconds > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: container, debugDescription: "give a positive window")
        }
    }
}

@Suite struct CustomDecodingErrorTests {
    private struct Document: Codable {
        var probabilities: [Probability]
        var window: Window?
    }

    @Test func errorsThrownByATypeAreLocatedAtItsValue() {
        let error = failure { try StrictJSONDecoder().decode(Document.self, from: "{\"probabilities\": [0.5,\n 1.5]}", source: "d.json") }
        #expect(error == .invalidJSON(path: "$.probabilities[1]", message: "probability 1.5 is outside [0, 1]; give a value in [0, 1]",
                                      location: SourceLocation(source: "d.json", line: 2, column: 2)))
    }

    @Test func decodingErrorsThrownByATypeAreLocatedAtTheirKey() {
        let text = "{\"probabilities\": [], \"window\": {\"seconds\": -5}}"
        let error = failure { try StrictJSONDecoder().decode(Document.self, from: text, source: "d.json") }
        #expect(error == .invalidJSON(path: "$.window.seconds", message: "give a positive window",
                                      location: SourceLocation(source: "d.json", line: 1, column: 45)))
    }
}

@Suite struct JSONLinesTests {
    private struct Row: Codable, Equatable { var id: Int; var value: Double? }

    private let text = """
    {"id": 1, "value": 0.5}

    {"id": 2, "valeu": 1}\r
    {"id": "3"}
    {"id": 4}
    """

    @Test func failPolicyStopsAtFirstBadLineWithItsNumber() {
        let error = failure { try StrictJSONDecoder().decodeLines(Row.self, from: Data(text.utf8), source: "rows.jsonl") }
        #expect(error == .unknownKey(path: "$.valeu", key: "valeu", suggestion: "value",
                                     location: SourceLocation(source: "rows.jsonl", line: 3, column: 11)))
    }

    @Test func skipPolicyKeepsGoodLinesAndReportsBadOnes() throws {
        let lines = try StrictJSONDecoder().decodeLines(Row.self, from: Data(text.utf8), source: "rows.jsonl", malformedLines: .skip)
        #expect(lines.values == [Row(id: 1, value: 0.5), Row(id: 4)])
        #expect(lines.lineNumbers == [1, 5])
        #expect(lines.skipped.count == 2)
        #expect(lines.skipped.last == .invalidJSON(path: "$.id", message: "expected an integer, got the string \"3\"",
                                                   location: SourceLocation(source: "rows.jsonl", line: 4, column: 8)))
    }

    @Test func missingFileIsATypedError() {
        let error = failure { try StrictJSONDecoder().decodeLines(Row.self, contentsOfFile: "/nonexistent/rows.jsonl") }
        guard case .unreadableFile(let path, _)? = error else {
            Issue.record("expected unreadableFile, got \(String(describing: error))")
            return
        }
        #expect(path == "/nonexistent/rows.jsonl")
    }
}
