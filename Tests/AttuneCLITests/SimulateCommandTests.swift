import Foundation
import Testing

@Suite struct SimulateCommandTests {
    static let simulations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("simulations").path

    @Test func simulatePrintsTheDesignFieldsAndWritesTheReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attune-simulate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = directory + "/study.html"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try AttuneBinary.run(["simulate", "\(Self.simulations)/retail-offers.json", "--seeds", "2", "--horizon", "300",
                                           "--format", "json", "--report", report, "--log-dir", directory + "/logs"])
        #expect(result.status == 0, "\(result.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let policies = try #require(json["policies"] as? [[String: Any]])
        #expect(policies.count == 7)
        for p in policies {
            for key in ["policy", "mean_reward", "ci_low", "ci_high", "regret", "decisions_per_second"] { #expect(p[key] != nil, "\(key)") }
            let mean = try #require(p["mean_reward"] as? Double), low = try #require(p["ci_low"] as? Double), high = try #require(p["ci_high"] as? Double)
            #expect(low <= mean && mean <= high)
            let curve = try #require(p["curve"] as? [[String: Any]])
            #expect(curve.count == 50 && (curve.last?["round"] as? Int) == 300)
        }
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("<polygon") && html.contains("bargain_hunters"))
        #expect(FileManager.default.fileExists(atPath: directory + "/logs/linucb/seed-11.jsonl"))
        #expect(FileManager.default.fileExists(atPath: directory + "/logs/linucb/events-seed-11.jsonl"))
    }

    @Test func aTypoInTheScenarioExitsWith64AndNamesThePath() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attune-bad-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var text = try String(contentsOfFile: "\(Self.simulations)/linear-d20-k10.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"horizon\"", with: "\"horizn\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try AttuneBinary.run(["simulate", file])
        #expect(result.status == 64)
        #expect(result.errors.contains("$.horizn") && result.errors.contains("horizon"))
    }
}
