import Foundation

/// A simulation scenario (`simulations/*.json`, format `attune.simulation/1`): the simulated
/// environment, the horizon, the seeds, how rewards reach the learners, and the policies to
/// compare.
///
/// ```json
/// {
///   "format": "attune.simulation/1",
///   "id": "linear-d20-k10",
///   "kind": "linear_contextual",
///   "horizon": 100000,
///   "seeds": {"count": 10, "base": 1},
///   "linear_contextual": {"dimension": 20, "actions": 10,
///                         "context": {"distribution": "standard_normal"},
///                         "reward": {"model": "bernoulli_logistic", "seed": 7}},
///   "policies": [{"name": "random", "baseline": "random"},
///                {"name": "linucb", "policy_file": "policies/linucb-d20-k10.json"}]
/// }
/// ```
/// Decoding is strict: an unknown key anywhere is an error naming its JSONPath and the
/// nearest known key.
public struct Scenario: Sendable {
    /// The only format this build reads.
    public static let currentFormat = "attune.simulation/1"

    /// The environment of a scenario.
    public enum Environment: Sendable {
        /// The textbook linear contextual bandit (exact regret).
        case linearContextual(LinearContextualSpecification)
        /// Simulated retail customers.
        case retail(RetailSpecification)
    }

    /// The scenario's identifier, used in reports and log file names.
    public var id: String
    /// Free text for people.
    public var description: String?
    /// The simulated environment.
    public var environment: Environment
    /// Decision opportunities per run (customer arrivals for `retail`).
    public var horizon: Int
    /// The seeds of the study: run `i` uses seed `base + i`.
    public var seeds: SeedPlan
    /// How and when rewards reach the learners.
    public var feedback: FeedbackSpecification
    /// The policies to compare, in report order.
    public var policies: [PolicyEntry]
    /// Number of points of each learning curve.
    public var curvePoints: Int

    /// The seeds of a study.
    public struct SeedPlan: Sendable, Equatable {
        /// Number of independent runs per policy (≥ 1).
        public var count: Int
        /// The first seed; run `i` uses `base + i`.
        public var base: UInt64

        /// Creates a seed plan.
        public init(count: Int, base: UInt64) {
            self.count = count
            self.base = base
        }

        /// The seeds, in run order.
        public var values: [UInt64] { (0..<count).map { base &+ UInt64($0) } }
    }

    /// Creates a scenario from its parts.
    public init(id: String, description: String? = nil, environment: Environment, horizon: Int, seeds: SeedPlan,
                feedback: FeedbackSpecification = FeedbackSpecification(), policies: [PolicyEntry], curvePoints: Int = 50) {
        self.id = id
        self.description = description
        self.environment = environment
        self.horizon = horizon
        self.seeds = seeds
        self.feedback = feedback
        self.policies = policies
        self.curvePoints = curvePoints
    }

    /// Reads a scenario file.
    /// - Throws: `SimulationError.file` when unreadable, otherwise as ``init(decoding:source:)``.
    public init(contentsOfFile path: String) throws(SimulationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .file(path: path, reason: "cannot read the scenario file")
        }
        try self.init(decoding: data, source: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        for i in policies.indices {
            if case .file(let file, _) = policies[i].source {
                policies[i].source = .file(path: file, scenarioDirectory: base.path)
            }
        }
    }

    /// Decodes and validates a scenario document.
    /// - Parameter source: the document's name for messages (a file path).
    /// - Throws: `SimulationError.unknownKey` or `SimulationError.invalidScenario` naming the
    ///   JSONPath and the line:column (`source:line:column`) of the first problem.
    public init(decoding data: Data, source: String = "scenario") throws(SimulationError) {
        self = try ObjectReader.read(data, source: source) { root throws(SimulationError) in try Scenario(reading: root) }
    }

