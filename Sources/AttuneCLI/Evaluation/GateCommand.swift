import AttuneCore
import Evaluation

extension DeploymentGate.Bound: ArgumentValue {}
extension DeploymentGate.BaselineReference: ArgumentValue {}

/// `attune gate`: the deployment gate, exit 0 (promote) or 65 (refuse) with the reasons.
struct GateCommand: Command {
    static let log = Option<String>("log", isRequired: true, valueName: "file", help: "The decision log (Attune JSON Lines, DSJSON or CSV).")
    static let candidate = Option<String>("candidate", isRequired: true, valueName: "policy", help: "The candidate: a policy file (attune.policy/1, attune.policy-gradient/1 or a learned policy), or 'log' for the log's target_probabilities.")
    static let baseline = Option<String>("baseline", default: "logging", valueName: "policy", help: "The baseline: a policy file, 'logging' (the logging policy) or 'log'.")
    static let confidence = Option<Double>("confidence", default: 0.95, help: "Confidence of the decision, in (0, 1).")
    static let margin = Option<Double>("margin", default: 0, help: "Improvement (reward units) the lower bound must exceed.")
    static let minESS = Option<Double>("min-ess", default: 100, help: "Smallest acceptable effective sample size of the candidate.")
    static let maxWeight = Option<Double>("max-weight", default: .infinity, help: "Largest acceptable importance weight of the candidate.")
    static let bound = Option<DeploymentGate.Bound>("bound", default: .empiricalBernstein, help: "The lower bound: finite-sample empirical Bernstein, or paired normal.")
    static let compare = Option<DeploymentGate.BaselineReference>("compare", default: .upperBound, help: "Compare with the baseline's upper bound or its estimate (empirical Bernstein).")
    static let clipWeight = Option<Double>("clip-weight", default: 20, help: "Weight cap of the empirical Bernstein bounds.")
    static let rewardMin = Option<Double>("reward-min", help: "Smallest possible reward (default: the log's smallest).")
    static let rewardMax = Option<Double>("reward-max", help: "Largest possible reward (default: the log's largest).")
    static let configuration = CommandConfiguration(
        name: "gate",
        abstract: "Decide whether a candidate policy may replace the baseline (exit 0 promote, 65 refuse).",
        discussion: """
        Promotes only when the lower confidence bound of the improvement exceeds the margin, the \
        candidate's effective sample size and largest weight are acceptable, and it needs no action \
        the log never shows. Every check is printed with its figures. \
        Example: attune gate --log decisions.jsonl --candidate trained.json --baseline logging
        """,
        arguments: [log, candidate, baseline, confidence, margin, minESS, maxWeight, bound, compare, clipWeight,
                    rewardMin, rewardMax, StandardOptions.format])

    var logPath: String, candidate: TargetSource, baseline: TargetSource, gate: DeploymentGate, output: OutputFormat

    init(arguments: ParsedArguments) throws {
        logPath = try arguments.value(Self.log)
        candidate = TargetSource(try arguments.value(Self.candidate))
        baseline = TargetSource(try arguments.value(Self.baseline))
        var range: ClosedRange<Double>?
        let low = try arguments.valueIfPresent(Self.rewardMin), high = try arguments.valueIfPresent(Self.rewardMax)
        if low != nil || high != nil {
            guard let low, let high, low < high else {
                throw CommandLineError.invalidInput(field: "--reward-min/--reward-max", reason: "give both, with --reward-min < --reward-max")
            }
            range = low...high
        }
        gate = DeploymentGate(configuration: try DeploymentGate.Configuration(
            confidence: try arguments.value(Self.confidence), margin: try arguments.value(Self.margin),
            minEffectiveSampleSize: try arguments.value(Self.minESS), maxWeight: try arguments.value(Self.maxWeight),
            clipWeight: try arguments.value(Self.clipWeight), rewardRange: range, bound: try arguments.value(Self.bound),
            baselineReference: try arguments.value(Self.compare)))
        output = try arguments.value(StandardOptions.format)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let decisionLog = try DecisionLog.read(path: logPath)
        let model = try RewardModel.crossFit(log: decisionLog, configuration: RewardModel.Configuration())
        let verdict = try gate.decide(
            log: decisionLog, candidate: try PolicyFiles.distributions(of: candidate, on: decisionLog),
            baseline: try PolicyFiles.distributions(of: baseline, on: decisionLog), rewardModel: model.predictions)
        switch output {
        case .json: context.output.writeLine(try EvaluationFormatting.json(verdict))
        case .table: context.output.write(EvaluationFormatting.table(verdict, candidate: candidate.name, baseline: baseline.name))
        }
        return verdict.promote ? .success : .gateRefused
    }
}
