import Foundation
import Testing
@testable import Evaluation

/// The `attune evaluate`, `learn` and `gate` commands run as processes on small files.
@Suite struct CommandLineTests {
    /// The `attune` executable: `ATTUNE_BINARY` when set, otherwise the one SwiftPM built
    /// next to the running test executable (or in one of its ancestor directories).
    static var executable: URL? {
        if let override = ProcessInfo.processInfo.environment["ATTUNE_BINARY"] { return URL(fileURLWithPath: override) }
        let starts = [URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                      URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL.appendingPathComponent("x")]
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("attune")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    struct Run { var status: Int32; var output: String; var errors: String }

    static func attune(_ arguments: [String]) throws -> Run {
        guard let executable else {
            Issue.record("the attune executable was not found next to the tests; build it with `swift build --build-tests`")
            return Run(status: -1, output: "", errors: "")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   errors: String(decoding: errors, as: UTF8.self))
    }

    /// Writes a synthetic log as Attune JSON Lines, with `target` as `target_probabilities`.
    static func writeLog(rounds: Int, seed: UInt64, target: [[Double]]? = nil, name: String) throws -> String {
        let setup = SyntheticSetup.standard
        let log = try setup.log(rounds: rounds, seed: seed, target: target)
        var text = ""
        for i in 0..<log.count {
            let r = log.candidateRange(i)
            let context = log.contexts[(2 * i)..<(2 * i + 2)].map { String($0) }.joined(separator: ",")
            let p = log.loggingProbabilities[r].map { String($0) }.joined(separator: ",")
            let t = log.targetProbabilities[r].map { String($0) }.joined(separator: ",")
            text += #"{"event_id":"e\#(i)","context":[\#(context)],"action":\#(log.chosenPositions[i]),"propensity":\#(log.propensities[i]),"probabilities":[\#(p)],"reward":\#(log.rewards[i]),"target_probabilities":[\#(t)]}"# + "\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-\(name)-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func evaluatePrintsTheDocumentedJSONFields() throws {
        let path = try Self.writeLog(rounds: 400, seed: 31, name: "evaluate")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Self.attune(["evaluate", "--log", path, "--estimators", "ips,snips,dr", "--format", "json", "--folds", "2"])
        #expect(run.status == 0, "\(run.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let estimates = object?["estimates"] as? [[String: Any]] ?? []
        #expect(estimates.map { $0["estimator"] as? String } == ["ips", "snips", "dr"])
        let fields: Set<String> = ["estimator", "value", "standard_error", "ci_low", "ci_high", "effective_sample_size", "max_weight"]
        for e in estimates { #expect(Set(e.keys) == fields) }
        // The command's IPS equals the library's on the same file.
        let log = try DecisionLog.read(path: path)
        let expected = try InversePropensityScoring().estimate(on: log, target: log.targetProbabilities).value
        #expect(abs((estimates.first?["value"] as? Double ?? .nan) - expected) < 1e-12)
    }

    @Test func evaluateRunsSeveralTargetsAndWritesTheHTMLReport() throws {
        let path = try Self.writeLog(rounds: 300, seed: 32, name: "evaluate-report")
        let report = path + ".html"
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: report) }
        let run = try Self.attune(["evaluate", "--log", path, "--policy", "log", "--policy", "logging", "--estimators", "ips,snips",
                                   "--format", "json", "--report", report])
        #expect(run.status == 0, "\(run.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let targets = object?["targets"] as? [[String: Any]] ?? []
        #expect(targets.map { $0["target"] as? String } == ["log", "logging"])
        // The logging policy evaluated on its own log: IPS is the mean reward.
        let log = try DecisionLog.read(path: path)
        let logging = (targets.last?["estimates"] as? [[String: Any]])?.first?["value"] as? Double
        #expect(abs((logging ?? .nan) - log.rewards.reduce(0, +) / Double(log.count)) < 1e-9)
        let page = try PageElements(try String(contentsOfFile: report, encoding: .utf8))
        #expect(page.count("svg") == 1 + 2 * 2)  // comparison, then estimates and weights per target (no segments)
        let bad = try Self.attune(["evaluate", "--log", path, "--report", "/nonexistent-directory/r.html"])
        #expect(bad.status == 64)
        #expect(bad.errors.contains("cannot write"))
    }

    @Test func evaluateRunsTheSlotWiseEstimatorsOnASlateLog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-slates-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SlateEstimatorTests.text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Self.attune(["evaluate", "--log", path, "--format", "json"])
        #expect(run.status == 0, "\(run.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let estimates = object?["estimates"] as? [[String: Any]] ?? []
        #expect(estimates.map { $0["estimator"] as? String } == ["iips", "rips", "sips"])
        #expect(abs((estimates.first?["value"] as? Double ?? .nan) - 4.3) < 1e-12)
        #expect(try Self.attune(["evaluate", "--log", path, "--estimators", "ips"]).status == 64)
        #expect(try Self.attune(["evaluate", "--log", path, "--policy", "logging"]).status == 64)
    }

