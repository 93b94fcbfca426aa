/// How a command prints its results on standard output (`--format table|json`).
public enum OutputFormat: String, CaseIterable, ArgumentValue, Hashable, Sendable {
    /// Aligned columns for people.
    case table
    /// JSON (or JSON Lines for streams of records) for scripts.
    case json
}
