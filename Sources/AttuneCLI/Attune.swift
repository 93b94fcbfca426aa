import AttuneCore

/// The `attune` command: the root of the command tree. Its commands are listed in
/// ``Attune/commands``.
struct Attune: CommandGroup {
    static let configuration = CommandConfiguration(
        name: "attune",
        abstract: "Personalization decision engine: segmentation, contextual bandits, simulation, off-policy evaluation and a decision server.",
        discussion: """
        Results are printed on standard output ('--format table' for people, '--format json' for scripts); \
        progress and messages go to standard error. Exit codes: 0 success, 64 bad usage or bad input, \
        65 refused by the deployment gate, 70 internal error.
        """,
        version: AttuneVersion.current,
        subcommands: commands
    )
}