    @Test func aBadLineExitsWith64NamingTheLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-bad-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        try """
            {"context":[1],"action":0,"propensity":0.5,"reward":1,"target_probabilities":[0.5,0.5]}
            {"context":[1],"action":0,"propensity":0,"reward":1,"target_probabilities":[0.5,0.5]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Self.attune(["evaluate", "--log", path])
        #expect(run.status == 64)
        #expect(run.errors.contains(":2: propensity:"))
        #expect(try Self.attune(["evaluate", "--log", path, "--estimators", "nope"]).status == 64)
    }

    @Test func gatePromotesABetterPolicyAndRefusesAWorseOne() throws {
        let better = try Self.writeLog(rounds: 3000, seed: 32, target: DeploymentGateTests.best, name: "better")
        let worse = try Self.writeLog(rounds: 3000, seed: 33, target: DeploymentGateTests.worst, name: "worse")
        defer { for p in [better, worse] { try? FileManager.default.removeItem(atPath: p) } }
        let promote = try Self.attune(["gate", "--log", better, "--candidate", "log", "--baseline", "logging"])
        #expect(promote.status == 0, "\(promote.output)\(promote.errors)")
        #expect(promote.output.hasPrefix("PROMOTE"))
        let refuse = try Self.attune(["gate", "--log", worse, "--candidate", "log", "--baseline", "logging", "--format", "json"])
        #expect(refuse.status == 65)
        let verdict = try JSONSerialization.jsonObject(with: Data(refuse.output.utf8)) as? [String: Any]
        #expect(verdict?["promote"] as? Bool == false)
        #expect((verdict?["reasons"] as? [String])?.contains { $0.hasPrefix("FAIL:") } == true)
    }

    @Test func learnWritesAPolicyThatEvaluateAndGateRead() throws {
        let path = try Self.writeLog(rounds: 3000, seed: 34, name: "learn")
        let policy = path + ".policy.json"
        defer { for p in [path, policy] { try? FileManager.default.removeItem(atPath: p) } }
        let learn = try Self.attune(["learn", "--log", path, "--output", policy, "--format", "json"])
        #expect(learn.status == 0, "\(learn.errors)")
        #expect(FileManager.default.fileExists(atPath: policy))
        let evaluate = try Self.attune(["evaluate", "--log", path, "--policy", policy, "--estimators", "snips", "--format", "json"])
        #expect(evaluate.status == 0, "\(evaluate.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(evaluate.output.utf8)) as? [String: Any]
        let value = (object?["estimates"] as? [[String: Any]])?.first?["value"] as? Double ?? 0
        // The greedy learned policy clearly beats the logger (true values 0.69 and 0.373).
        #expect(value > SyntheticSetup.standard.value(of: SyntheticSetup.standard.logging) + 0.1)
        let gate = try Self.attune(["gate", "--log", path, "--candidate", policy, "--bound", "normal"])
        #expect(gate.status == 0, "\(gate.output)")
    }

    @Test(arguments: ["evaluate", "learn", "gate"])
    func helpTextExitsZero(command: String) throws {
        let run = try Self.attune([command, "--help"])
        #expect(run.status == 0)
        #expect(run.output.contains("--log"))
    }
}
