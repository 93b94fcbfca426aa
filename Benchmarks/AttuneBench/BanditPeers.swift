import Foundation

/// One figure a bandit peer reported: the JSON object it printed, read field by field.
struct PeerResult: @unchecked Sendable {
    /// The object as parsed (values are `String`, `NSNumber` or `NSNull`; read-only).
    let fields: [String: Any]

    var peer: String { fields["peer"] as? String ?? "?" }
    var learner: String { fields["learner"] as? String ?? "?" }
    /// `"K=10 d=20"` or `"K=100 d=64"` for records that carry latencies.
    var latencySetting: String? { fields["latency_setting"] as? String }
    /// Whether the record is a full run (reward and throughput), not a latency-only one.
    var isRun: Bool { fields["average_reward"] != nil }
    /// `peer learner`, the name used in comparisons.
    var name: String { "\(peer) \(learner)" }

    func number(_ key: String) -> Double? { (fields[key] as? NSNumber)?.doubleValue }

    /// The key of the Attune learner running the same algorithm (``BanditLearner/key``).
    var counterpart: String? {
        switch peer {
        case "numpy", "mabwiser": return learner.hasPrefix("linucb") ? "linucb" : nil
        case "vw":
            if learner.hasPrefix("squarecb") { return "ridge_squarecb" }
            if learner.hasPrefix("epsilon") { return "ridge_epsilon_greedy" }
            return nil
        default: return nil
        }
    }

    /// The Attune learner compared in the large latency setting: VW's ADF model against
    /// Attune's ADF model, disjoint models against disjoint LinUCB.
    var largeCounterpart: String? {
        peer == "vw" ? "shared_linucb" : counterpart
    }
}

/// The Python peers of the bandit suite and how to start them.
enum BanditPeers {
    /// A peer script, the modules it imports and the pip packages that provide them.
    struct Script: Sendable {
        var name: String
        var file: String
        var modules: [String]
        var packages: [String]
        /// Cap on the rounds this peer runs (MABWiser runs a prefix).
        var roundCap: Int?
        var quickRoundCap: Int?
    }

    static let scripts: [Script] = [
        Script(name: "numpy", file: "bandit_numpy_linucb.py", modules: ["numpy"], packages: ["numpy"]),
        Script(name: "vw", file: "bandit_vw.py", modules: ["numpy", "vowpalwabbit"], packages: ["numpy", "vowpalwabbit"]),
        Script(name: "mabwiser", file: "bandit_mabwiser.py", modules: ["numpy", "mabwiser"], packages: ["numpy", "mabwiser"],
               roundCap: 20_000, quickRoundCap: 2_000),
    ]

    /// Runs every peer on the environment files and returns what they printed; a peer that
    /// cannot be installed or fails is reported on stderr and skipped.
    static func run(
        environment: PeerEnvironment, environmentFile: URL, latencyEnvironmentFile: URL,
        rounds: Int, latencyRounds: Int, quick: Bool, seed: UInt64
    ) -> [PeerResult] {
        var results: [PeerResult] = []
        for script in scripts {
            guard let python = environment.python(requiring: script.modules, packages: script.packages) else { continue }
            var peerRounds = rounds
            if let cap = quick ? script.quickRoundCap : script.roundCap { peerRounds = min(peerRounds, cap) }
            ResultWriter.progress("peers: \(script.name) on \(peerRounds) rounds")
            let arguments = [
                environment.peersDirectory.appendingPathComponent(script.file).path,
                "--environment", environmentFile.path,
                "--latency-environment", latencyEnvironmentFile.path,
                "--rounds", String(peerRounds),
                "--latency-rounds", String(latencyRounds),
                "--seed", String(seed % 1_000_000_007),
            ]
            do {
                results += try lines(of: python, arguments: arguments, peer: script.name)
            } catch {
                ResultWriter.progress("note: \(error); continuing without it")
            }
        }
        return results
    }

    /// Runs a script to completion and parses every stdout line as a JSON object.
    /// - Throws: `BenchError.peerFailed` when it cannot start, exits non-zero or prints a line
    ///   that is not a JSON object.
    static func lines(of python: URL, arguments: [String], peer: String) throws(BenchError) -> [PeerResult] {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        process.environment = PeerEnvironment.peerEnvironmentVariables
        process.currentDirectoryURL = URL(fileURLWithPath: arguments[0]).deletingLastPathComponent()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw .peerFailed(peer: peer, reason: "could not start: \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .peerFailed(peer: peer, reason: "exited with status \(process.terminationStatus)")
        }
        var results: [PeerResult] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.isEmpty {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw .peerFailed(peer: peer, reason: "printed a line that is not a JSON object: \(line.prefix(200))")
            }
            results.append(PeerResult(fields: object))
        }
        return results
    }
}
