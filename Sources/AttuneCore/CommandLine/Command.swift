/// A command of a command-line tool, such as `attune simulate` or `attune segment fit`.
///
/// A command declares its flags, options and positional arguments as static values, lists
/// them in its ``configuration``, reads their typed values in ``init(arguments:)``, checks
/// them together in ``validate()``, and does its work in ``run(context:)``. The parser, the
/// `--help` text and the error messages all come from the declarations.
///
/// ```
/// struct Simulate: Command {
///     static let scenario = Argument<String>("scenario", help: "The scenario file (JSON).")
///     static let seeds = Option<Int>("seeds", default: 10, help: "Number of seeds.")
///     static let configuration = CommandConfiguration(
///         name: "simulate", abstract: "Run a simulation study.",
///         arguments: [scenario, seeds, StandardOptions.format])
///
///     var scenario: String, seeds: Int, format: OutputFormat
///     init(arguments: ParsedArguments) throws {
///         scenario = try arguments.value(Self.scenario)
///         seeds = try arguments.value(Self.seeds)
///         format = try arguments.value(StandardOptions.format)
///     }
///     func validate() throws {
///         guard seeds > 0 else { throw CommandLineError.invalidInput(field: "--seeds", reason: "give at least 1") }
///     }
///     func run(context: CommandContext) async throws -> ExitCode {
///         context.output.write("…\n")
///         return .success
///     }
/// }
/// ```
///
/// Errors thrown by ``validate()`` or ``run(context:)`` are reported by ``CommandLineTool``:
/// ``CommandLineError`` and ``InputError`` values exit with 64 and their description, a thrown
/// ``ExitCode`` exits with that code silently, anything else exits with 70.
public protocol Command: Sendable {
    /// The command's name, help text, declared arguments and subcommands.
    static var configuration: CommandConfiguration { get }

    /// Reads the command's typed values from a parsed command line.
    /// - Throws: ``CommandLineError`` when a value cannot be read.
    init(arguments: ParsedArguments) throws

    /// Checks the values together before anything runs (ranges, mutually exclusive options).
    /// - Throws: ``CommandLineError/invalidInput(field:reason:)`` or another ``InputError``.
    func validate() throws

    /// Does the command's work, writing results to `context.output` and progress to
    /// `context.errors`.
    /// - Returns: The exit code (``ExitCode/success``, or ``ExitCode/gateRefused`` for a gate).
    /// - Throws: An ``InputError`` for bad input, an ``ExitCode`` to stop with that code.
    func run(context: CommandContext) async throws -> ExitCode
}

extension Command {
    /// No cross-argument checks by default.
    public func validate() throws {}
}

/// A command that only groups subcommands, such as `attune segment` (with `fit` and
/// `assign`). It declares no arguments of its own and never runs.
///
/// ```
/// struct Segment: CommandGroup {
///     static let configuration = CommandConfiguration(
///         name: "segment", abstract: "Fit and apply segment models.",
///         subcommands: [SegmentFit.self, SegmentAssign.self])
/// }
/// ```
public protocol CommandGroup: Command {}

extension CommandGroup {
    /// A group reads no arguments.
    public init(arguments: ParsedArguments) throws {
        throw CommandLineError.missingSubcommand(available: Self.configuration.subcommands.map { $0.configuration.name })
    }

    /// A group is never run: the parser requires one of its subcommands.
    /// - Throws: ``CommandLineError/missingSubcommand(available:)``.
    public func run(context: CommandContext) async throws -> ExitCode {
        throw CommandLineError.missingSubcommand(available: Self.configuration.subcommands.map { $0.configuration.name })
    }
}

/// What a command declares about itself: its name and help text, its arguments, and its
/// subcommands.
public struct CommandConfiguration: Sendable {
    /// The name typed on the command line (kebab-case): `simulate`, `fit`.
    public var name: String
    /// One sentence shown in the parent's command list and at the top of the help text.
    public var abstract: String
    /// Longer help text: what the command reads and writes, with examples.
    public var discussion: String
    /// The tool's version, printed by `--version`; set on the root command only.
    public var version: String?
    /// The declared flags, options and positional arguments, in help-text order.
    public var arguments: [any ArgumentDeclaration]
    /// The subcommands; a command with subcommands is a group and takes no arguments itself.
    public var subcommands: [any Command.Type]

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: The name typed on the command line.
    ///   - abstract: One sentence for command lists and the top of the help text.
    ///   - discussion: Longer help text, shown after the usage line.
    ///   - version: The tool's version (root command only), printed by `--version`.
    ///   - arguments: The declared flags, options and positional arguments.
    ///   - subcommands: The subcommands, in help-text order.
    public init(
        name: String,
        abstract: String,
        discussion: String = "",
        version: String? = nil,
        arguments: [any ArgumentDeclaration] = [],
        subcommands: [any Command.Type] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.version = version
        self.arguments = arguments
        self.subcommands = subcommands
    }

    /// The declared argument specifications.
    public var specifications: [ArgumentSpecification] { arguments.map(\.specification) }
}

/// Options shared by many commands, declared once so they read the same everywhere.
public enum StandardOptions {
    /// `--format table|json`: how results are printed on standard output (default `table`).
    public static let format = Option<OutputFormat>(
        "format", default: .table, help: "How to print results: 'table' for people, 'json' for scripts.")
    /// `--quiet`/`-q`: no progress on standard error.
    public static let quiet = Flag("quiet", short: "q", help: "Print no progress on standard error.")
    /// `--seed`: the seed of the random generator (default 42).
    public static let seed = Option<UInt64>("seed", default: 42, help: "Seed of the random generator; the same seed gives the same results.")
}

extension Command {
    /// Parses `arguments` as this command's own arguments (no subcommand words) and builds
    /// the command, without validating or running it; for tests of a command's parsing.
    /// - Throws: ``CommandLineError`` as ``ArgumentParser/parse(_:)``; an error when the
    ///   arguments ask for help or the version instead.
    public static func parse(_ arguments: [String]) throws -> Self {
        switch try ArgumentParser(root: Self.self).parse(arguments) {
        case .run(_, let parsed):
            return try Self(arguments: parsed)
        case .help, .version:
            throw CommandLineError.unexpectedArgument(arguments.first { $0.hasPrefix("-") } ?? "")
        }
    }
}
