import Foundation
import Testing

/// `attune policy validate`, run as a process on the shipped policy files and on broken copies.
@Suite struct PolicyValidateCommandTests {
    static let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policies").path
    static let shipped = ["offers-linucb", "pricing-thompson", "content-slots"]

    @Test func theShippedFilesAreValid() throws {
        let files = Self.shipped.map { "\(Self.policies)/\($0).json" }
        let result = try AttuneBinary.run(["policy", "validate"] + files + ["--format", "json"])
        #expect(result.status == 0, "\(result.errors)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        #expect(reports.map { $0["id"] as? String } == Self.shipped)
        for report in reports {
            #expect(report["valid"] as? Bool == true)
            #expect((report["actions"] as? Int ?? 0) >= 2)
            #expect((report["fingerprint"] as? String)?.count == 16)
        }
        let table = try AttuneBinary.run(["policy", "validate", files[0]])
        #expect(table.status == 0 && table.output.contains("offers-linucb.json: valid"), "\(table.output)")
    }

    /// (edit of the offers file, what stderr must contain)
    static let brokenEdits: [(String, String, [String])] = [
        ("\"alpha\": 0.8", "\"alpah\": 0.8", ["$.algorithm.alpah", "did you mean 'alpha'", ":25:"]),
        ("\"forgetting\": 1.0}", "\"forgetting\": 0.9, \"window\": 50}", ["$.algorithm.window", "forgetting"]),
        ("\"forgetting\": 1.0}", "\"window\": 0}", ["$.algorithm.window"]),
    ]

    @Test(arguments: brokenEdits)
    func aBrokenFileExitsWith64NamingThePathAndTheFix(edit: (String, String, [String])) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attune-policy-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = try String(contentsOfFile: "\(Self.policies)/offers-linucb.json", encoding: .utf8)
        #expect(text.contains(edit.0))
        try text.replacingOccurrences(of: edit.0, with: edit.1).write(toFile: file, atomically: true, encoding: .utf8)
        let result = try AttuneBinary.run(["policy", "validate", file])
        #expect(result.status == 64)
        #expect(result.output.isEmpty, "\(result.output)")
        for needle in edit.2 { #expect(result.errors.contains(needle), "\(needle) not in: \(result.errors)") }
    }

    @Test func aTypoNamesTheFileLineAndColumn() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attune-policy-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = try String(contentsOfFile: "\(Self.policies)/offers-linucb.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"ridge\": 1.0", with: "\"rigde\": 1.0").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try AttuneBinary.run(["policy", "validate", "\(Self.policies)/pricing-thompson.json", file])
        #expect(result.status == 64)
        #expect(result.errors.contains("\(file):25:"), "\(result.errors)")
        #expect(result.errors.contains("$.algorithm.rigde") && result.errors.contains("did you mean 'ridge'"), "\(result.errors)")
    }
}
