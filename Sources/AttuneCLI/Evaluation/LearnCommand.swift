import AttuneCore
import Evaluation
import Foundation
import PolicyGradient
import Simulation
import Synchronization

extension OffPolicyLearner.Method: ArgumentValue {}
extension LinearPolicy.Kind: ArgumentValue {}

/// `attune learn`: off-policy learning of a linear policy from a decision log, or training of
/// a policy-gradient file (`--policy`) from a log or on a scenario's simulated customers.
struct LearnCommand: Command {
    static let log = Option<String>("log", valueName: "file", help: "The decision log (Attune JSON Lines, DSJSON or CSV).")
    static let policy = Option<String>("policy", valueName: "file", help: "A policy-gradient file (attune.policy-gradient/1) to train; its learner section sets the hyper-parameters.")
    static let scenario = Option<String>("scenario", valueName: "file", help: "Train the --policy file on this scenario's simulated customers instead of a log.")
    static let populations = Option<Int>("populations", default: 40, help: "With --scenario: simulated training populations (one update each).")
    static let trainingSeed = Option<Int>("training-seed", default: 900_000, help: "With --scenario: the first population's seed (must not be an evaluation seed of the scenario).")
    static let horizon = Option<Int>("horizon", help: "With --scenario: rounds per population (default: the policy's horizon_weeks, at most the scenario's horizon).")
    static let fromScratch = Flag("from-scratch", help: "Start from an untrained scorer instead of the parameters the --policy file holds.")
    static let iterations = Option<Int>("iterations", default: 20, help: "With --log and --policy: updates over the logged batch.")
    static let output = Option<String>("output", isRequired: true, valueName: "file", help: "Where to write the learned policy (JSON).")
    static let method = Option<OffPolicyLearner.Method>("method", default: .dr, help: "Pseudo-rewards of the per-action regressions.")
    static let kind = Option<LinearPolicy.Kind>("kind", default: .greedy, help: "How scores become probabilities.")
    static let temperature = Option<Double>("temperature", default: 1, help: "Softmax temperature (with --kind softmax).")
    static let epsilon = Option<Double>("epsilon", default: 0, help: "Uniform exploration mixed into the learned policy, in [0, 1].")
    static let ridge = Option<Double>("ridge", default: 1, help: "Ridge penalty of the regressions.")
    static let holdout = Option<Double>("holdout", default: 0.2, help: "Share of rounds held out to evaluate the learned policy.")
    static let configuration = CommandConfiguration(
        name: "learn",
        abstract: "Learn a policy from logged decisions without deploying it (off-policy learning).",
        discussion: """
        Without --policy: regresses IPS or doubly robust pseudo-rewards on the context, one linear model per \
        action, writes the policy as JSON (evaluate it with 'attune evaluate --policy F' and gate it with \
        'attune gate --candidate F'), and reports its value on held-out rounds. \
        With --policy F (attune.policy-gradient/1, softmax): trains the policy and writes the file with its \
        trained parameters (loaded back by 'policy validate', 'simulate' and 'serve'). From --log: REINFORCE on \
        the logged rounds with importance weights min(pi/propensity, importance_weight_cap) (one-step returns: \
        the log has no journeys). From --scenario: PPO or REINFORCE on customer journeys of simulated populations, \
        returns discounted per week. \
        Examples: attune learn --log decisions.jsonl --method dr --output trained.json; \
        attune learn --policy policies/clv-policy-gradient.json --scenario simulations/retail-churn.json --from-scratch --output clv.json
        """,
        arguments: [log, policy, scenario, output, method, kind, temperature, epsilon, ridge, holdout, populations, trainingSeed, horizon,
                    fromScratch, iterations, StandardOptions.seed, StandardOptions.format, StandardOptions.quiet])

    var logPath: String?, policyPath: String?, scenarioPath: String?, outputPath: String, learner: OffPolicyLearner, format: OutputFormat
    var populations: Int, trainingSeed: Int, horizon: Int?, fromScratch: Bool, iterations: Int, quiet: Bool

    init(arguments: ParsedArguments) throws {
        logPath = try arguments.valueIfPresent(Self.log)
        policyPath = try arguments.valueIfPresent(Self.policy)
        scenarioPath = try arguments.valueIfPresent(Self.scenario)
        populations = try arguments.value(Self.populations)
        trainingSeed = try arguments.value(Self.trainingSeed)
        horizon = try arguments.valueIfPresent(Self.horizon)
        fromScratch = try arguments.isSet(Self.fromScratch)
        iterations = try arguments.value(Self.iterations)
        quiet = try arguments.isSet(StandardOptions.quiet)
        outputPath = try arguments.value(Self.output)
        learner = OffPolicyLearner(configuration: try OffPolicyLearner.Configuration(
            method: try arguments.value(Self.method), ridge: try arguments.value(Self.ridge), kind: try arguments.value(Self.kind),
            temperature: try arguments.value(Self.temperature), epsilon: try arguments.value(Self.epsilon),
            holdoutShare: try arguments.value(Self.holdout), seed: try arguments.value(StandardOptions.seed)))
        format = try arguments.value(StandardOptions.format)
    }

