import AttuneCore
import Bandits

/// The contract every ``Policy`` must meet, checked on a seeded stream of decisions.
///
/// ``check(makePolicy:makeContext:rounds:seed:)`` returns a list of failures (empty when the
/// policy conforms), so a test states `#expect(failures.isEmpty, "\(failures)")`. It checks:
/// - every distribution is a valid PMF over the candidates (one finite, non-negative entry
///   per candidate, summing to 1 within 1e-12);
/// - `decide` draws a candidate, reports its position, and `propensity` is the chosen
///   candidate's probability;
/// - `decide` samples from the very distribution `distribution(for:among:)` reports;
/// - the same seed gives the same decisions (two fresh policies, same streams);
/// - snapshot → JSON bytes → restore into a fresh policy gives bit-identical decisions and
///   learning afterwards; damaged or foreign snapshots are refused with typed errors;
/// - NaN and infinite features, wrong dimensions, out-of-range, unknown and all-excluded
///   candidates, NaN rewards and bad actions throw the typed `BanditsError`, and leave the
///   model version unchanged; an empty catalog cannot be built.
public enum PolicyConformance {
    /// Runs every check on policies made by `makePolicy`.
    /// - Parameters:
    ///   - makePolicy: Makes a fresh, untrained policy; called several times, each call must
    ///     give the same configuration.
    ///   - makeContext: Draws a valid context; the default draws standard-normal features of
    ///     the policy's dimension and no segment.
    ///   - reward: The reward of an action in a context; the default is a fixed Bernoulli-like
    ///     function of both, in [0, 1].
    ///   - rounds: Decide/learn rounds before and after the snapshot.
    ///   - seed: Seed of the streams.
    /// - Returns: A description of each failed check (empty when the policy conforms).
    public static func check<P: Policy>(
        makePolicy: () throws -> P,
        makeContext: ((inout SeededGenerator, Int) -> Context)? = nil,
        reward: ((Context, Int) -> Double)? = nil,
        rounds: Int = 40,
        seed: UInt64 = 7
    ) -> [String] {
        var failures: [String] = []
        let drawContext = makeContext ?? { rng, d in Context(features: (0..<d).map { _ in rng.nextStandardNormal() }) }
        let rewardOf = reward ?? { context, action in
            let s = context.features.enumerated().reduce(0.0) { $0 + $1.element * Double(($1.offset + action) % 3 - 1) }
            return s > 0 ? 1 : 0
        }
        guard var policy = attempt(&failures, "makePolicy", makePolicy) else { return failures }
        guard var twin = attempt(&failures, "makePolicy (second)", makePolicy) else { return failures }

        // MARK: stream, PMF, propensity, determinism
        var rngA = SeededGenerator(seed: seed)
        var rngB = SeededGenerator(seed: seed)
        for round in 0..<rounds {
            let context = drawContext(&rngA, policy.contextDimension)
            _ = drawContext(&rngB, twin.contextDimension)
            let candidates = Self.candidates(count: policy.catalog.count, using: &rngA)
            _ = Self.candidates(count: twin.catalog.count, using: &rngB)
            let label = "round \(round)"
            guard let expected = attempt(&failures, "\(label): distribution", { try policy.distribution(for: context, among: candidates) }),
                  let decision = attempt(&failures, "\(label): decide", { try policy.decide(for: context, among: candidates, using: &rngA) }),
                  let other = attempt(&failures, "\(label): decide (twin)", { try twin.decide(for: context, among: candidates, using: &rngB) })
            else { return failures }
            failures += pmfFailures(decision, candidates: candidates, label: label)
            if !sameProbabilities(expected.probabilities, decision.probabilities) {
                failures.append("\(label): decide used \(decision.probabilities), distribution(for:among:) reported \(expected.probabilities)")
            }
            if decision != other {
                failures.append("\(label): same seed, different decisions: \(decision) vs \(other)")
            }
            let r = rewardOf(context, decision.action)
            _ = attempt(&failures, "\(label): learn") { try policy.learn(from: Interaction(context: context, decision: decision, reward: r)) }
            _ = attempt(&failures, "\(label): learn (twin)") { try twin.learn(from: Interaction(context: context, decision: other, reward: r)) }
            if failures.count > 10 { return failures }
        }

        // MARK: snapshot / restore
        failures += snapshotFailures(policy: policy, makePolicy: makePolicy, drawContext: drawContext,
                                     rewardOf: rewardOf, rounds: rounds, seed: seed &+ 1)

        // MARK: typed errors
        failures += errorFailures(policy: &policy, drawContext: drawContext, seed: seed &+ 2)
        return failures
    }

