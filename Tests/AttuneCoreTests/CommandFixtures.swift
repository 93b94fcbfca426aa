import AttuneCore

/// A small command tree exercising every kind of declaration.
enum Method: String, CaseIterable, ArgumentValue { case kmeans, dbscan }

struct Fit: Command {
    static let method = Option<Method>("method", short: "m", isRequired: true, help: "Clustering method.")
    static let k = Option<Int>("k", default: 4, help: "Number of segments.")
    static let tag = RepeatedOption<String>("tag", help: "A label attached to the model.")
    static let dryRun = Flag("dryRun", short: "n", help: "Check the inputs and stop.")
    static let events = Argument<String>("events", help: "The events file (JSON Lines).")
    static let extra = RepeatedArgument<String>("more", isRequired: false, help: "More event files.")

    static let configuration = CommandConfiguration(
        name: "fit",
        abstract: "Fit a segment model.",
        arguments: [method, k, StandardOptions.seed, tag, StandardOptions.quiet, dryRun, events, extra]
    )

    var method: Method
    var k: Int
    var seed: UInt64
    var tags: [String]
    var quiet: Bool
    var dryRun: Bool
    var events: String
    var extra: [String]

    init(arguments: ParsedArguments) throws {
        method = try arguments.value(Self.method)
        k = try arguments.value(Self.k)
        seed = try arguments.value(StandardOptions.seed)
        tags = try arguments.values(Self.tag)
        quiet = try arguments.isSet(StandardOptions.quiet)
        dryRun = try arguments.isSet(Self.dryRun)
        events = try arguments.value(Self.events)
        extra = try arguments.values(Self.extra)
    }

    func validate() throws {
        guard k > 0 else { throw CommandLineError.invalidInput(field: "--k", reason: "give a positive number of segments") }
    }

    func run(context: CommandContext) async throws -> ExitCode {
        context.output.writeLine("\(context.commandName): \(method.rawValue) k=\(k) seed=\(seed) tags=\(tags) quiet=\(quiet) dry=\(dryRun) events=\(events) more=\(extra)")
        return .success
    }
}

struct Gate: Command {
    enum Outcome: String, CaseIterable, ArgumentValue { case promote, refuse, badInput, crash, undeclared, badArgument }
    static let outcome = Argument<Outcome>("outcome", help: "What to do.")
    static let configuration = CommandConfiguration(name: "gate", abstract: "Decide on a deployment.", arguments: [outcome])

    var outcome: Outcome
    var parsed: ParsedArguments

    init(arguments: ParsedArguments) throws {
        outcome = try arguments.value(Self.outcome)
        parsed = arguments
        if outcome == .badArgument {
            throw AttuneCoreError.invalidParameter(name: "outcome", value: "badArgument", expected: "another outcome")
        }
    }

    struct Crash: Error {}

    func run(context: CommandContext) async throws -> ExitCode {
        switch outcome {
        case .promote: return .success
        case .refuse: return .gateRefused
        case .badInput: throw AttuneCoreError.invalidJSON(path: "$.x", message: "expected a number", location: nil)
        case .crash: throw Crash()
        case .undeclared: _ = try parsed.value(StandardOptions.format); return .success
        case .badArgument: return .success
        }
    }
}

struct Segment: CommandGroup {
    static let configuration = CommandConfiguration(name: "segment", abstract: "Fit and apply segment models.", subcommands: [Fit.self])
}

struct Tool: CommandGroup {
    static let configuration = CommandConfiguration(
        name: "tool", abstract: "A test tool.", version: "9.8.7", subcommands: [Segment.self, Gate.self])
}
