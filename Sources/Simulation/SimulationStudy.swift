import Bandits
import Foundation
import PolicyGradient

/// A scenario made runnable: its environment, its policies, and the runner settings, with
/// the command line's overrides (seeds, horizon, log directory).
///
/// Learner policies (policy files and inline specifications) are built by `policyFactory`,
/// which receives the specification's JSON bytes and a name for messages (by default the
/// `attune.policy/1` decoder and factory of `Bandits`); baselines need none. Policy-gradient
/// files (`attune.policy-gradient/1`) are recognised by their format: with a `training` plan
/// they are trained on simulated populations of the scenario before the study (seeds
/// disjoint from the evaluation seeds, see ``JourneyTrainer``), then run frozen beside the
/// others on the same seeds; ``StudyResult/comparisons`` gives each one's paired difference
/// with the best bandit.
public struct SimulationStudy: Sendable {
    /// Builds a live policy from a policy specification's JSON bytes.
    public typealias PolicyFactory = @Sendable (_ specification: Data, _ source: String) throws -> any Policy

    /// The scenario.
    public var scenario: Scenario
    /// Builds learners; `nil` when only baselines are run.
    public var policyFactory: PolicyFactory?

    /// Builds a policy from a policy file's bytes (`attune.policy/1`, decoded strictly).
    public static let specificationFactory: PolicyFactory = { data, source in
        try PolicySpecification(decoding: data, source: source).makePolicy()
    }

    /// Creates a study; learners are built from their policy specifications by default.
    public init(scenario: Scenario, policyFactory: PolicyFactory? = SimulationStudy.specificationFactory) {
        self.scenario = scenario
        self.policyFactory = policyFactory
    }

    /// Runs every policy of the scenario.
    /// - Parameters:
    ///   - seeds: number of seeds, overriding the scenario's (the base seed is kept).
    ///   - horizon: rounds per run, overriding the scenario's.
    ///   - logDirectory: where decision logs (and, for retail, raw events) are written.
    ///   - maximumConcurrency: worker threads (default: all cores).
    ///   - progress: called with the number of rounds just simulated.
    ///   - planned: called once, before any run, with the total number of rounds.
    /// - Throws: `SimulationError` naming the policy, field or file at fault.
    public func run(seeds: Int? = nil, horizon: Int? = nil, logDirectory: String? = nil, maximumConcurrency: Int? = nil,
                    progress: (@Sendable (Int) -> Void)? = nil, planned: (@Sendable (Int) -> Void)? = nil) throws(SimulationError) -> StudyResult {
        if let seeds, seeds < 1 { throw .invalidStudy(field: "--seeds", problem: "\(seeds) seeds; run at least 1") }
        if let horizon, horizon < 1 { throw .invalidStudy(field: "--horizon", problem: "\(horizon) rounds; run at least 1") }
        let plan = Scenario.SeedPlan(count: seeds ?? scenario.seeds.count, base: scenario.seeds.base)
        let rounds = horizon ?? scenario.horizon
        switch scenario.environment {
        case .linearContextual(let spec):
            return try run(LinearContextualEnvironment(spec), plan, rounds, logDirectory, maximumConcurrency, progress, planned)
        case .retail(let spec):
            return try run(RetailEnvironment(spec), plan, rounds, logDirectory, maximumConcurrency, progress, planned)
        }
    }

    private func run<E: SimulationEnvironment>(_ environment: E, _ plan: Scenario.SeedPlan, _ horizon: Int, _ logDirectory: String?,
                                               _ concurrency: Int?, _ progress: (@Sendable (Int) -> Void)?,
                                               _ planned: (@Sendable (Int) -> Void)?) throws(SimulationError) -> StudyResult {
        var runner = SimulationRunner(environment: environment, horizon: horizon, seeds: plan.values, feedback: scenario.feedback,
                                      curvePoints: scenario.curvePoints, logDirectory: logDirectory, maximumConcurrency: concurrency,
                                      progress: progress)
        runner.writesEvents = logDirectory != nil
        let prepared = try preparePolicies(environment: environment, horizon: horizon, evaluationSeeds: plan.values)
        planned?(runner.plannedRounds(for: prepared.policies) + prepared.trainingRounds)
        return try runTrainingBeside(prepared, runner: runner, environment: environment, progress: progress)
    }

    /// The scenario's policies as the runner sees them; each learner is built once here so
    /// that a bad specification fails before any run starts. Policy-gradient files are run as
    /// they are (their `training` plans need the environment: ``run(seeds:horizon:logDirectory:maximumConcurrency:progress:planned:)`` applies them).
    /// - Throws: `SimulationError.policy` for an unknown fixed action or an unbuildable learner,
    ///   `SimulationError.file` for an unreadable policy file.
    public func makePolicies(catalog: ActionCatalog) throws(SimulationError) -> [StudyPolicy] {
        var result: [StudyPolicy] = []
        for entry in scenario.policies {
            switch entry.source {
            case .baseline(let baseline, let action):
                switch baseline {
                case .random: result.append(StudyPolicy(name: entry.name, kind: .random))
                case .oracle: result.append(StudyPolicy(name: entry.name, kind: .oracle))
                case .bestFixed: result.append(StudyPolicy(name: entry.name, kind: .bestFixed))
                case .fixed:
                    guard let id = action, let index = catalog.index(of: ActionID(id)) else {
                        throw .policy(name: entry.name, reason: "action '\(action ?? "")' is not in the scenario's catalog (\(catalog.actions.map(\.id.rawValue).joined(separator: ", ")))")
                    }
                    result.append(StudyPolicy(name: entry.name, kind: .fixed(index)))
                }
            case .file, .inline:
                guard let (data, source) = try entry.specificationData() else { continue }
                if PolicyGradientSpecification.isPolicyGradientDocument(data) {
                    let specification = try Self.policyGradientSpecification(data, source: source, entry: entry)
                    do {
                        _ = try specification.makePolicy()
                    } catch {
                        throw .policy(name: entry.name, reason: error.description)
                    }
                    result.append(StudyPolicy(name: entry.name, kind: .learner { try specification.makePolicy() }, family: .policyGradient))
                    continue
                }
                guard let factory = policyFactory else {
                    throw .policy(name: entry.name, reason: "no policy factory was given to build learner policies")
                }
                do {
                    _ = try factory(data, source)
                } catch {
                    throw .policy(name: entry.name, reason: "\(error)")
                }
                result.append(StudyPolicy(name: entry.name, kind: .learner { try factory(data, source) }))
            }
        }
        return result
    }
}
