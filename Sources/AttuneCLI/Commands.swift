import AttuneCore

extension Attune {
    /// The commands of `attune`, in help-text order. A new command is registered by adding
    /// its type here, one line per command; its name, help and arguments come from its
    /// ``CommandConfiguration``.
    static let commands: [any Command.Type] = [
        SegmentCommand.self,
        SimulateCommand.self,
        EvaluateCommand.self,
        LearnCommand.self,
        GateCommand.self,
        PolicyCommands.self,
        Serve.self,
        LogCommands.self,
    ]
}
