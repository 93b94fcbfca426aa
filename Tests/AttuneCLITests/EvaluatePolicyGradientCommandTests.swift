import AttuneCore
import Bandits
import Foundation
import PolicyGradient
import Testing

/// `attune evaluate` and `attune gate` take an `attune.policy-gradient/1` file as the target:
/// its exact probabilities over each line's candidates are the target distribution.
@Suite struct EvaluatePolicyGradientCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let policyFile = root + "/policies/clv-policy-gradient.json"
    static let ids = ["no_contact", "flash_sale_blast", "weekly_digest", "personal_picks"]

    /// A uniform logging policy over the file's four offers on seeded contexts (four
    /// features and the intercept); `reward` gives each round's reward from the target's
    /// distribution and the chosen index.
    struct SimulatedLog {
        var lines: [String] = []
        var contexts: [[Double]] = []
        var actions: [Int] = []
        var rewards: [Double] = []

        init(rounds: Int, seed: UInt64, policy: any Policy, reward: ([Double], Int) -> Double) throws {
            var rng = SeededGenerator(seed: seed)
            let actionList = EvaluatePolicyGradientCommandTests.ids.map { "\"\($0)\"" }.joined(separator: ", ")
            for i in 0..<rounds {
                let context = (0..<4).map { _ in (rng.nextStandardNormal() * 100).rounded() / 100 } + [1]
                let chosen = Int(rng.nextUniform() * 4) % 4
                let p = try policy.distribution(for: Context(features: context), among: [0, 1, 2, 3]).probabilities
                let r = reward(p, chosen)
                contexts.append(context)
                actions.append(chosen)
                rewards.append(r)
                let numbers = context.map { "\($0)" }.joined(separator: ", ")
                lines.append("{\"event_id\": \"e\(i)\", \"context\": [\(numbers)], \"actions\": [\(actionList)], \"action\": \"\(EvaluatePolicyGradientCommandTests.ids[chosen])\", \"propensity\": 0.25, \"probabilities\": [0.25, 0.25, 0.25, 0.25], \"reward\": \(r)}")
            }
        }

        func write(in directory: String) throws -> String {
            let path = directory + "/log.jsonl"
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    static func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attune-evaluate-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func policy() throws -> any Policy {
        try PolicyGradientSpecification(contentsOfFile: policyFile).makePolicy()
    }

    @Test func ipsOfAPolicyGradientFileEqualsTheNaiveSumOverItsOwnProbabilities() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = try Self.policy()
        // Rewards that depend on the action and the context, so that a wrong distribution (or a
        // misaligned candidate) moves the estimate.
        var noise = SeededGenerator(seed: 17)
        let log = try SimulatedLog(rounds: 400, seed: 11, policy: policy) { _, chosen in
            (Double(chosen) * 0.5 + noise.nextUniform() * 2).rounded() / 2
        }
        let path = try log.write(in: directory)
        var naive = 0.0
        for i in 0..<log.contexts.count {
            let p = try policy.distribution(for: Context(features: log.contexts[i]), among: [0, 1, 2, 3]).probabilities
            naive += p[log.actions[i]] / 0.25 * log.rewards[i]
        }
        naive /= Double(log.contexts.count)

        let result = try AttuneBinary.run(["evaluate", "--log", path, "--policy", Self.policyFile, "--estimators", "ips", "--format", "json"])
        #expect(result.status == 0, "\(result.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let estimates = try #require(report["estimates"] as? [[String: Any]])
        let ips = try #require(estimates.first { $0["estimator"] as? String == "ips" }?["value"] as? Double)
        #expect(abs(ips - naive) <= 1e-9 * max(1, abs(naive)), "ips \(ips), naive \(naive)")
        // The uniform logging value differs: the target's own probabilities were used.
        let logging = log.rewards.reduce(0, +) / Double(log.rewards.count)
        #expect(abs(ips - logging) > 1e-3)
    }

    @Test(arguments: [(true, Int32(0)), (false, Int32(65))])
    func gateOnAPolicyGradientCandidatePromotesOrRefusesWithItsChecks(rewardTheFavourite: Bool, status: Int32) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = try Self.policy()
        // Reward 1 for the action the policy likes most at that context (it beats uniform
        // logging), or for the one it likes least (it loses to it).
        let log = try SimulatedLog(rounds: 1500, seed: 23, policy: policy) { p, chosen in
            let target = rewardTheFavourite ? p.indices.max { p[$0] < p[$1] } : p.indices.min { p[$0] < p[$1] }
            return chosen == target ? 1 : 0
        }
        let path = try log.write(in: directory)
        let result = try AttuneBinary.run(["gate", "--log", path, "--candidate", Self.policyFile, "--baseline", "logging",
                                           "--compare", "estimate", "--min-ess", "20", "--format", "json"])
        #expect(result.status == status, "\(result.output) \(result.errors)")
        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(verdict["promote"] as? Bool == rewardTheFavourite)
        let reasons = try #require(verdict["reasons"] as? [String])
        #expect(reasons.count == 4 && reasons.contains { $0.contains("effective sample size") }, "\(reasons)")
        #expect(reasons.first?.hasPrefix(rewardTheFavourite ? "pass" : "FAIL") == true, "\(reasons)")
        let candidate = try #require(verdict["candidate_value"] as? Double), baseline = try #require(verdict["baseline_value"] as? Double)
        #expect(rewardTheFavourite ? candidate > baseline : candidate < baseline)
    }

    @Test func aBadPolicyGradientTargetExits64NamingTheFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try SimulatedLog(rounds: 20, seed: 3, policy: try Self.policy()) { _, _ in 1 }
        let path = try log.write(in: directory)
        var text = try String(contentsOfFile: Self.policyFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"kind\": \"linear\"", with: "\"kind\": \"linear\", \"hiden\": 3")
        let bad = directory + "/bad.json"
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try AttuneBinary.run(["evaluate", "--log", path, "--policy", bad, "--estimators", "ips"])
        #expect(result.status == 64)
        #expect(result.errors.contains("bad.json") && result.errors.contains("hiden"), "\(result.errors)")
    }
}
