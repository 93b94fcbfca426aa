import AttuneCore
import Foundation
import Testing
@testable import Simulation

@Suite("Scenario decoding")
struct ScenarioTests {
    @Test("every shipped scenario decodes", arguments: shippedScenarios)
    func shippedScenarioDecodes(_ file: String) throws {
        let scenario = try Scenario(contentsOfFile: "\(simulationsDirectory)/\(file)")
        #expect(scenario.id + ".json" == file)
        #expect(scenario.horizon > 0)
        #expect(!scenario.policies.isEmpty)
    }

    @Test("seeded theta is reproducible and explicit theta is used as given")
    func linearParameters() throws {
        let a = try Scenario(decoding: Data(linearScenarioJSON().utf8))
        let b = try Scenario(decoding: Data(linearScenarioJSON().utf8))
        guard case .linearContextual(let sa) = a.environment, case .linearContextual(let sb) = b.environment else {
            Issue.record("wrong kind"); return
        }
        #expect(sa.theta == sb.theta && sa.theta.count == 12 && sa.bias.count == 4)
        let explicit = try Scenario(decoding: Data(linearScenarioJSON(model: """
        "model": "gaussian", "noise_sd": 0.5, "theta": [[1,0,0],[0,1,0],[0,0,1],[1,1,1]], "bias": [0, 0.1, 0.2, 0.3]
        """).utf8))
        guard case .linearContextual(let se) = explicit.environment else { Issue.record("wrong kind"); return }
        #expect(se.theta == [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1])
        #expect(se.bias == [0, 0.1, 0.2, 0.3])
        #expect(se.noiseStandardDeviation == 0.5)
    }

    @Test("a syntax error names its line and column")
    func syntaxErrorLocation() {
        let json = "{\n  \"format\": \"attune.simulation/1\",\n  \"id\": \"t\",,\n}"
        do {
            _ = try Scenario(decoding: Data(json.utf8), source: "bad.json")
            Issue.record("accepted a document with a stray comma")
        } catch {
            #expect(error.description.contains("bad.json:3:"), "\(error)")
        }
    }

    @Test("an unknown key names its path and the nearest known key")
    func unknownKeySuggestion() {
        let json = linearScenarioJSON().replacingOccurrences(of: "\"horizon\"", with: "\"horizn\": 5, \"horizon\"")
        do {
            _ = try Scenario(decoding: Data(json.utf8))
            Issue.record("accepted an unknown key")
        } catch {
            guard case .unknownKey(let path, let key, let suggestion, let location) = error else { Issue.record("\(error)"); return }
            #expect(path == "$.horizn" && key == "horizn" && suggestion == "horizon")
            #expect(location?.line == 1 && location?.column == 75, "\(error)")
        }
    }

    static let badDocuments: [(String, String)] = [
        (linearScenarioJSON().replacingOccurrences(of: "attune.simulation/1", with: "attune.simulation/9"), "$.format"),
        (linearScenarioJSON().replacingOccurrences(of: "\"horizon\": 100", with: "\"horizon\": 0"), "$.horizon"),
        (linearScenarioJSON().replacingOccurrences(of: "\"horizon\": 100", with: "\"horizon\": \"100\""), "$.horizon"),
        (linearScenarioJSON().replacingOccurrences(of: "\"dimension\": 3", with: "\"dimension\": 3, \"dimensions\": 3"), "$.linear_contextual.dimensions"),
        (linearScenarioJSON(model: "\"model\": \"poisson\", \"seed\": 1"), "$.linear_contextual.reward.model"),
        (linearScenarioJSON(model: "\"model\": \"gaussian\", \"theta\": [[1,2,3]]"), "$.linear_contextual.reward.theta"),
        (linearScenarioJSON(model: "\"model\": \"gaussian\""), "$.linear_contextual.reward.seed"),
        (linearScenarioJSON(model: "\"model\": \"bernoulli_logistic\", \"seed\": 1, \"noise_sd\": 1"), "$.linear_contextual.reward.noise_sd"),
        (linearScenarioJSON().replacingOccurrences(of: "\"baseline\": \"random\"", with: "\"baseline\": \"randm\""), "$.policies[0].baseline"),
        (linearScenarioJSON().replacingOccurrences(of: "\"baseline\": \"random\"", with: "\"baseline\": \"fixed\""), "$.policies[0].action"),
        (linearScenarioJSON().replacingOccurrences(of: "{\"name\": \"random\", \"baseline\": \"random\"}", with: "{\"name\": \"x\"}"), "$.policies[0]"),
        (linearScenarioJSON(", \"feedback\": {\"delay\": \"geometric\", \"delay_rounds\": 3}"), "$.feedback.window_rounds"),
        (linearScenarioJSON(", \"retail\": {}"), "$.retail"),
        ("{\"format\": ", "$.format"),
        (linearScenarioJSON().replacingOccurrences(of: "\"horizon\": 100", with: "\"horizon\": 100, \"horizon\": 200"), "$.horizon"),
        (linearScenarioJSON().replacingOccurrences(of: "\"horizon\": 100", with: "\"horizon\": NaN"), "$.horizon"),
    ]

