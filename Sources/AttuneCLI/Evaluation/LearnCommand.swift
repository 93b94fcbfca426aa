import AttuneCore
import Evaluation
import Foundation

extension OffPolicyLearner.Method: ArgumentValue {}
extension LinearPolicy.Kind: ArgumentValue {}

/// `attune learn`: off-policy learning of a linear policy from a decision log.
struct LearnCommand: Command {
    static let log = Option<String>("log", isRequired: true, valueName: "file", help: "The decision log (Attune JSON Lines, DSJSON or CSV).")
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
        Regresses IPS or doubly robust pseudo-rewards on the context, one linear model per action, \
        writes the policy as JSON (evaluate it with 'attune evaluate --policy F' and gate it with \
        'attune gate --candidate F'), and reports its value on held-out rounds. \
        Example: attune learn --log decisions.jsonl --policy dr --output trained.json
        """,
        arguments: [log, output, method, kind, temperature, epsilon, ridge, holdout, StandardOptions.seed, StandardOptions.format])

    var logPath: String, outputPath: String, learner: OffPolicyLearner, format: OutputFormat

    init(arguments: ParsedArguments) throws {
        logPath = try arguments.value(Self.log)
        outputPath = try arguments.value(Self.output)
        learner = OffPolicyLearner(configuration: try OffPolicyLearner.Configuration(
            method: try arguments.value(Self.method), ridge: try arguments.value(Self.ridge), kind: try arguments.value(Self.kind),
            temperature: try arguments.value(Self.temperature), epsilon: try arguments.value(Self.epsilon),
            holdoutShare: try arguments.value(Self.holdout), seed: try arguments.value(StandardOptions.seed)))
        format = try arguments.value(StandardOptions.format)
    }

    func run(context: CommandContext) async throws -> ExitCode {
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
