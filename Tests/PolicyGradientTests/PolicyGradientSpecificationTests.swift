import Foundation
import AttuneCore
import Bandits
import Testing
import _AttuneTestSupport
@testable import PolicyGradient

@Suite struct PolicyGradientSpecificationTests {
    /// The package root, from this file's path (Tests/PolicyGradientTests/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ name: String) throws -> PolicyGradientSpecification {
        try PolicyGradientSpecification(contentsOfFile: root.appendingPathComponent("policies/\(name)").path)
    }

    @Test func clvPolicyFileLoadsAndConforms() throws {
        let spec = try Self.load("clv-policy-gradient.json")
        #expect(spec.objective.horizonWeeks == 26)
        #expect(try spec.learnerConfiguration().objective == .ppo)
        let failures = PolicyConformance.check(makePolicy: { try spec.makeLinearPolicy() })
        #expect(failures.isEmpty, "\(failures)")
        let policy = try spec.makePolicy()
        #expect(policy.catalog.count == 4 && policy.contextDimension == 5)
        // The trained parameters load in the scorer's layout: the distribution the training
        // run reported at an average customer (rounded to 3 decimals there).
        let p = try policy.distribution(for: Context(features: [0.25, 0.65, 0.2, 0.7, 1]), among: [0, 1, 2, 3]).probabilities
        for (value, reported) in zip(p, [0.014, 0.164, 0.087, 0.734]) { #expect(abs(value - reported) < 0.001, "\(p)") }
    }

    @Test func gaussianPricingFileLoadsWithinItsGuardrails() throws {
        let spec = try Self.load("gaussian-pricing.json")
        let policy = try spec.makeGaussianPricePolicy()
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<200 {
            let d = try policy.decide(for: [0.5, -1, 0.2, 1], using: &rng)
            #expect(d.price >= 19 && d.price <= 34)
        }
        // Over its catalog of price points it is a Policy; without a catalog it is not.
        #expect(try spec.makePolicy() is GaussianPricePointPolicy)
        var withoutCatalog = spec
        withoutCatalog.catalog = nil
        #expect(throws: PolicyGradientError.self) { _ = try withoutCatalog.makePolicy() }
    }

    @Test func factoryHookRecognisesItsFormatOnly() throws {
        let pg = try Data(contentsOf: Self.root.appendingPathComponent("policies/clv-policy-gradient.json"))
        let bandit = try Data(contentsOf: Self.root.appendingPathComponent("policies/offers-linucb.json"))
        #expect(PolicyGradientSpecification.isPolicyGradientDocument(pg))
        #expect(!PolicyGradientSpecification.isPolicyGradientDocument(bandit))
        #expect(!PolicyGradientSpecification.isPolicyGradientDocument(Data("not json".utf8)))
        let policy = try PolicyGradientSpecification.makePolicy(specification: pg, source: "clv")
        #expect(policy.catalog.count == 4)
        #expect(throws: PolicyGradientError.self) { _ = try PolicyGradientSpecification.makePolicy(specification: bandit, source: "linucb") }
    }

    static let broken: [(String, String)] = [
        ("\"format\": \"attune.policy-gradient/1\"", "\"format\": \"attune.policy/1\""),
        ("\"discount_per_week\": 0.99", "\"discount_per_week\": 1.5"),
        ("\"kind\": \"linear\"", "\"kind\": \"quadratic\""),
        ("\"kind\": \"softmax\"", "\"kind\": \"beta\""),
        ("\"algorithm\": \"ppo\"", "\"algorithm\": \"dqn\""),
        ("\"epochs\": 4", "\"epochs\": 0"),
        ("\"epochs\": 4", "\"epocs\": 4"),
        ("\"parameters\": [-0.226118, ", "\"parameters\": ["),
    ]

    @Test(arguments: broken.indices)
    func brokenFilesAreRefusedWithTheirPath(index: Int) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("policies/clv-policy-gradient.json"), encoding: .utf8)
        let (from, to) = Self.broken[index]
        #expect(text.contains(from))
        let damaged = text.replacingOccurrences(of: from, with: to)
        #expect {
            let spec = try PolicyGradientSpecification(decoding: Data(damaged.utf8))
            _ = try spec.makePolicy()
        } throws: { error in
            guard case .invalidSpecification = error as? PolicyGradientError else { return false }
            return true
        }
    }
}
