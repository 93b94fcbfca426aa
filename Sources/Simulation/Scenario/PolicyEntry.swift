import Foundation

/// One policy of a study, as named in a scenario's `policies` list.
///
/// ```json
/// {"name": "random", "baseline": "random"}
/// {"name": "always-free-shipping", "baseline": "fixed", "action": "free_shipping"}
/// {"name": "linucb", "policy_file": "policies/linucb-offers.json"}
/// {"name": "ts", "policy": {"format": "attune.policy/1", …}}
/// {"name": "policy-gradient", "policy_file": "policies/clv-policy-gradient.json",
///  "training": {"populations": 40, "seed": 900000, "from_scratch": true}}
/// ```
/// A policy file may be an `attune.policy/1` bandit or an `attune.policy-gradient/1` softmax
/// policy; the latter may carry a `training` plan (see ``TrainingPlan``).
public struct PolicyEntry: Sendable, Equatable {
    /// How a policy-gradient policy is trained before the study evaluates it: on
    /// `populations` simulated populations of the scenario (seeds `seed`, `seed + 1`, …, which
    /// must not be evaluation seeds), one learner update per population, then frozen.
    public struct TrainingPlan: Sendable, Equatable {
        /// Training populations (one update each), ≥ 1.
        public var populations: Int
        /// The first training seed.
        public var seed: UInt64
        /// Start from an untrained scorer instead of the parameters the file holds.
        public var fromScratch: Bool
        /// Rounds per training population; by default the policy's objective horizon
        /// (`horizon_weeks`), at most the study's horizon.
        public var horizon: Int?

        /// Creates a plan.
        public init(populations: Int, seed: UInt64, fromScratch: Bool = false, horizon: Int? = nil) {
            self.populations = populations
            self.seed = seed
            self.fromScratch = fromScratch
            self.horizon = horizon
        }

        /// The training seeds.
        public var seeds: [UInt64] { (0..<populations).map { seed &+ UInt64($0) } }

        init(reading r: ObjectReader) throws(SimulationError) {
            r.declareKeys(["populations", "seed", "from_scratch", "horizon"])
            populations = try r.int("populations", in: 1...100_000, expected: "an integer in 1…100000")
            seed = UInt64(try r.int("seed", in: 0...Int(Int32.max), expected: "an integer in 0…2³¹−1"))
            fromScratch = try r.bool("from_scratch", default: false)
            horizon = r.has("horizon") ? try r.int("horizon", in: 1...1_000_000_000, expected: "an integer in 1…10⁹") : nil
        }
    }

    /// Built-in comparison policies.
    public enum Baseline: String, Sendable, Equatable, CaseIterable {
        /// Uniform over the candidates.
        case random
        /// The candidate with the highest expected reward under the simulator's truth.
        case oracle
        /// The single action with the highest total reward on each seed, chosen after the fact.
        case bestFixed = "best_fixed"
        /// Always the named action (`"action"`).
        case fixed
    }

    /// Where the policy comes from.
    public enum Source: Sendable, Equatable {
        /// A built-in baseline; `action` names the action of `fixed`.
        case baseline(Baseline, action: String?)
        /// A policy file; relative paths are tried from the working directory, then from the
        /// scenario file's directory and its parent.
        case file(path: String, scenarioDirectory: String?)
        /// An inline policy specification, kept as JSON for the policy factory.
        case inline(JSONValue)
    }

    /// The policy's name in results and log folders (letters, digits, `-`, `_`, `.`).
    public var name: String
    /// Where the policy comes from.
    public var source: Source
    /// How a policy-gradient policy is trained before evaluation (`nil`: run as the file is).
    public var training: TrainingPlan?

    /// Creates an entry.
    public init(name: String, source: Source, training: TrainingPlan? = nil) {
        self.name = name
        self.source = source
        self.training = training
    }

    init(reading r: ObjectReader) throws(SimulationError) {
        r.declareKeys(["name", "baseline", "action", "policy_file", "policy", "training"])
        name = try r.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw r.invalid("name", "'\(name)' is not a valid policy name", "use letters, digits, '-', '_' and '.' only")
        }
        let given = ["baseline", "policy_file", "policy"].filter(r.has)
        guard given.count == 1 else {
            throw r.invalidObject(given.isEmpty ? "the policy has no source" : "the policy has several sources (\(given.joined(separator: ", ")))",
                                  "give exactly one of \"baseline\", \"policy_file\" or \"policy\"")
        }
        if r.has("action") && given[0] != "baseline" {
            throw r.invalid("action", "only a \"fixed\" baseline names an action", "remove it")
        }
        switch given[0] {
        case "baseline":
            let raw = try r.choice("baseline", Baseline.allCases.map(\.rawValue))
            let baseline = Baseline(rawValue: raw) ?? .random
            let action = try r.optionalString("action")
            if baseline == .fixed && action == nil { throw r.missing("action", "the id of the action to always choose") }
            if baseline != .fixed && action != nil { throw r.invalid("action", "only a \"fixed\" baseline names an action", "remove it") }
            source = .baseline(baseline, action: action)
        case "policy_file":
            source = .file(path: try r.string("policy_file"), scenarioDirectory: nil)
        default:
            guard let value = try r.value("policy"), case .object = value else {
                throw r.invalid("policy", "expected an inline policy specification object", "write {\"format\": \"attune.policy/1\", …}")
            }
            source = .inline(value)
        }
        training = try r.optionalObject("training").map(TrainingPlan.init(reading:))
        if training != nil, case .baseline = source {
            throw r.invalid("training", "a baseline is not trained", "remove it, or name a policy-gradient policy file")
        }
    }

    /// The policy file's path as found on disk.
    /// - Throws: `SimulationError.file` when none of the tried locations exists.
    public func resolvedPolicyPath() throws(SimulationError) -> String? {
        guard case .file(let path, let directory) = source else { return nil }
        var tried = [path]
        if !path.hasPrefix("/"), let directory {
            let base = URL(fileURLWithPath: directory)
            tried.append(base.appendingPathComponent(path).path)
            tried.append(base.deletingLastPathComponent().appendingPathComponent(path).path)
        }
        for candidate in tried where FileManager.default.fileExists(atPath: candidate) { return candidate }
        throw .file(path: path, reason: "policy file of '\(name)' not found (tried \(tried.joined(separator: ", ")))")
    }

    /// The policy specification's JSON bytes (a file's contents or the inline object), or
    /// `nil` for a baseline.
    /// - Throws: `SimulationError.file` when the file cannot be read.
    public func specificationData() throws(SimulationError) -> (data: Data, source: String)? {
        switch source {
        case .baseline:
            return nil
        case .inline(let value):
            return (value.encoded(), "inline policy '\(name)'")
        case .file:
            guard let path = try resolvedPolicyPath(), let data = FileManager.default.contents(atPath: path) else {
                throw .file(path: name, reason: "cannot read the policy file")
            }
            return (data, path)
        }
    }
}