    func validate() throws {
        switch (logPath, scenarioPath) {
        case (nil, nil): throw CommandLineError.invalidInput(field: "--log", reason: "give the decision log to learn from (or --scenario with --policy)")
        case (.some, .some): throw CommandLineError.invalidInput(field: "--scenario", reason: "learn from a log or from a scenario, not both")
        case (nil, .some) where policyPath == nil:
            throw CommandLineError.invalidInput(field: "--policy", reason: "--scenario trains a policy-gradient file: name it with --policy")
        default: break
        }
        if populations < 1 { throw CommandLineError.invalidInput(field: "--populations", reason: "\(populations); give at least 1") }
        if trainingSeed < 0 { throw CommandLineError.invalidInput(field: "--training-seed", reason: "\(trainingSeed); give a seed ≥ 0") }
        if let horizon, horizon < 1 { throw CommandLineError.invalidInput(field: "--horizon", reason: "\(horizon) rounds; give at least 1") }
        if iterations < 1 { throw CommandLineError.invalidInput(field: "--iterations", reason: "\(iterations); give at least 1") }
    }

    func run(context: CommandContext) async throws -> ExitCode {
        if let policyPath { return try trainPolicyGradient(policyPath, context: context) }
        guard let logPath else { throw CommandLineError.invalidInput(field: "--log", reason: "give the decision log to learn from") }
        let decisionLog = try DecisionLog.read(path: logPath)
        let result = try learner.learn(from: decisionLog)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(result.policy).write(to: URL(fileURLWithPath: outputPath))
        } catch {
            throw EvaluationError.unwritableFile(path: outputPath, reason: error.localizedDescription)
        }
        switch format {
        case .json: context.output.writeLine(try EvaluationFormatting.json(result, output: outputPath))
        case .table: context.output.write(EvaluationFormatting.table(result, output: outputPath))
        }
        return .success
    }
}

// MARK: - Policy-gradient files

extension LearnCommand {
    /// Trains the policy-gradient file at `path` from the log or the scenario and writes it
    /// with its trained parameters.
    func trainPolicyGradient(_ path: String, context: CommandContext) throws -> ExitCode {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandLineError.invalidInput(field: "--policy", reason: "cannot read \(path)")
        }
        guard PolicyGradientSpecification.isPolicyGradientDocument(data) else {
            throw CommandLineError.invalidInput(field: "--policy", reason: "\(path) is not an attune.policy-gradient/1 file; bandit policies (attune.policy/1) learn online in the server, and 'attune learn --log F' without --policy learns a linear policy")
        }
        let specification = try PolicyGradientSpecification(decoding: data, source: path)
        guard specification.policy.kind == "softmax" else {
            throw CommandLineError.invalidInput(field: "--policy", reason: "\(path) is a '\(specification.policy.kind)' policy; attune learn trains softmax policy-gradient files")
        }
        var summary: [(String, String)] = [("policy", specification.id), ("output", outputPath)]
        let trained: PolicyGradientSpecification
        if let scenarioPath {
            let scenario = try Scenario(contentsOfFile: scenarioPath)
            let plan = PolicyEntry.TrainingPlan(populations: populations, seed: UInt64(trainingSeed), fromScratch: fromScratch, horizon: horizon)
            let reporter = Mutex<ProgressReporter?>(nil)
            let result = try SimulationStudy(scenario: scenario).trainPolicyGradient(
                specification, plan: plan, progress: { rounds in reporter.withLock { $0 }?.advance(by: rounds) },
                planned: { total in reporter.withLock { $0 = context.makeProgressReporter(label: "rounds", total: total, quiet: quiet) } })
            reporter.withLock { $0 }?.finish()
            trained = result.0
            let t = result.1
            summary += [("scenario", scenario.id), ("populations", "\(t.populations)"), ("rounds_per_population", "\(t.horizon)"),
                        ("steps", "\(t.steps)"), ("first_mean_reward", EvaluationFormatting.number(t.firstMeanReward)),
                        ("last_mean_reward", EvaluationFormatting.number(t.lastMeanReward)), ("seconds", EvaluationFormatting.number(t.seconds, 2))]
        } else if let logPath {
            let decisionLog = try DecisionLog.read(path: logPath)
            let policy = try specification.makePolicy()
            let batch = try PolicyGradientLogBatch.make(from: decisionLog, catalog: policy.catalog, dimension: policy.contextDimension)
            var trainer = try LoggedBatchTrainer(batch: batch, configuration: try specification.learnerConfiguration(),
                                                 iterations: iterations, seed: specification.learnerSeed)
            let (file, report) = try specification.trainingSoftmax(with: &trainer, fromScratch: fromScratch)
            trained = file
            let last = report.iterations.last
            summary += [("log", logPath), ("rounds", "\(batch.count)"), ("iterations", "\(iterations)"),
                        ("mean_logged_reward", EvaluationFormatting.number(batch.returns.reduce(0, +) / Double(batch.count))),
                        ("entropy", EvaluationFormatting.number(last?.meanEntropy ?? .nan)),
                        ("truncated_weights", EvaluationFormatting.number(last?.truncatedFraction ?? .nan))]
        } else {
            throw CommandLineError.invalidInput(field: "--log", reason: "give a decision log or --scenario")
        }
        do {
            try trained.encodedDocument().write(to: URL(fileURLWithPath: outputPath))
        } catch {
            throw EvaluationError.unwritableFile(path: outputPath, reason: "\(error)")
        }
        switch format {
        case .json:
            var object: [String: Any] = [:]
            for (key, value) in summary { object[key] = Double(value).map { $0 as Any } ?? value }
            let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            context.output.writeLine(String(decoding: json, as: UTF8.self))
        case .table:
            context.output.write(EvaluationFormatting.table([["field", "value"]] + summary.map { [$0.0, $0.1] }))
        }
        return .success
    }
}
