#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a command-line tool: parses the arguments against the command tree under ``root``,
/// prints help or the version, validates and runs the selected command, and turns every
/// error into a message on standard error and an exit code.
///
/// | outcome | output | exit code |
/// | --- | --- | --- |
/// | success, `--help`, `--version` | standard output | 0 |
/// | bad usage, bad input (``CommandLineError``, ``InputError``) | `error: …` and what to run for usage, on standard error | 64 |
/// | a thrown ``ExitCode`` | nothing more | that code |
/// | any other error | `internal error: …` on standard error | 70 |
///
/// An executable's `main.swift` is one line:
/// ```
/// await CommandLineTool(root: Attune.self).main()
/// ```
public struct CommandLineTool: Sendable {
    /// The root command (the tool itself, whose subcommands are the tool's commands).
    public let root: any Command.Type

    /// Creates a tool for the command tree under `root`.
    public init(root: any Command.Type) {
        self.root = root
    }

    /// Runs with the process's arguments and exits the process with the resulting code.
    public func main() async -> Never {
        let code = await run(Array(CommandLine.arguments.dropFirst()), context: CommandContext(commandPath: [root.configuration.name]))
        exit(code.rawValue)
    }

    /// Runs with `arguments` (without the program name), writing to the context's outputs.
    /// - Returns: The exit code; this method never throws.
    public func run(_ arguments: [String], context: CommandContext) async -> ExitCode {
        let formatter = HelpFormatter()
        var commandPath = [root.configuration.name]
        // Errors before `run` (reading and validating the arguments) are usage errors and get
        // the help hint; errors while running are about the input files.
        var isRunning = false
        do {
            switch try ArgumentParser(root: root).parse(arguments) {
            case .version(let version):
                context.output.writeLine("\(root.configuration.name) \(version)")
                return .success
            case .help(let command, let path):
                context.output.write(formatter.help(for: command, path: path))
                return .success
            case .run(let command, let parsed):
                commandPath = parsed.commandPath
                var commandContext = context
                commandContext.commandPath = parsed.commandPath
                let instance = try command.init(arguments: parsed)
                try instance.validate()
                isRunning = true
                return try await instance.run(context: commandContext)
            }
        } catch let error as CommandLineError {
            if case .undeclaredArgument = error {
                context.errors.writeLine(error.description)
                return error.exitCode
            }
            let helpPath = commandPath.count > 1 ? commandPath : Self.helpPath(arguments: arguments, root: root)
            context.errors.writeLine("error: \(error)")
            context.errors.writeLine("Run '\(helpPath.joined(separator: " ")) --help' for usage.")
            return error.exitCode
        } catch let code as ExitCode {
            return code
        } catch let error as any InputError {
            context.errors.writeLine("error: \(error)")
            if !isRunning { context.errors.writeLine("Run '\(commandPath.joined(separator: " ")) --help' for usage.") }
            return .usage
        } catch {
            context.errors.writeLine("internal error: \(error)")
            return .internalError
        }
    }

    /// The deepest command the leading words of `arguments` name, for the "run … --help" hint.
    private static func helpPath(arguments: [String], root: any Command.Type) -> [String] {
        var command = root
        var path = [root.configuration.name]
        for word in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.name == word }) else { break }
            command = next
            path.append(word)
        }
        return path
    }
}

extension AttuneCoreError: InputError {}
