/// A Boolean switch such as `--quiet`: present or absent, takes no value.
///
/// ```
/// static let quiet = Flag("quiet", short: "q", help: "Print no progress on standard error.")
/// let isQuiet = try arguments.isSet(Self.quiet)
/// ```
public struct Flag: ArgumentDeclaration {
    /// The specification used by the parser and the help text.
    public let specification: ArgumentSpecification

    /// Declares a flag.
    /// - Parameters:
    ///   - name: The long name, kebab-cased (`dryRun` → `--dry-run`).
    ///   - short: An optional one-letter alias (`-q`).
    ///   - help: One sentence for the help text.
    public init(_ name: String, short: Character? = nil, help: String) {
        specification = ArgumentSpecification(name: name, shortName: short, kind: .flag, help: help)
    }
}
