import Bandits
import Evaluation
import Foundation
import Testing

/// `TargetSource` with a `PolicyLoader`: files of other formats reach the estimators through
/// the loader's policy; files it does not claim keep this module's formats.
@Suite struct TargetSourceTests {
    static let policyPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policies/offers-linucb.json").path

    struct LoaderFailure: Error, CustomStringConvertible {
        var description: String { "the loader refuses this file" }
    }

    /// Claims documents whose format is `test.other/1` and builds them as the bandit file
    /// (renamed), so that only the loader can read them.
    static func loader(_ data: Data, path: String) throws -> (policy: any Policy, schema: FeatureSchema?)? {
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("\"refuse\"") { throw LoaderFailure() }
        guard text.contains("\"test.other/1\"") else { return nil }
        let specification = try PolicySpecification(decoding: Data(text.replacingOccurrences(of: "\"test.other/1\"", with: "\"attune.policy/1\"").utf8))
        return (try specification.makePolicy(), specification.featureSchema)
    }

    static let log = """
        {"features":{"recency_days":10,"orders_90d":1,"spend_90d":80,"tenure_days":300,"email_engaged":1,"app_user":0},"actions":["no_offer","free_shipping"],"action":"free_shipping","propensity":0.5,"reward":1}
        {"features":{"recency_days":40,"orders_90d":0,"spend_90d":0,"tenure_days":30,"email_engaged":0,"app_user":1},"actions":["no_offer","ten_percent","bundle_deal","loyalty_points"],"action":1,"propensity":0.25,"reward":0}
        """

    @Test func aClaimedFileIsEvaluatedThroughTheLoadersPolicyAndOthersKeepTheirFormats() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attune-target-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = try String(contentsOfFile: Self.policyPath, encoding: .utf8)
        #expect(original.contains("\"attune.policy/1\""))
        let other = directory + "/other.json", refused = directory + "/refused.json"
        try original.replacingOccurrences(of: "\"attune.policy/1\"", with: "\"test.other/1\"").write(toFile: other, atomically: true, encoding: .utf8)
        try original.replacingOccurrences(of: "\"attune.policy/1\"", with: "\"refuse\"").write(toFile: refused, atomically: true, encoding: .utf8)
        let log = try DecisionLog.parse(Self.log, format: .attune)

        // Through the loader: the untrained LinUCB's uniform distribution over each line's candidates.
        let target = try TargetSource(other).distributions(on: log, loader: Self.loader)
        #expect(target.count == 6)
        for (k, p) in target.enumerated() { #expect(abs(p - (k < 2 ? 0.5 : 0.25)) < 1e-12) }
        // Without it the format is unknown; a file the loader does not claim reads as before.
        #expect(throws: EvaluationError.self) { _ = try TargetSource(other).distributions(on: log) }
        #expect(try TargetSource(Self.policyPath).distributions(on: log, loader: Self.loader) == target)
        // A loader's error names the file.
        #expect {
            _ = try TargetSource(refused).distributions(on: log, loader: Self.loader)
        } throws: { error in
            guard case EvaluationError.targetFailed(_, let reason) = error else { return false }
            return reason.contains("refused.json") && reason.contains("the loader refuses")
        }
    }
}
