import AttuneCore
import Engine
import Foundation
import Server

struct LogCommands: CommandGroup {
    static let configuration = CommandConfiguration(
        name: "log",
        abstract: "Read the decision server's event log.",
        subcommands: [LogExportCommand.self]
    )
}

struct LogExportCommand: Command {
    enum Format: String, ArgumentValue, CaseIterable, Sendable { case jsonl }
    static let dataDir = Option<String>("data-dir", default: "attune-data", help: "The server's data directory.")
    static let since = Option<String>("since", help: "Only decisions at or after this time (ISO 8601 or epoch seconds).")
    static let format = Option<Format>("format", default: .jsonl, help: "Output format: jsonl (the evaluator's decision log).")
    static let configuration = CommandConfiguration(
        name: "export",
        abstract: "Print the decision log (decisions joined with their final rewards) in the evaluator's JSON Lines format.",
        discussion: """
        One line per decision, in log order: event_id, timestamp, policy, segment, context, actions, action, propensity, \
        probabilities, model_version, and reward once the decision's window closed. Safe while the server runs. \
        Example: attune log export --data-dir attune-data --since 2026-11-01T00:00:00Z > log.jsonl
        """,
        arguments: [dataDir, since, format]
    )

    var dataDir: String
    var since: String?

    init(arguments: ParsedArguments) throws {
        dataDir = try arguments.value(Self.dataDir)
        since = try arguments.valueIfPresent(Self.since)
        _ = try arguments.value(Self.format)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let path = dataDir + "/events.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngineError.invalidField(field: "--data-dir", reason: "\(path) does not exist: give the directory 'attune serve' wrote")
        }
        let start = try since.map { text throws(EngineError) in try LogExport.parseTime(text) }
        let store = try SQLiteEventStore(path: path)
        var buffer = ""
        var count = 0
        try store.export(since: start) { logged in
            buffer += LogExport.jsonLine(logged)
            buffer += "\n"
            count += 1
            if buffer.utf8.count > 1 << 16 {
                context.output.write(buffer)
                buffer = ""
            }
        }
        context.output.write(buffer)
        context.errors.writeLine("attune log export: \(count) \(count == 1 ? "decision" : "decisions")")
        return .success
    }
}
