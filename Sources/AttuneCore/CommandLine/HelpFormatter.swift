/// The `--help` text of a command, generated from its declarations.
///
/// ```
/// OVERVIEW: Run a simulation study.
///
/// USAGE: attune simulate <scenario> [--seeds <seeds>] [--format <format>]
///
/// ARGUMENTS:
///   <scenario>              The scenario file (JSON).
///
/// OPTIONS:
///   --seeds <seeds>         Number of seeds. (default: 10)
///   --format <format>       How to print results. (values: table, json; default: table)
///   -h, --help              Show this help and exit.
/// ```
public struct HelpFormatter: Sendable {
    /// The width text is wrapped to.
    public var width: Int

    /// Creates a formatter wrapping at `width` columns.
    public init(width: Int = 80) {
        self.width = width
    }

    /// The help text of `command`, selected by the words `path` (tool name first).
    /// - Complexity: O(size of the text).
    public func help(for command: any Command.Type, path: [String]) -> String {
        let configuration = command.configuration
        var sections: [String] = []
        sections.append(wrap("OVERVIEW: " + configuration.abstract, indent: 0))
        if !configuration.discussion.isEmpty {
            sections.append(configuration.discussion.split(separator: "\n", omittingEmptySubsequences: false)
                .map { wrap(String($0), indent: 0) }.joined(separator: "\n"))
        }
        sections.append(wrapItems(["USAGE:"] + usageItems(for: command, path: path), indent: 7))

        let specifications = configuration.specifications
        let positionals = specifications.filter { $0.kind == .positional }
        if !positionals.isEmpty {
            sections.append("ARGUMENTS:\n" + positionals.map { row(label(for: $0), describe($0)) }.joined(separator: "\n"))
        }
        var optionRows = specifications.filter { $0.kind != .positional }.map { row(label(for: $0), describe($0)) }
        optionRows.append(row("-h, --help", "Show this help and exit."))
        if path.count == 1, configuration.version != nil {
            optionRows.append(row("--version", "Print the version and exit."))
        }
        sections.append("OPTIONS:\n" + optionRows.joined(separator: "\n"))

        if ArgumentParser.isGroup(command) {
            var rows = configuration.subcommands.map { row($0.configuration.name, $0.configuration.abstract) }
            if path.count == 1 { rows.append(row("help", "Show the help of a command: \(path[0]) help <command>.")) }
            sections.append("COMMANDS:\n" + rows.joined(separator: "\n")
                + "\n\n" + wrap("Run '\(path.joined(separator: " ")) <command> --help' for the help of a command.", indent: 0))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// The one-line usage: `attune segment fit --method <method> [--k <k>] <file>`.
    public func usage(for command: any Command.Type, path: [String]) -> String {
        usageItems(for: command, path: path).joined(separator: " ")
    }

    /// The words of the usage line; a bracketed item is one word, never split when wrapping.
    private func usageItems(for command: any Command.Type, path: [String]) -> [String] {
        var words = path
        if ArgumentParser.isGroup(command) {
            return words + ["<command>"]
        }
        let specifications = command.configuration.specifications
        for specification in specifications where specification.kind != .positional {
            var word = specification.displayName
            if specification.kind == .option { word += " <\(specification.valueName)>" }
            if specification.isRepeating { word += " ..." }
            words.append(specification.isRequired ? word : "[\(word)]")
        }
        for specification in specifications where specification.kind == .positional {
            var word = specification.displayName
            if specification.isRepeating { word += " ..." }
            words.append(specification.isRequired ? word : "[\(word)]")
        }
        return words
    }

    /// Joins `items` with spaces, wrapping between items; continuation lines are indented.
    private func wrapItems(_ items: [String], indent: Int) -> String {
        var lines: [String] = []
        var current = ""
        for item in items {
            if current.isEmpty {
                current = item
            } else if current.count + 1 + item.count <= width {
                current += " " + item
            } else {
                lines.append(current)
                current = String(repeating: " ", count: indent) + item
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    // MARK: - Rows

    private func label(for specification: ArgumentSpecification) -> String {
        switch specification.kind {
        case .positional:
            return specification.displayName + (specification.isRepeating ? " ..." : "")
        case .flag, .option:
            var text = specification.shortName.map { "-\($0), " } ?? ""
            text += specification.displayName
            if specification.kind == .option { text += " <\(specification.valueName)>" }
            return text
        }
    }

    private func describe(_ specification: ArgumentSpecification) -> String {
        var notes: [String] = []
        if !specification.allowedValues.isEmpty {
            notes.append("values: " + specification.allowedValues.joined(separator: ", "))
        }
        if let defaultDescription = specification.defaultDescription {
            notes.append("default: " + defaultDescription)
        }
        if specification.isRepeating, specification.kind == .option { notes.append("repeatable") }
        return notes.isEmpty ? specification.help : specification.help + " (" + notes.joined(separator: "; ") + ")"
    }

    /// `  label    text`, with the text in a column and wrapped under itself; a label too
    /// long for the column puts the text on the next line.
    private func row(_ label: String, _ text: String) -> String {
        let column = Swift.min(26, Swift.max(12, width / 3))
        let lead = "  " + label
        let body = wrap(text, indent: column, available: width - column)
        if lead.count + 2 <= column {
            return lead + String(repeating: " ", count: column - lead.count) + body
        }
        return lead + "\n" + String(repeating: " ", count: column) + body
    }

    // MARK: - Wrapping

    /// Wraps `text` at word boundaries. The first line holds `available` columns (the
    /// whole width by default); continuation lines are indented by `indent` and hold
    /// `available` columns (or the rest of the width).
    private func wrap(_ text: String, indent: Int, available: Int? = nil) -> String {
        let firstLimit = Swift.max(10, available ?? width)
        let restLimit = Swift.max(10, available ?? (width - indent))
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let limit = lines.isEmpty ? firstLimit : restLimit
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= limit {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        let padding = String(repeating: " ", count: indent)
        return lines.enumerated().map { $0.offset == 0 ? $0.element : padding + $0.element }.joined(separator: "\n")
    }
}