    /// Decodes the root object of a scenario document.
    init(reading root: ObjectReader) throws(SimulationError) {
        root.declareKeys(["format", "id", "description", "kind", "horizon", "seeds", "feedback", "policies",
                                  "curve_points", "linear_contextual", "retail"])
        let format = try root.string("format")
        guard format == Scenario.currentFormat else {
            throw root.invalid("format", "unknown format '\(format)'", "this build reads \"\(Scenario.currentFormat)\"")
        }
        id = try root.string("id")
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw root.invalid("id", "'\(id)' is not a valid identifier", "use letters, digits, '-' and '_' only")
        }
        description = try root.optionalString("description")
        horizon = try root.int("horizon", in: 1...1_000_000_000, expected: "an integer in 1…10⁹")
        curvePoints = try root.int("curve_points", default: 50, in: 1...10_000, expected: "an integer in 1…10000")
        if let s = try root.optionalObject("seeds") {
            s.declareKeys(["count", "base"])
            seeds = SeedPlan(count: try s.int("count", in: 1...10_000, expected: "an integer in 1…10000"),
                             base: UInt64(try s.int("base", default: 1, in: 0...Int(Int32.max), expected: "an integer in 0…2³¹−1")))
        } else {
            seeds = SeedPlan(count: 1, base: 1)
        }
        feedback = try root.optionalObject("feedback").map(FeedbackSpecification.init(reading:)) ?? FeedbackSpecification()
        let kind = try root.choice("kind", ["linear_contextual", "retail"])
        for other in ["linear_contextual", "retail"] where other != kind && root.has(other) {
            throw root.invalid(other, "a '\(kind)' scenario cannot have a '\(other)' section", "remove it or change \"kind\"")
        }
        switch kind {
        case "linear_contextual":
            environment = .linearContextual(try LinearContextualSpecification(reading: root.object("linear_contextual")))
        default:
            environment = .retail(try RetailSpecification(reading: root.object("retail")))
        }
        let entries = try root.objects("policies")
        guard !entries.isEmpty else {
            throw root.invalid("policies", "the list is empty", "name at least one policy or baseline")
        }
        var names = Set<String>()
        policies = []
        for entry in entries {
            let policy = try PolicyEntry(reading: entry)
            guard names.insert(policy.name).inserted else {
                throw entry.invalid("name", "policy name '\(policy.name)' appears twice", "give every policy a unique name")
            }
            policies.append(policy)
        }
    }

    /// The action identifiers of the scenario's catalog, in catalog order.
    public var actionIDs: [String] {
        switch environment {
        case .linearContextual(let s): return s.actionIDs
        case .retail(let s): return s.actions.map(\.id)
        }
    }
}

/// How rewards reach the learners: after a delay, within a reward window.
///
/// A decision made in round t is learned in round `t + min(delay, window)`: with the observed
/// reward when `delay ≤ window`, with `default_reward` otherwise (the window closed first).
/// Metrics always count the reward the customer actually produced.
public struct FeedbackSpecification: Sendable, Equatable {
    /// How delays are drawn.
    public enum Delay: String, Sendable, Equatable {
        /// Every reward arrives `delayRounds` rounds after its decision.
        case fixed
        /// Delays are geometric on {0, 1, …} with mean `delayRounds`.
        case geometric
    }
    /// The delay distribution.
    public var delay: Delay
    /// The (mean) delay, in rounds.
    public var delayRounds: Int
    /// The reward window, in rounds: rewards later than this are replaced by `defaultReward`.
    public var windowRounds: Int
    /// The reward learned when the window closes first.
    public var defaultReward: Double

    /// Creates a feedback specification; the default is immediate feedback.
    public init(delay: Delay = .fixed, delayRounds: Int = 0, windowRounds: Int? = nil, defaultReward: Double = 0) {
        self.delay = delay
        self.delayRounds = delayRounds
        self.windowRounds = windowRounds ?? delayRounds
        self.defaultReward = defaultReward
    }

    init(reading r: ObjectReader) throws(SimulationError) {
        r.declareKeys(["delay", "delay_rounds", "window_rounds", "default_reward"])
        delay = Delay(rawValue: try r.choice("delay", ["fixed", "geometric"], default: "fixed")) ?? .fixed
        delayRounds = try r.int("delay_rounds", default: 0, in: 0...100_000, expected: "an integer in 0…100000")
        let defaultWindow = delay == .fixed ? delayRounds : nil
        guard let window = try r.optionalInt("window_rounds") ?? defaultWindow else {
            throw r.missing("window_rounds", "the reward window in rounds (geometric delays are unbounded)")
        }
        guard (0...100_000).contains(window) else { throw r.outOfRange("window_rounds", "\(window)", "an integer in 0…100000") }
        windowRounds = window
        defaultReward = try r.double("default_reward", default: 0)
    }

    /// The largest lag between a decision and its learning, in rounds.
    var maximumLag: Int { delay == .fixed ? min(delayRounds, windowRounds) : windowRounds }
}
