import AttuneCore
import Foundation
import Synchronization
import Simulation

/// `attune simulate SCENARIO.json`: a simulation study comparing the scenario's policies on
/// the same simulated customers.
struct SimulateCommand: Command {
    static let scenario = Argument<String>("scenario", help: "The scenario file (JSON, format attune.simulation/1).")
    static let seeds = Option<Int>("seeds", help: "Number of seeds, overriding the scenario's.")
    static let horizon = Option<Int>("horizon", help: "Rounds per run, overriding the scenario's.")
    static let logDirectory = Option<String>("log-dir", valueName: "dir", help: "Write decision logs (and raw events for retail scenarios) under this directory.")
    static let report = Option<String>("report", valueName: "file", help: "Write a self-contained HTML report (curves with bands, tables).")
    static let threads = Option<Int>("threads", help: "Worker threads (default: all cores); results do not depend on it.")
    static let configuration = CommandConfiguration(
        name: "simulate",
        abstract: "Run a simulation study: every policy of a scenario on the same simulated customers.",
        discussion: """
        Each policy runs on every seed against identical customer streams (common random numbers), learning \
        online as in production. Prints per policy the mean reward with its 95% interval over seeds, the \
        regret against the best action of each round, revenue, margin, conversion, churn and throughput. \
        Policy-gradient policies (attune.policy-gradient/1 files) with a "training" plan are first trained on \
        simulated populations whose seeds differ from the evaluation seeds, then frozen; each one's paired \
        difference with the best bandit is reported with its 95% interval over seeds. \
        Example: attune simulate simulations/retail-offers.json --seeds 5 --report study.html
        """,
        arguments: [scenario, seeds, horizon, logDirectory, report, threads, StandardOptions.format, StandardOptions.quiet]
    )

    var scenarioPath: String
    var seeds: Int?
    var horizon: Int?
    var logDirectory: String?
    var report: String?
    var threads: Int?
    var format: OutputFormat
    var quiet: Bool

    init(arguments: ParsedArguments) throws {
        scenarioPath = try arguments.value(Self.scenario)
        seeds = try arguments.valueIfPresent(Self.seeds)
        horizon = try arguments.valueIfPresent(Self.horizon)
        logDirectory = try arguments.valueIfPresent(Self.logDirectory)
        report = try arguments.valueIfPresent(Self.report)
        threads = try arguments.valueIfPresent(Self.threads)
        format = try arguments.value(StandardOptions.format)
        quiet = try arguments.isSet(StandardOptions.quiet)
    }

    func validate() throws {
        if let seeds, seeds < 1 { throw CommandLineError.invalidInput(field: "--seeds", reason: "\(seeds) seeds; give at least 1") }
        if let horizon, horizon < 1 { throw CommandLineError.invalidInput(field: "--horizon", reason: "\(horizon) rounds; give at least 1") }
        if let threads, threads < 1 { throw CommandLineError.invalidInput(field: "--threads", reason: "\(threads) threads; give at least 1") }
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let scenario = try Scenario(contentsOfFile: scenarioPath)
        let study = SimulationStudy(scenario: scenario)
        let reporter = Mutex<ProgressReporter?>(nil)
        let result = try study.run(
            seeds: seeds, horizon: horizon, logDirectory: logDirectory, maximumConcurrency: threads,
            progress: { rounds in reporter.withLock { $0 }?.advance(by: rounds) },
            planned: { total in reporter.withLock { $0 = context.makeProgressReporter(label: "rounds", total: total, quiet: quiet) } })
        reporter.withLock { $0 }?.finish()
        if let report {
            let html = StudyReport(result: result, title: scenario.id, description: scenario.description).html()
            do {
                try html.write(toFile: report, atomically: true, encoding: .utf8)
            } catch {
                throw SimulationError.file(path: report, reason: "cannot write the report (\(error.localizedDescription))")
            }
            context.errors.writeLine("report written to \(report)")
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            context.output.writeLine(String(decoding: try encoder.encode(StudySummary(result, scenario: scenario.id)), as: UTF8.self))
        case .table:
            context.output.write(Self.table(result, scenario: scenario))
        }
        return .success
    }

    /// Aligned columns: one row per policy, the best deployable one marked with `*` (the
    /// oracle and the best fixed action in hindsight are references, marked `(ref)`).
    static func table(_ result: StudyResult, scenario: Scenario) -> String {
        let header = ["policy", "mean_reward", "95% interval", "regret", "revenue/round", "margin/round", "conversion", "churned", "decisions/s"]
        let best = result.bestDeployable?.name
        var rows = [header]
        for p in result.policies {
            rows.append([(p.name == best ? "*" : " ") + p.name + (p.isReference ? " (ref)" : ""), StudyReport.number(p.meanReward.mean), StudyReport.interval(p.meanReward),
                         StudyReport.number(p.regret.mean), StudyReport.number(p.revenuePerRound.mean), StudyReport.number(p.marginPerRound.mean),
                         StudyReport.number(p.conversionRate.mean), StudyReport.number(p.churnedCustomers.mean), StudyReport.number(p.decisionsPerSecond)])
        }
        var out = "\(scenario.id): \(result.horizon) rounds × \(result.seeds.count) seeds\n" + aligned(rows)
        for line in StudyReport.comparisonLines(result) { out += line + "\n" }
        if !result.segmentNames.isEmpty {
            var segmentRows = [["reward per arrival"] + result.segmentNames]
            for p in result.policies {
                segmentRows.append([p.name] + p.rewardBySegment.map { StudyReport.number($0.mean) })
            }
            out += "\n" + aligned(segmentRows)
        }
        return out
    }

    /// Rows as columns: the first left-aligned, the others right-aligned.
    static func aligned(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        var out = ""
        for row in rows {
            out += row.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        return out
    }
}
