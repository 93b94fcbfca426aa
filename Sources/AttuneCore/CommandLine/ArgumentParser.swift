/// What a command line asks for, once the command is found.
public enum ParseOutcome: Sendable {
    /// Run the command at `commandPath` with `arguments`.
    case run(any Command.Type, ParsedArguments)
    /// Print the help of the command at `path` (`--help`, `-h`, or `help <command>`).
    case help(any Command.Type, path: [String])
    /// Print the root command's version (`--version`).
    case version(String)
}

/// Parses a command line against a tree of ``Command`` declarations.
///
/// Grammar: the leading words select a subcommand (`attune segment fit`); the rest are the
/// command's arguments: `--name value`, `--name=value`, `-n value` for options, `--flag` and
/// `-f` for flags (one-letter flags may be grouped, `-qv`), everything else positional in
/// declaration order; `--` ends the options. `--help`/`-h` anywhere before `--` asks for help;
/// `--version` is understood by the root command when it declares a version; `help <words>`
/// at the root prints the help of the named command.
public struct ArgumentParser: Sendable {
    /// The root command (the tool itself).
    public let root: any Command.Type

    /// Creates a parser for the tree under `root`.
    public init(root: any Command.Type) {
        self.root = root
    }

    /// Parses `arguments` (without the program name).
    /// - Returns: What to do: run a command, print help, or print the version.
    /// - Throws: ``CommandLineError`` naming the bad token and the fix.
    /// - Complexity: O(n·d) for n tokens and d declared arguments.
    public func parse(_ arguments: [String]) throws(CommandLineError) -> ParseOutcome {
        var command = root
        var path = [root.configuration.name]
        var index = 0
        if arguments.first == "--version", let version = root.configuration.version {
            return .version(version)
        }
        // Select the subcommand.
        while Self.isGroup(command) {
            guard index < arguments.count else {
                throw .missingSubcommand(available: Self.names(of: command) + (path.count == 1 ? ["help"] : []))
            }
            let token = arguments[index]
            if token == "--help" || token == "-h" { return .help(command, path: path) }
            if token == "--version", path.count == 1, let version = command.configuration.version {
                return .version(version)
            }
            if token.hasPrefix("-") {
                var known = ["--help"]
                if path.count == 1, command.configuration.version != nil { known.append("--version") }
                throw .unknownOption(token, suggestion: token.nearest(among: known))
            }
            if path.count == 1, token == "help" {
                return try helpOutcome(for: Array(arguments[(index + 1)...]))
            }
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.name == token }) else {
                let available = Self.names(of: command) + (path.count == 1 ? ["help"] : [])
                throw .unknownSubcommand(token, available: available, suggestion: token.nearest(among: available))
            }
            command = next
            path.append(token)
            index += 1
        }
        let rest = Array(arguments[index...])
        if Self.asksForHelp(rest) { return .help(command, path: path) }
        let specifications = command.configuration.specifications
        let tokens = try Self.assign(rest, to: specifications)
        return .run(command, ParsedArguments(commandPath: path, specifications: specifications, tokens: tokens))
    }

    // MARK: - Subcommands

    /// Whether `command` only groups subcommands (a ``CommandGroup``, or one that lists subcommands).
    static func isGroup(_ command: any Command.Type) -> Bool {
        command is any CommandGroup.Type || !command.configuration.subcommands.isEmpty
    }

    static func names(of command: any Command.Type) -> [String] {
        command.configuration.subcommands.map { $0.configuration.name }
    }

    /// `attune help segment fit`.
    private func helpOutcome(for words: [String]) throws(CommandLineError) -> ParseOutcome {
        var command = root
        var path = [root.configuration.name]
        for word in words {
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.name == word }) else {
                let available = Self.names(of: command)
                throw .unknownSubcommand(word, available: available, suggestion: word.nearest(among: available))
            }
            command = next
            path.append(word)
        }
        return .help(command, path: path)
    }

    private static func asksForHelp(_ tokens: [String]) -> Bool {
        for token in tokens {
            if token == "--" { return false }
            if token == "--help" || token == "-h" { return true }
        }
        return false
    }

    // MARK: - Options and positional arguments

    /// Matches tokens to declarations; the result maps each given name to its tokens.
    static func assign(_ tokens: [String], to specifications: [ArgumentSpecification]) throws(CommandLineError) -> [String: [String]] {
        var byLong: [String: ArgumentSpecification] = [:]
        var byShort: [Character: ArgumentSpecification] = [:]
        for specification in specifications where specification.kind != .positional {
            byLong[specification.name] = specification
            if let short = specification.shortName { byShort[short] = specification }
        }
        let knownNames = specifications.filter { $0.kind != .positional }.map(\.displayName) + ["--help"]
        var given: [String: [String]] = [:]
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false

        func record(_ specification: ArgumentSpecification, _ value: String) throws(CommandLineError) {
            if specification.kind == .option, !specification.isRepeating, given[specification.name] != nil {
                throw .duplicateOption(specification.displayName)
            }
            if specification.kind == .option, !specification.accepts(value) {
                throw .invalidValue(option: specification.displayName, value: value, expected: specification.valueDescription)
            }
            given[specification.name, default: []].append(value)
        }

        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if optionsEnded || !token.hasPrefix("-") || token == "-" || isNumber(token) {
                positionals.append(token)
                continue
            }
            if token == "--" {
                optionsEnded = true
                continue
            }
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                guard let specification = byLong[name] else {
                    throw .unknownOption("--" + name, suggestion: ("--" + name).nearest(among: knownNames))
                }
                if specification.kind == .flag {
                    if let inline { throw .unexpectedValue(option: specification.displayName, value: inline) }
                    try record(specification, "")
                } else if let inline {
                    try record(specification, inline)
                } else {
                    guard index < tokens.count, !tokens[index].hasPrefix("--") else {
                        throw .missingValue(option: specification.displayName)
                    }
                    try record(specification, tokens[index])
                    index += 1
                }
                continue
            }
            // Short form: `-s value`, `-svalue`, or grouped flags `-qv`.
            let letters = Array(token.dropFirst())
            guard let first = byShort[letters[0]] else {
                throw .unknownOption(token, suggestion: nearestShort(token, specifications))
            }
            if first.kind == .option {
                if letters.count > 1 {
                    try record(first, String(letters.dropFirst()))
                } else {
                    guard index < tokens.count, !tokens[index].hasPrefix("--") else {
                        throw .missingValue(option: "-" + String(letters[0]))
                    }
                    try record(first, tokens[index])
                    index += 1
                }
                continue
            }
            for letter in letters {
                guard let flag = byShort[letter], flag.kind == .flag else {
                    throw .unknownOption("-" + String(letter), suggestion: nil)
                }
                try record(flag, "")
            }
        }

        try assignPositionals(positionals, specifications.filter { $0.kind == .positional }, into: &given)
        for specification in specifications where specification.isRequired && given[specification.name] == nil {
            throw .missingRequiredArgument(specification.displayName)
        }
        return given
    }

    private static func assignPositionals(
        _ values: [String], _ declared: [ArgumentSpecification], into given: inout [String: [String]]
    ) throws(CommandLineError) {
        var remaining = values[...]
        for specification in declared {
            guard let value = remaining.first else { break }
            let taken = specification.isRepeating ? Array(remaining) : [value]
            for token in taken where !specification.accepts(token) {
                throw .invalidValue(option: specification.displayName, value: token, expected: specification.valueDescription)
            }
            given[specification.name] = taken
            remaining = remaining.dropFirst(taken.count)
        }
        if let extra = remaining.first { throw .unexpectedArgument(extra) }
    }

    /// `-3` and `-0.5` are values, not options.
    private static func isNumber(_ token: String) -> Bool {
        Double(token) != nil
    }

    /// For `-x`, the long name of the option whose name starts with `x`, if only one does.
    private static func nearestShort(_ token: String, _ specifications: [ArgumentSpecification]) -> String? {
        let letter = token.dropFirst().prefix(1)
        let matches = specifications.filter { $0.kind != .positional && $0.name.hasPrefix(letter) }
        return matches.count == 1 ? matches[0].displayName : nil
    }
}
