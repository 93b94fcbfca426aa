import AttuneCore
import Bandits
import Foundation
import Testing
import _AttuneTestSupport

@Suite("Policy files")
struct PolicySpecificationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let files = ["offers-linucb", "pricing-thompson", "content-slots"]

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent("policies/\(name).json"))
    }

    static func conformance<P: Policy>(_ first: P, segments: Int?, _ make: @escaping () throws -> any Policy) -> [String] {
        PolicyConformance.check(
            makePolicy: { () throws -> P in
                guard let policy = try make() as? P else { throw BanditsError.snapshotMismatch(reason: "another type") }
                return policy
            },
            makeContext: { rng, d in
                Context(features: (0..<d).map { _ in rng.nextStandardNormal() },
                        segment: segments.map { Int(rng.nextUniform() * Double($0)) })
            })
    }

    @Test(arguments: files)
    func shippedPolicyLoadsBuildsAndConforms(name: String) throws {
        let specification = try PolicySpecification(decoding: Self.data(name), source: "\(name).json")
        #expect(specification.id == name)
        let policy = try specification.makePolicy()
        #expect(policy.catalog.count == specification.catalog.count)
        #expect(policy.contextDimension == specification.featureSchema.dimension)
        let failures = Self.conformance(policy, segments: specification.segmentation?.count) { try specification.makePolicy() }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func snapshotOfAnotherFileIsRefused() throws {
        let original = try PolicySpecification(decoding: Self.data("offers-linucb"))
        var edited = original
        edited.algorithm.alpha = 0.9
        let snapshot = try original.makePolicy().snapshot()
        var other = try edited.makePolicy()
        #expect(throws: BanditsError.self) { try other.restore(from: snapshot) }
        do {
            try other.restore(from: snapshot)
        } catch {
            guard case .snapshotMismatch = error else { Issue.record("\(error)"); return }
        }
        var same = try original.makePolicy()
        try same.restore(from: snapshot)
    }

    @Test func offersFileGuardEnforcesItsCaps() throws {
        let specification = try PolicySpecification(decoding: Self.data("offers-linucb"))
        var guardrail = try specification.makeDecisionGuard()
        // free_shipping (1) is capped at 3 exposures per customer and week.
        for t in 0..<3 { try guardrail.recordExposure(of: 1, customer: "c", at: Double(t)) }
        #expect(!guardrail.isEligible(1, customer: "c", at: 10))
        #expect(guardrail.isEligible(1, customer: "d", at: 10))
        #expect(guardrail.isEligible(1, customer: "c", at: 604_800 + 3))
    }

    @Test func fingerprintIsStableAndSensitive() throws {
        let a = try PolicySpecification(decoding: Self.data("pricing-thompson"))
        let b = try PolicySpecification(decoding: Self.data("pricing-thompson"))
        var c = a
        c.catalog[0].cost = 12
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
    }

    // MARK: - Bad files

    /// (edit of the offers file, the path the error must name)
    static let badEdits: [(String, String, String)] = [
        ("\"alpha\": 0.8", "\"alpah\": 0.8", "$.algorithm.alpah"),
        ("\"format\": \"attune.policy/1\"", "\"format\": \"attune.policy/2\"", "$.format"),
        ("\"window_seconds\": 604800}", "\"window_seconds\": -1}", "$.reward.window_seconds"),
        ("\"alpha\": 0.8", "\"alpha\": -0.8", "$.algorithm.alpha"),
        ("\"alpha\": 0.8", "\"alpha\": 0.8, \"samples\": 4", "$.algorithm.samples"),
        ("\"amount\": 25000", "\"amount\": 0", "$.constraints.budgets[0].amount"),
        ("[\"ten_percent\", \"bundle_deal\"]", "[\"ten_percent\", \"bundel_deal\"]", "$.constraints.budgets[0].actions[1]"),
        ("{\"id\": \"loyalty_points\"", "{\"id\": \"free_shipping\"", "$.catalog[4].id"),
        ("\"max_exposures\": 3", "\"max_exposures\": \"3\"", "$.constraints.frequency_caps[0].max_exposures"),
        ("\"intercept\": true", "\"intercept\": true, \"scaling\": 1", "$.feature_schema.scaling"),
        ("{\"feature\": \"orders_90d\"", "{\"feature\": \"orders_91d\"", "$.catalog[5].eligibility.rules[0].feature"),
        ("\"scale\": 20}", "\"scale\": 0}", "$.feature_schema.features[0].scale"),
        ("\"forgetting\": 1.0}", "\"window\": 0}", "$.algorithm.window"),
        ("\"forgetting\": 1.0}", "\"forgetting\": 0.9, \"window\": 50}", "$.algorithm.window"),
        ("\"forgetting\": 1.0}", "\"window\": 2.5}", "$.algorithm.window"),
        ("\"forgetting\": 1.0}", "\"windw\": 50}", "$.algorithm.windw"),
        ("\"kind\": \"linucb\", \"alpha\": 0.8, \"ridge\": 1.0, \"forgetting\": 1.0}", "\"kind\": \"ucb1\", \"window\": 10}",
         "$.algorithm.window"),
    ]

    @Test(arguments: badEdits)
    func badFileNamesThePath(edit: (String, String, String)) throws {
        let text = try #require(String(data: Self.data("offers-linucb"), encoding: .utf8))
        #expect(text.contains(edit.0))
        let broken = text.replacingOccurrences(of: edit.0, with: edit.1)
        do {
            _ = try PolicySpecification(decoding: Data(broken.utf8), source: "offers.json")
            Issue.record("accepted \(edit.1)")
        } catch {
            guard case .invalidSpecification(let path, _, _) = error else { Issue.record("\(error)"); return }
            #expect(path.hasSuffix(edit.2), "\(error)")
        }
    }

    @Test func misspelledKeySuggestsTheRightOne() throws {
        let text = try #require(String(data: Self.data("offers-linucb"), encoding: .utf8))
        let broken = text.replacingOccurrences(of: "\"alpha\": 0.8", with: "\"alpah\": 0.8")
        #expect(throws: BanditsError.self) { try PolicySpecification(decoding: Data(broken.utf8), source: "offers.json") }
        do {
            _ = try PolicySpecification(decoding: Data(broken.utf8), source: "offers.json")
        } catch {
            #expect(error.description.contains("did you mean 'alpha'"), "\(error)")
            #expect(error.description.contains("offers.json:"), "\(error)")
        }
    }

    @Test func emptyCatalogIsRefused() throws {
        var specification = try PolicySpecification(decoding: Self.data("content-slots"))
        specification.catalog = []
        specification.slots = nil
        #expect(throws: BanditsError.self) { try specification.makePolicy() }
    }

    static let newKinds: [AlgorithmSpecification] = [
        AlgorithmSpecification(kind: .sharedThompson, ridge: 1, variance: 0.25, samples: 4),
        AlgorithmSpecification(kind: .sharedThompson, forgetting: 0.9, samples: 4),
        AlgorithmSpecification(kind: .sharedLinucb, alpha: 1, forgetting: 0.9),
        AlgorithmSpecification(kind: .hybridThompson, variance: 0.25, samples: 4),
        AlgorithmSpecification(kind: .logisticUCB, alpha: 1, forgetting: 0.99),
        AlgorithmSpecification(kind: .linucb, window: 30),
        AlgorithmSpecification(kind: .linearThompson, samples: 4, window: 30),
        AlgorithmSpecification(kind: .ucb1, forgetting: 0.95),
        AlgorithmSpecification(kind: .bootstrapThompson, forgetting: 0.95, samples: 4, bags: 4),
        AlgorithmSpecification(kind: .logisticThompson, forgetting: 0.95, samples: 4),
    ]

    @Test(arguments: newKinds)
    func nonStationaryAndPosteriorKindsBuildAndConform(algorithm: AlgorithmSpecification) throws {
        var specification = try PolicySpecification(decoding: Self.data("offers-linucb"))
        specification.segmentation = nil
        for i in specification.catalog.indices { specification.catalog[i].features = [1, Double(i % 3) - 1] }
        specification.algorithm = algorithm
        let policy = try specification.makePolicy()
        let failures = Self.conformance(policy, segments: nil) { try specification.makePolicy() }
        #expect(failures.isEmpty, "\(algorithm.kind): \(failures)")
    }
}

