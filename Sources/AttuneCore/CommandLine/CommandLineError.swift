/// What went wrong while reading a command line, or while checking the values it gave.
///
/// Every case names the offending option, argument or token; ``description`` says what to do.
/// ``CommandLineTool`` prints the description on standard error, followed by
/// `run 'attune … --help' for usage`, and exits with ``exitCode``.
public enum CommandLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An option that the command does not declare; `suggestion` is the nearest declared one.
    case unknownOption(String, suggestion: String?)
    /// An option that takes a value was given none (`--seed` at the end of the line).
    case missingValue(option: String)
    /// A token that is not a valid value; `expected` describes valid ones (`one of: table, json`).
    case invalidValue(option: String, value: String, expected: String)
    /// A flag was given a value (`--quiet=yes`).
    case unexpectedValue(option: String, value: String)
    /// An option that takes one value was given twice.
    case duplicateOption(String)
    /// A required option or positional argument is absent.
    case missingRequiredArgument(String)
    /// A positional token that no declared argument takes.
    case unexpectedArgument(String)
    /// A subcommand name that does not exist; `available` lists the ones that do.
    case unknownSubcommand(String, available: [String], suggestion: String?)
    /// A command that only groups subcommands was run without one.
    case missingSubcommand(available: [String])
    /// A value that parsed but is not acceptable, found by a command's `validate()`;
    /// `field` names the option or argument, `reason` says what a valid value is.
    case invalidInput(field: String, reason: String)
    /// A command read an argument it did not declare: a defect in the command, not in the input.
    case undeclaredArgument(String)

    /// 64 (bad usage) for every case except ``undeclaredArgument(_:)``, which is 70.
    public var exitCode: ExitCode {
        if case .undeclaredArgument = self { return .internalError }
        return .usage
    }

    /// One sentence naming the problem and the fix.
    public var description: String {
        switch self {
        case let .unknownOption(option, suggestion):
            if let suggestion {
                return "unknown option '\(option)'; did you mean '\(suggestion)'?"
            }
            return "unknown option '\(option)'"
        case let .missingValue(option):
            return "missing value for '\(option)'; give one as '\(option) <value>' or '\(option)=<value>'"
        case let .invalidValue(option, value, expected):
            return "invalid value '\(value)' for '\(option)': expected \(expected)"
        case let .unexpectedValue(option, value):
            return "'\(option)' is a flag and takes no value, but was given '\(value)'"
        case let .duplicateOption(option):
            return "'\(option)' was given more than once; give it once"
        case let .missingRequiredArgument(name):
            return "missing required argument '\(name)'"
        case let .unexpectedArgument(token):
            return "unexpected argument '\(token)'"
        case let .unknownSubcommand(name, available, suggestion):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            if let suggestion {
                return "unknown command '\(name)'; did you mean '\(suggestion)'? Available commands: \(list)"
            }
            return "unknown command '\(name)'. Available commands: \(list)"
        case let .missingSubcommand(available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "missing command. Available commands: \(list)"
        case let .invalidInput(field, reason):
            return "invalid '\(field)': \(reason)"
        case let .undeclaredArgument(name):
            return "internal error: the command read '\(name)', which it does not declare"
        }
    }
}
