import AttuneCore

/// `attune segment`: groups `fit` and `assign`.
struct SegmentCommand: CommandGroup {
    static let configuration = CommandConfiguration(
        name: "segment",
        abstract: "Fit customer segment models from events or feature matrices, and assign customers to segments.",
        subcommands: [SegmentFitCommand.self, SegmentAssignCommand.self])
}
