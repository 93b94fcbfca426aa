import AttuneCore
import Evaluation
import Foundation

extension LogFormat: ArgumentValue {}
extension RewardModel.Kind: ArgumentValue {}

/// `attune evaluate`: off-policy evaluation of a target policy on a decision log.
struct EvaluateCommand: Command {
    static let log = Option<String>("log", isRequired: true, valueName: "file", help: "The decision log (Attune JSON Lines, DSJSON or CSV).")
    static let logFormat = Option<LogFormat>("log-format", help: "The log's format; detected from the file when absent.")
    static let policy = RepeatedOption<String>("policy", help: "A target: 'log' (target_probabilities in the log, the default), 'logging', or a policy file (attune.policy/1, attune.policy-gradient/1 or a learned policy); repeat to evaluate several.")
    static let estimators = Option<String>("estimators", default: "all", valueName: "list", help: "Comma-separated estimators (dm, ips, clipped_ips, snips, dr, sndr, switch_dr, dr_os; for slate logs iips, rips, sips) or 'all'.")
    static let confidence = Option<Double>("confidence", default: 0.95, help: "Confidence level of the intervals, in (0, 1).")
    static let bootstrap = Option<Int>("bootstrap", default: 0, valueName: "replicates", help: "Bootstrap replicates for percentile intervals (0: normal intervals).")
    static let rewardModel = Option<RewardModel.Kind>("reward-model", default: .ridge, help: "Reward model for DM and the DR family.")
    static let folds = Option<Int>("folds", default: 5, help: "Cross-fitting folds of the reward model.")
    static let clipWeight = Option<Double>("clip-weight", default: 20, help: "Weight cap of clipped IPS.")
    static let report = Option<String>("report", valueName: "file.html", help: "Also write a self-contained HTML report (forest plot, weight histogram, segments, diagnostics).")
    static let configuration = CommandConfiguration(
        name: "evaluate",
        abstract: "Estimate what a policy would have earned on logged decisions (off-policy evaluation).",
        discussion: """
        Reads the log line by line (a bad line stops the run with its number and field), fits a \
        cross-fitted per-action reward model when an estimator needs one, and prints one estimate \
        per estimator with its standard error, interval, effective sample size and largest weight, \
        then the same per logged segment. With one --policy the JSON is one report; with several \
        it is {"targets": [report, …]}, the reward model fitted once. A log whose lines carry \
        `slots` (multi-slot decisions) is evaluated with the slot-wise estimators iips, rips, sips. \
        Example: attune evaluate --log decisions.jsonl --policy log --policy logging --estimators snips,dr --report evaluation.html
        """,
        arguments: [log, logFormat, policy, estimators, confidence, bootstrap, rewardModel, folds, clipWeight, report,
                    StandardOptions.seed, StandardOptions.format])

    var logPath: String, format: LogFormat?, targets: [TargetSource], reportPath: String?, evaluation: OfflineEvaluation.Configuration, output: OutputFormat
    var estimatorNames: [String], seed: UInt64

    init(arguments: ParsedArguments) throws {
        logPath = try arguments.value(Self.log)
        format = try arguments.valueIfPresent(Self.logFormat)
        let policies = try arguments.values(Self.policy)
        targets = (policies.isEmpty ? ["log"] : policies).map(TargetSource.init)
        reportPath = try arguments.valueIfPresent(Self.report)
        let names = try arguments.value(Self.estimators).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let seed = try arguments.value(StandardOptions.seed)
        self.seed = seed
        estimatorNames = names
        // Slate estimator ids are checked once the log is known to hold slates.
        let standard = names.filter { !SlateEvaluation.estimatorNames.contains($0) }
        let model = try RewardModel.Configuration(kind: try arguments.value(Self.rewardModel), folds: try arguments.value(Self.folds), seed: seed)
        evaluation = try OfflineEvaluation.Configuration(
            estimators: standard.isEmpty ? ["all"] : standard, confidence: try arguments.value(Self.confidence), rewardModel: model,
            bootstrapReplicates: try arguments.value(Self.bootstrap), seed: seed, clipWeight: try arguments.value(Self.clipWeight))
        output = try arguments.value(StandardOptions.format)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        if format == nil, try SlateLog.isSlateLog(path: logPath) { return try runSlates(context: context) }
        if let slate = estimatorNames.first(where: { SlateEvaluation.estimatorNames.contains($0) }) {
            throw EvaluationError.invalidParameter(field: "estimators", value: slate, expected: "a slate estimator only on a log whose lines have `slots`")
        }
        let decisionLog = try DecisionLog.read(path: logPath, format: format)
        var inputs: [OfflineEvaluation.Target] = []
        for target in targets {
            inputs.append(OfflineEvaluation.Target(name: target.name, probabilities: try PolicyFiles.distributions(of: target, on: decisionLog)))
        }
        let reports = try OfflineEvaluation.run(log: decisionLog, targets: inputs, configuration: evaluation)
        try write(reports, context: context)
        return .success
    }

    /// A log of slates (lines with `slots`): the slot-wise estimators on the log's target.
    func runSlates(context: CommandContext) throws -> ExitCode {
        guard targets == [.logTarget] else {
            throw EvaluationError.invalidParameter(field: "policy", value: targets.map(\.name).joined(separator: ","),
                                                   expected: "'log' for a slate log: its target is each slot's target_propensity")
        }
        let log = try SlateLog.read(path: logPath)
        let report = try SlateEvaluation.run(log: log, estimators: try SlateEvaluation.estimators(estimatorNames), confidence: evaluation.confidence,
                                             bootstrapReplicates: evaluation.bootstrapReplicates, seed: seed)
        try write([report], context: context)
        return .success
    }

    func write(_ reports: [OfflineEvaluation.Report], context: CommandContext) throws {
        if let reportPath {
            let page = EvaluationPage(reports: reports, logName: logPath).html
            do {
                try page.write(toFile: reportPath, atomically: true, encoding: .utf8)
            } catch {
                throw EvaluationError.unwritableFile(path: reportPath, reason: error.localizedDescription)
            }
            context.errors.writeLine("report written to \(reportPath)")
        }
        switch output {
        case .json:
            if reports.count == 1 {
                context.output.writeLine(try EvaluationFormatting.json(reports[0]))
            } else {
                context.output.writeLine(try EvaluationFormatting.json(["targets": reports]))
            }
        case .table:
            for (k, report) in reports.enumerated() {
                if k > 0 { context.output.write("\n") }
                context.output.write(EvaluationFormatting.table(report))
                for warning in report.warnings { context.errors.writeLine("warning: \(report.target): \(warning)") }
            }
        }
    }
}