    @Test("bad documents name the offending path", arguments: badDocuments)
    func badDocumentNamesPath(_ json: String, _ path: String) {
        do {
            _ = try Scenario(decoding: Data(json.utf8))
            Issue.record("accepted a bad document (expected an error at \(path))")
        } catch {
            switch error {
            case .invalidScenario(let p, _, _, _), .unknownKey(let p, _, _, _): #expect(p == path, "\(error)")
            default: Issue.record("unexpected error \(error)")
            }
            #expect(!error.description.isEmpty)
        }
    }

    static let badRetail: [(String, String)] = [
        ("\"share\": 1", "\"share\": -1"),
        ("\"preferences\": [1]", "\"preferences\": [1, 2]"),
        ("{\"id\": \"loud\", \"features\": [1]}", "{\"id\": \"loud\", \"features\": [1], \"price\": 3}"),
        ("{\"id\": \"loud\", \"features\": [1]}", "{\"id\": \"plain\", \"features\": [1]}"),
        ("\"objective\": \"conversion\"", "\"objective\": \"profit\""),
        ("\"base_utility\": -1", "\"base_utilty\": -1"),
    ]

    @Test("bad retail sections are rejected", arguments: badRetail)
    func badRetailRejected(_ from: String, _ to: String) throws {
        let json = """
        {"customers": 300, "rounds_per_day": 100, "objective": "conversion", "features": ["x"],
         "segments": [{"name": "a", "share": 1, "profile": [0], "base_utility": -1, "preferences": [1]}],
         "actions": [{"id": "plain", "features": [0]}, {"id": "loud", "features": [1]}]}
        """
        #expect(throws: SimulationError.self) {
            _ = try retailSpecification(json.replacingOccurrences(of: from, with: to))
        }
        _ = try retailSpecification(json)
    }

    // MARK: - Located errors

    /// A multi-line scenario, so that locations are checked on lines and columns.
    static let located = """
    {
      "format": "attune.simulation/1",
      "id": "t",
      "kind": "linear_contextual",
      "horizon": 100,
      "linear_contextual": {
        "dimension": 3,
        "actions": 4,
        "reward": {"model": "bernoulli_logistic", "seed": 3}
      },
      "policies": [
        {"name": "random", "baseline": "random"}
      ]
    }
    """

    /// (replace, with, expected JSONPath, text whose first occurrence in the edited document
    /// is where the error must point, a word the message must contain)
    static let locatedCases: [(String, String, String, String, String)] = [
        ("\"horizon\": 100", "\"horizon\": 0", "$.horizon", "0,", "out of range"),
        ("\"horizon\": 100", "\"horizon\": \"100\"", "$.horizon", "\"100\"", "expected"),
        ("\"horizon\": 100", "\"horizon\": 1e3.5", "$", ".5", "expected"),
        ("\"dimension\": 3", "\"dimension\": 2.5", "$.linear_contextual.dimension", "2.5", "integer"),
        ("\"dimension\": 3", "\"dimensoin\": 3", "$.linear_contextual.dimensoin", "\"dimensoin\"", "dimension"),
        ("\"bernoulli_logistic\"", "\"bernouli_logistic\"", "$.linear_contextual.reward.model", "\"bernouli_", "bernoulli_logistic"),
        ("\"seed\": 3", "\"seed\": 3, \"theta\": [[1, 2, 3]]", "$.linear_contextual.reward.seed", "3, \"theta", "exclusive"),
        ("\"actions\": 4", "\"actions\": [\"a\", 7]", "$.linear_contextual.actions[1]", "7]", "action id"),
        ("\"baseline\": \"random\"}", "\"baseline\": \"random\", \"weight\": 1}", "$.policies[0].weight", "\"weight\"", "unknown key"),
        ("\"baseline\": \"random\"}", "\"baseline\": \"fixed\"}", "$.policies[0].action", "{\"name\"", "missing"),
        ("  \"horizon\": 100,\n", "", "$.horizon", "{", "missing required key 'horizon'"),
        ("\"kind\": \"linear_contextual\"", "\"kind\": [1]", "$.kind", "[1]", "string"),
        ("\"id\": \"t\"", "\"id\": \"a b\"", "$.id", "\"a b\"", "identifier"),
    ]

    @Test("bad values and unknown keys report line:column, the path and the fix", arguments: locatedCases)
    func locatedError(_ from: String, _ to: String, _ path: String, _ anchor: String, _ word: String) {
        #expect(Self.located.contains(from))
        let json = Self.located.replacingOccurrences(of: from, with: to)
        guard let anchorRange = json.range(of: anchor) else { Issue.record("anchor \(anchor) not in the document"); return }
        let before = json[..<anchorRange.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        do {
            _ = try Scenario(decoding: Data(json.utf8), source: "s.json")
            Issue.record("accepted a bad document (expected an error at \(path))")
        } catch {
            switch error {
            case .invalidScenario(let p, _, _, let location), .unknownKey(let p, _, _, let location):
                #expect(p == path, "\(error)")
                #expect(location == SourceLocation(source: "s.json", line: line, column: column), "\(error)")
            default:
                Issue.record("unexpected error \(error)")
            }
            #expect(error.description.hasPrefix("s.json:\(line):\(column): "), "\(error)")
            #expect(error.description.contains(word), "\(error)")
        }
    }
}
