import AttuneCore
import Evaluation
import Foundation

extension LogFormat: ArgumentValue {}
extension RewardModel.Kind: ArgumentValue {}

/// `attune evaluate`: off-policy evaluation of a target policy on a decision log.
struct EvaluateCommand: Command {
    static let log = Option<String>("log", isRequired: true, valueName: "file", help: "The decision log (Attune JSON Lines, DSJSON or CSV).")
    static let logFormat = Option<LogFormat>("log-format", help: "The log's format; detected from the file when absent.")
    static let policy = Option<String>("policy", default: "log", help: "The target: 'log' (target_probabilities in the log), 'logging', or a policy file.")
    static let estimators = Option<String>("estimators", default: "all", valueName: "list", help: "Comma-separated estimators (dm, ips, clipped_ips, snips, dr, sndr, switch_dr, dr_os) or 'all'.")
    static let confidence = Option<Double>("confidence", default: 0.95, help: "Confidence level of the intervals, in (0, 1).")
    static let bootstrap = Option<Int>("bootstrap", default: 0, valueName: "replicates", help: "Bootstrap replicates for percentile intervals (0: normal intervals).")
    static let rewardModel = Option<RewardModel.Kind>("reward-model", default: .ridge, help: "Reward model for DM and the DR family.")
    static let folds = Option<Int>("folds", default: 5, help: "Cross-fitting folds of the reward model.")
    static let clipWeight = Option<Double>("clip-weight", default: 20, help: "Weight cap of clipped IPS.")
    static let configuration = CommandConfiguration(
        name: "evaluate",
        abstract: "Estimate what a policy would have earned on logged decisions (off-policy evaluation).",
        discussion: """
        Reads the log line by line (a bad line stops the run with its number and field), fits a \
        cross-fitted per-action reward model when an estimator needs one, and prints one estimate \
        per estimator with its standard error, interval, effective sample size and largest weight. \
        Example: attune evaluate --log decisions.jsonl --estimators snips,dr --format json
        """,
        arguments: [log, logFormat, policy, estimators, confidence, bootstrap, rewardModel, folds, clipWeight,
                    StandardOptions.seed, StandardOptions.format])

    var logPath: String, format: LogFormat?, target: TargetSource, evaluation: OfflineEvaluation.Configuration, output: OutputFormat

    init(arguments: ParsedArguments) throws {
        logPath = try arguments.value(Self.log)
        format = try arguments.valueIfPresent(Self.logFormat)
        target = TargetSource(try arguments.value(Self.policy))
        let names = try arguments.value(Self.estimators).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let seed = try arguments.value(StandardOptions.seed)
        let model = try RewardModel.Configuration(kind: try arguments.value(Self.rewardModel), folds: try arguments.value(Self.folds), seed: seed)
        evaluation = try OfflineEvaluation.Configuration(
            estimators: names, confidence: try arguments.value(Self.confidence), rewardModel: model,
            bootstrapReplicates: try arguments.value(Self.bootstrap), seed: seed, clipWeight: try arguments.value(Self.clipWeight))
        output = try arguments.value(StandardOptions.format)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let decisionLog = try DecisionLog.read(path: logPath, format: format)
        let report = try OfflineEvaluation.run(log: decisionLog, target: try target.distributions(on: decisionLog), configuration: evaluation)
        switch output {
        case .json:
            context.output.writeLine(try EvaluationFormatting.json(report))
        case .table:
            context.output.write(EvaluationFormatting.table(report, target: target.name))
            for warning in report.warnings { context.errors.writeLine("warning: \(warning)") }
        }
        return .success
    }
}
