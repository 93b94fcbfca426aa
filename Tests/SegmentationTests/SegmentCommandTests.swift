import AttuneCore
import Foundation
import Testing

@testable import Segmentation

/// `attune segment fit|assign` run as a process on the shipped sample events.
@Suite("attune segment (end to end)")
struct SegmentCommandTests {
    static func samplePath() throws -> String {
        try #require(Bundle.module.url(forResource: "sample-events", withExtension: "jsonl", subdirectory: "Fixtures")).path
    }

    /// The `attune` executable built next to the test bundle.
    static func attune() throws -> URL {
        var directory = Bundle.module.bundleURL.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("attune")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return try #require(nil as URL?, "build the attune executable first (swift build --build-tests)")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = try attune()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("attune-segment-\(UInt32.random(in: 0...UInt32.max))-\(name)").path
    }

    @Test("The sample events hold three shopper kinds that k = 3 recovers exactly")
    func sampleEvents() throws {
        var table = ProfileTable()
        let report = try EventReader(format: .jsonLines).read(path: try Self.samplePath()) { table.update(with: $0) }
        #expect(report.problemCount == 0)
        let schema = try table.makeSchema()
        let (ids, raw) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 42)
        let model = try SegmentationFitter(try .init(k: 3, initializations: 4, bootstrapRuns: 2)).fit(raw: raw, featureNames: schema.names, using: &rng)
        let kinds = ids.map { ((Int($0.dropFirst()) ?? 1) - 1) % 3 }
        #expect(try ClusterMetrics.adjustedRandIndex(kinds, model.assign(raw: raw)) == 1)
    }

    @Test("fit --k auto writes a model and a report; assign gives every customer a segment and its rule")
    func fitAndAssign() throws {
        let model = Self.temporary("model.json"), report = Self.temporary("report.html")
        defer {
            try? FileManager.default.removeItem(atPath: model)
            try? FileManager.default.removeItem(atPath: report)
        }
        let fit = try Self.run(["segment", "fit", "--events", try Self.samplePath(), "--method", "kmeans", "--k", "auto",
                                "--output", model, "--report", report, "--format", "json", "--bootstrap", "2"])
        #expect(fit.status == 0, "\(fit.errors)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(fit.output.utf8)) as? [String: Any])
        for key in ["method", "k", "inertia", "sizes", "seconds"] { #expect(summary[key] != nil, "missing \(key)") }
        #expect((summary["sizes"] as? [Int])?.reduce(0, +) == 60)
        // The sample holds three shopper kinds; the gap statistic finds them.
        #expect(summary["k"] as? Int == 3)
        #expect(summary["k_rule"] as? String == "gap")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("<circle"))
        let assign = try Self.run(["segment", "assign", "--model", model, "--events", try Self.samplePath(), "--format", "json"])
        #expect(assign.status == 0, "\(assign.errors)")
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(assign.output.utf8)) as? [String: Any])?["assignments"] as? [[String: Any]])
        #expect(rows.count == 60)
        #expect(rows.allSatisfy { ($0["rule"] as? String).map { !$0.isEmpty } ?? false })
    }

    @Test("--embedding autoencoder clusters the embedding, stores the network and assigns with it")
    func autoencoderEmbedding() throws {
        let model = Self.temporary("ae-model.json")
        defer { try? FileManager.default.removeItem(atPath: model) }
        let fit = try Self.run(["segment", "fit", "--events", try Self.samplePath(), "--k", "3", "--embedding", "autoencoder",
                                "--embedding-dim", "2", "--epochs", "60", "--output", model, "--format", "json", "--bootstrap", "0"])
        #expect(fit.status == 0, "\(fit.errors)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(fit.output.utf8)) as? [String: Any])
        #expect(summary["embedding"] as? String == "autoencoder")
        #expect(summary["embedding_dim"] as? Int == 2)
        #expect((summary["reconstruction_loss"] as? Double).map { $0.isFinite && $0 >= 0 } == true)
        let assign = try Self.run(["segment", "assign", "--model", model, "--events", try Self.samplePath(), "--format", "json"])
        #expect(assign.status == 0, "\(assign.errors)")
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(assign.output.utf8)) as? [String: Any])?["assignments"] as? [[String: Any]])
        let kinds = rows.compactMap { ($0["customer_id"] as? String).map { ((Int($0.dropFirst()) ?? 1) - 1) % 3 } }
        let segments = rows.compactMap { $0["segment"] as? Int }
        #expect(segments.count == 60 && kinds.count == 60)
        #expect(try ClusterMetrics.adjustedRandIndex(kinds, segments) >= 0.9)
    }

    @Test("Bad usage and bad events exit with 64 and say what to do", arguments: [
        (["segment", "fit", "--events", "e.jsonl", "--embedding", "autoencoder", "--embedding-dim", "0", "--output", "x.json"], "embeddingDimension"),
        (["segment", "fit", "--output", "x.json"], "exactly one of"),
        (["segment", "fit", "--events", "/nonexistent.jsonl", "--output", "x.json"], "cannot read"),
        (["segment", "fit", "--features", "/nonexistent.csv", "--k", "zero", "--output", "x.json"], "--k"),
        (["segment", "assign", "--model", "/nonexistent.json", "--events", "e.jsonl"], "cannot read"),
    ])
    func badUsage(arguments: [String], message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 64)
        #expect(result.errors.contains(message), "\(result.errors)")
    }

    @Test("Malformed lines fail the run with their line numbers unless skipped")
    func malformedEvents() throws {
        let path = Self.temporary("bad.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (#"{"customer_id":"a","timestamp":"2024-01-01","type":"purchase","value":5}"# + "\n"
            + #"{"customer_id":"b","timestamp":"yesterday","type":"click"}"# + "\n"
            + #"{"customer_id":"b","timestamp":1704067200,"type":"purchase","value":"NaN"}"# + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let failed = try Self.run(["segment", "fit", "--events", path, "--k", "1", "--output", Self.temporary("m.json")])
        #expect(failed.status == 64)
        #expect(failed.errors.contains("line 2: timestamp"))
        #expect(failed.errors.contains("line 3: value"))
        let model = Self.temporary("m.json")
        defer { try? FileManager.default.removeItem(atPath: model) }
        let skipped = try Self.run(["segment", "fit", "--events", path, "--k", "1", "--on-error", "skip", "--output", model, "--format", "json"])
        #expect(skipped.status == 0, "\(skipped.errors)")
        #expect(skipped.errors.contains("skipped 2 malformed line(s)"))
        #expect(skipped.output.contains("\"sizes\":[1]"))
    }
}