    // MARK: - Pieces

    static func pmfFailures(_ decision: Decision, candidates: [Int], label: String) -> [String] {
        var failures: [String] = []
        let p = decision.probabilities
        if p.count != candidates.count {
            failures.append("\(label): \(p.count) probabilities for \(candidates.count) candidates")
            return failures
        }
        if p.contains(where: { !$0.isFinite || $0 < 0 }) { failures.append("\(label): invalid probabilities \(p)") }
        let sum = p.reduce(0, +)
        if abs(sum - 1) > 1e-12 { failures.append("\(label): probabilities sum to \(sum)") }
        if decision.candidates != candidates { failures.append("\(label): decision.candidates \(decision.candidates) != \(candidates)") }
        guard decision.position >= 0, decision.position < candidates.count else {
            failures.append("\(label): position \(decision.position) outside the candidates")
            return failures
        }
        if decision.action != candidates[decision.position] {
            failures.append("\(label): action \(decision.action) is not candidates[\(decision.position)]")
        }
        if decision.propensity != p[decision.position] || !(decision.propensity > 0) {
            failures.append("\(label): propensity \(decision.propensity) is not the chosen probability \(p[decision.position])")
        }
        return failures
    }

    static func snapshotFailures<P: Policy>(
        policy: P, makePolicy: () throws -> P, drawContext: (inout SeededGenerator, Int) -> Context,
        rewardOf: (Context, Int) -> Double, rounds: Int, seed: UInt64
    ) -> [String] {
        var failures: [String] = []
        var original = policy
        guard let snapshot = attempt(&failures, "snapshot", { try original.snapshot() }),
              let bytes = attempt(&failures, "snapshot.encoded", { try snapshot.encoded() }),
              let decoded = attempt(&failures, "PolicySnapshot(decoding:)", { try PolicySnapshot(decoding: bytes) }),
              var restored = attempt(&failures, "makePolicy", makePolicy)
        else { return failures }
        if decoded != snapshot { failures.append("snapshot changed through its JSON bytes") }
        _ = attempt(&failures, "restore") { try restored.restore(from: decoded) }
        if restored.modelVersion != original.modelVersion {
            failures.append("restored model version \(restored.modelVersion) != \(original.modelVersion)")
        }
        var rngA = SeededGenerator(seed: seed)
        var rngB = SeededGenerator(seed: seed)
        for round in 0..<rounds {
            let context = drawContext(&rngA, original.contextDimension)
            _ = drawContext(&rngB, restored.contextDimension)
            let candidates = Self.candidates(count: original.catalog.count, using: &rngA)
            _ = Self.candidates(count: restored.catalog.count, using: &rngB)
            guard let a = attempt(&failures, "after restore, round \(round): decide", { try original.decide(for: context, among: candidates, using: &rngA) }),
                  let b = attempt(&failures, "after restore, round \(round): decide (restored)", { try restored.decide(for: context, among: candidates, using: &rngB) })
            else { return failures }
            if a != b || !sameProbabilities(a.probabilities, b.probabilities) {
                failures.append("after restore, round \(round): \(a) vs \(b)")
                return failures
            }
            let r = rewardOf(context, a.action)
            _ = attempt(&failures, "after restore: learn") { try original.learn(from: Interaction(context: context, decision: a, reward: r)) }
            _ = attempt(&failures, "after restore: learn (restored)") { try restored.learn(from: Interaction(context: context, decision: b, reward: r)) }
        }
        // Damage and foreign snapshots.
        var damaged = snapshot
        if !damaged.payload.isEmpty {
            damaged.payload[damaged.payload.startIndex] ^= 0x01
            expectError(&failures, "restore of a damaged payload", isCorrupt) { try restored.restore(from: damaged) }
        }
        var foreign = snapshot
        foreign.fingerprint = String(repeating: "0", count: 16)
        foreign.checksum = PolicySnapshot.fnv1a64(foreign.payload)
        expectError(&failures, "restore of another configuration's snapshot", isMismatch) { try restored.restore(from: foreign) }
        var otherKind = snapshot
        otherKind.kind += "_other"
        expectError(&failures, "restore of another kind's snapshot", isMismatch) { try restored.restore(from: otherKind) }
        var future = snapshot
        future.format = "attune.snapshot/999"
        expectError(&failures, "restore of an unknown format", isCorrupt) { try restored.restore(from: future) }
        return failures
    }