@Suite("Eligibility")
struct EligibilityTests {
    @Test func rulesSegmentsAndExclusionsFilterTheCatalog() throws {
        var specification = try PolicySpecification(decoding: PolicySpecificationTests.data("offers-linucb"))
        // vip_preview (index 5) needs orders_90d >= 3.
        #expect(try specification.eligibleActions(for: ["orders_90d": 4], segment: nil) == [0, 1, 2, 3, 4, 5])
        #expect(try specification.eligibleActions(for: ["orders_90d": 1], segment: nil) == [0, 1, 2, 3, 4])
        // A missing value takes the feature's default (0 here), which fails the rule.
        #expect(try specification.eligibleActions(for: [:], segment: nil) == [0, 1, 2, 3, 4])
        #expect(try specification.eligibleActions(for: ["orders_90d": 5], segment: nil, excluding: ["no_offer", "bundle_deal"]) == [1, 2, 4, 5])
        specification.catalog[1].eligibility = EligibilitySpecification(segments: [2])
        #expect(try specification.eligibleActions(for: [:], segment: 2) == [0, 1, 2, 3, 4])
        #expect(try specification.eligibleActions(for: [:], segment: 1) == [0, 2, 3, 4])
        #expect(try specification.eligibleActions(for: [:], segment: nil) == [0, 2, 3, 4])
        #expect(throws: BanditsError.unknownAction("nope")) { try specification.eligibleActions(for: [:], segment: nil, excluding: ["nope"]) }
        let everything = Set(specification.catalog.map(\.id))
        #expect(throws: BanditsError.noEligibleAction) { try specification.eligibleActions(for: [:], segment: nil, excluding: everything) }
    }
}
