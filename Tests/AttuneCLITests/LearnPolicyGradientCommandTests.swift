import AttuneCore
import Bandits
import Foundation
import PolicyGradient
import Testing
import _AttuneTestSupport

/// `attune learn --policy F` trains policy-gradient files that load back and conform.
@Suite struct LearnPolicyGradientCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let policyFile = root + "/policies/clv-policy-gradient.json"

    static func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attune-learn-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func learningFromALogWritesAFileThatLoadsConformsAndPrefersTheRewardedOffer() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A uniform logging policy over the four offers; only personal_picks is ever rewarded.
        let ids = ["no_contact", "flash_sale_blast", "weekly_digest", "personal_picks"]
        var rng = SeededGenerator(seed: 5)
        var lines: [String] = []
        for i in 0..<600 {
            let context = (0..<4).map { _ in (rng.nextStandardNormal() * 100).rounded() / 100 } + [1]
            let chosen = Int(rng.nextUniform() * 4) % 4
            let reward = chosen == 3 ? 1.0 : 0.0
            let actions = ids.map { "\"\($0)\"" }.joined(separator: ", ")
            let numbers = context.map { "\($0)" }.joined(separator: ", ")
            lines.append("{\"event_id\": \"e\(i)\", \"context\": [\(numbers)], \"actions\": [\(actions)], \"action\": \"\(ids[chosen])\", \"propensity\": 0.25, \"reward\": \(reward)}")
        }
        let log = directory + "/log.jsonl", output = directory + "/trained.json"
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let result = try AttuneBinary.run(["learn", "--policy", Self.policyFile, "--log", log, "--from-scratch", "--output", output, "--format", "json"])
        #expect(result.status == 0, "\(result.errors)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(summary["rounds"] as? Double == 600)

        let specification = try PolicyGradientSpecification(contentsOfFile: output)
        #expect(specification.policy.scorer?.parameters?.count == 20)
        let failures = PolicyConformance.check(makePolicy: { try specification.makeLinearPolicy() })
        #expect(failures.isEmpty, "\(failures)")
        let policy = try specification.makePolicy()
        let p = try policy.distribution(for: Context(features: [0, 0, 0, 0, 1]), among: [0, 1, 2, 3]).probabilities
        #expect(p[3] > 0.5, "\(p)")
        #expect(try AttuneBinary.run(["policy", "validate", output]).status == 0)
    }

    @Test func trainingOnAScenarioWritesAFileThatLoadsAndConforms() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/trained.json"
        let result = try AttuneBinary.run(["learn", "--policy", Self.policyFile, "--scenario", Self.root + "/simulations/retail-churn.json",
                                           "--populations", "2", "--horizon", "300", "--from-scratch", "--quiet", "--output", output])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("populations") && result.output.contains("300"))
        let specification = try PolicyGradientSpecification(contentsOfFile: output)
        let untrained = try PolicyGradientSpecification(contentsOfFile: Self.policyFile).withParameters([])
        #expect(specification.policy.scorer?.parameters != untrained.policy.scorer?.parameters)
        let failures = PolicyConformance.check(makePolicy: { try specification.makeLinearPolicy() })
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test(arguments: [
        (["learn", "--policy", "POLICY", "--output", "/dev/null"], "--log"),
        (["learn", "--scenario", "x.json", "--output", "/dev/null"], "--policy"),
        (["learn", "--policy", "GAUSSIAN", "--log", "x.jsonl", "--output", "/dev/null"], "softmax"),
        (["learn", "--policy", "POLICY", "--scenario", "SCENARIO", "--training-seed", "51", "--output", "/dev/null"], "evaluation seeds"),
    ])
    func badRequestsExitWith64AndSayWhy(_ arguments: [String], expected: String) throws {
        let resolved = arguments.map {
            $0.replacingOccurrences(of: "GAUSSIAN", with: Self.root + "/policies/gaussian-pricing.json")
                .replacingOccurrences(of: "POLICY", with: Self.policyFile)
                .replacingOccurrences(of: "SCENARIO", with: Self.root + "/simulations/retail-churn.json")
        }
        let result = try AttuneBinary.run(resolved)
        #expect(result.status == 64)
        #expect(result.errors.contains(expected), "\(result.errors)")
    }
}