    static func errorFailures<P: Policy>(policy: inout P, drawContext: (inout SeededGenerator, Int) -> Context, seed: UInt64) -> [String] {
        var failures: [String] = []
        var rng = SeededGenerator(seed: seed)
        let d = policy.contextDimension
        let k = policy.catalog.count
        let good = drawContext(&rng, d)
        let all = Array(0..<k)
        let version = policy.modelVersion
        var bad: [(String, Context, (BanditsError) -> Bool)] = []
        for (value, name) in [(Double.nan, "NaN"), (Double.infinity, "+inf"), (-Double.infinity, "-inf")] where d > 0 {
            var c = good
            c.features[d / 2] = value
            bad.append(("\(name) feature", c, { if case .nonFiniteFeature = $0 { return true }; return false }))
        }
        var longer = good
        longer.features.append(0)
        bad.append(("dimension d+1", longer, { if case .dimensionMismatch = $0 { return true }; return false }))
        if d > 0 {
            var shorter = good
            shorter.features.removeLast()
            bad.append(("dimension d-1", shorter, { if case .dimensionMismatch = $0 { return true }; return false }))
        }
        for (label, context, matches) in bad {
            expectError(&failures, "decide with \(label)", matches) { _ = try policy.decide(for: context, among: all, using: &rng) }
            expectError(&failures, "distribution with \(label)", matches) { _ = try policy.distribution(for: context, among: all) }
            expectError(&failures, "learn with \(label)", matches) {
                try policy.learn(from: Interaction(context: context, candidates: all, action: 0, reward: 1))
            }
        }
        let outOfRange: (BanditsError) -> Bool = { if case .actionIndexOutOfRange = $0 { return true }; return false }
        let noneLeft: (BanditsError) -> Bool = { $0 == .noEligibleAction }
        expectError(&failures, "decide among index -1", outOfRange) { _ = try policy.decide(for: good, among: [0, -1], using: &rng) }
        expectError(&failures, "decide among index \(k)", outOfRange) { _ = try policy.decide(for: good, among: [k], using: &rng) }
        expectError(&failures, "decide among no candidate", noneLeft) { _ = try policy.decide(for: good, among: [], using: &rng) }
        expectError(&failures, "learn of action \(k)", outOfRange) {
            try policy.learn(from: Interaction(context: good, candidates: all, action: k, reward: 1))
        }
        expectError(&failures, "learn with a NaN reward", { if case .nonFiniteReward = $0 { return true }; return false }) {
            try policy.learn(from: Interaction(context: good, candidates: all, action: 0, reward: .nan))
        }
        let catalog = policy.catalog
        expectError(&failures, "candidates with an unknown id", { if case .unknownAction = $0 { return true }; return false }) {
            _ = try catalog.candidates(ids: [ActionID("no-such-action-\(k)")])
        }
        expectError(&failures, "candidates with every action excluded", noneLeft) {
            _ = try catalog.candidates(excluding: Set(catalog.actions.map(\.id)))
        }
        expectError(&failures, "an empty catalog", { $0 == .emptyCatalog }) { _ = try ActionCatalog([]) }
        if policy.modelVersion != version {
            failures.append("failed calls changed the model version from \(version) to \(policy.modelVersion)")
        }
        return failures
    }

    // MARK: - Helpers

    /// A random non-empty subset of `0..<count` in random order (every action on round 0-like draws).
    static func candidates(count: Int, using rng: inout SeededGenerator) -> [Int] {
        let size = rng.nextUniform() < 0.5 ? count : 1 + Int(rng.nextUniform() * Double(count))
        let indices = (try? rng.sampleIndices(min(size, count), from: count)) ?? Array(0..<count)
        return indices.isEmpty ? [0] : indices
    }

    static func sameProbabilities(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 }
    }

    static func isCorrupt(_ error: BanditsError) -> Bool { if case .corruptSnapshot = error { return true }; return false }
    static func isMismatch(_ error: BanditsError) -> Bool { if case .snapshotMismatch = error { return true }; return false }

    static func attempt<T>(_ failures: inout [String], _ label: String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            failures.append("\(label) threw \(error)")
            return nil
        }
    }

    static func expectError(_ failures: inout [String], _ label: String, _ matches: (BanditsError) -> Bool, _ body: () throws -> Void) {
        do {
            try body()
            failures.append("\(label) did not throw")
        } catch let error as BanditsError {
            if !matches(error) { failures.append("\(label) threw the wrong error: \(error)") }
        } catch {
            failures.append("\(label) threw \(type(of: error)), not BanditsError: \(error)")
        }
    }
}
