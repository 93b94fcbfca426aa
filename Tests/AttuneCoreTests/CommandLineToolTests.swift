import Testing
import AttuneCore

/// Runs `Tool` with `words`, capturing both outputs.
private func run(_ words: [String]) async -> (code: ExitCode, output: String, errors: String) {
    let (output, capturedOutput) = TextOutput.capturing()
    let (errors, capturedErrors) = TextOutput.capturing()
    let context = CommandContext(commandPath: ["tool"], output: output, errors: errors, errorsIsTerminal: false)
    let code = await CommandLineTool(root: Tool.self).run(words, context: context)
    return (code, capturedOutput.text, capturedErrors.text)
}

@Suite struct CommandLineToolTests {
    @Test func runsTheSelectedCommand() async {
        let result = await run(["segment", "fit", "-m", "kmeans", "e.jsonl", "--k", "2"])
        #expect(result.code == .success)
        #expect(result.output == "tool segment fit: kmeans k=2 seed=42 tags=[] quiet=false dry=false events=e.jsonl more=[]\n")
        #expect(result.errors.isEmpty)
    }

    @Test func validationFailureExits64WithTheFixAndTheHelpHint() async {
        let result = await run(["segment", "fit", "-m", "kmeans", "e.jsonl", "--k", "0"])
        #expect(result.code == .usage)
        #expect(result.output.isEmpty)
        #expect(result.errors == "error: invalid '--k': give a positive number of segments\nRun 'tool segment fit --help' for usage.\n")
    }

    @Test func parseErrorNamesTheDeepestCommandForHelp() async {
        let result = await run(["segment", "fit", "--sed", "1"])
        #expect(result.code == .usage)
        #expect(result.errors == "error: unknown option '--sed'; did you mean '--seed'?\nRun 'tool segment fit --help' for usage.\n")
    }

    @Test func inputErrorWhileReadingArgumentsGetsTheHelpHint() async {
        let result = await run(["gate", "badArgument"])
        #expect(result.code == .usage)
        #expect(result.errors == "error: outcome = badArgument is invalid: expected another outcome\nRun 'tool gate --help' for usage.\n")
        let validation = await run(["segment", "fit", "-m", "kmeans", "e", "--k", "-1"])
        #expect(validation.errors.hasSuffix("Run 'tool segment fit --help' for usage.\n"))
    }

    @Test func unknownCommandListsTheCommands() async {
        let result = await run(["gat"])
        #expect(result.code == .usage)
        #expect(result.errors.hasPrefix("error: unknown command 'gat'; did you mean 'gate'? Available commands: segment, gate, help\n"))
    }

    @Test(arguments: [
        ("promote", ExitCode.success, ""),
        ("refuse", .gateRefused, ""),
        ("badInput", .usage, "error: $.x: expected a number\n"),
        ("crash", .internalError, "internal error: Crash()\n"),
        ("undeclared", .internalError, "internal error: the command read '--format', which it does not declare\n"),
    ])
    func exitCodesFollowTheContract(outcome: String, code: ExitCode, errors: String) async {
        let result = await run(["gate", outcome])
        #expect(result.code == code)
        #expect(result.errors == errors)
    }

    @Test func versionAndHelpGoToStandardOutput() async {
        let version = await run(["--version"])
        #expect(version.code == .success && version.output == "tool 9.8.7\n" && version.errors.isEmpty)
        let help = await run(["segment", "fit", "--help"])
        #expect(help.code == .success && help.output == HelpFormatter().help(for: Fit.self, path: ["tool", "segment", "fit"]))
    }
}

@Suite struct HelpFormatterTests {
    @Test func leafCommandHelpIsGeneratedFromTheDeclarations() {
        let help = HelpFormatter().help(for: Fit.self, path: ["tool", "segment", "fit"])
        #expect(help == """
        OVERVIEW: Fit a segment model.

        USAGE: tool segment fit --method <method> [--k <k>] [--seed <seed>]
               [--tag <tag> ...] [--quiet] [--dry-run] <events> [<more> ...]

        ARGUMENTS:
          <events>                The events file (JSON Lines).
          <more> ...              More event files.

        OPTIONS:
          -m, --method <method>   Clustering method. (values: kmeans, dbscan)
          --k <k>                 Number of segments. (default: 4)
          --seed <seed>           Seed of the random generator; the same seed gives the
                                  same results. (default: 42)
          --tag <tag>             A label attached to the model. (repeatable)
          -q, --quiet             Print no progress on standard error.
          -n, --dry-run           Check the inputs and stop.
          -h, --help              Show this help and exit.

        """)
    }

    @Test func groupHelpListsTheCommands() {
        let help = HelpFormatter().help(for: Tool.self, path: ["tool"])
        #expect(help == """
        OVERVIEW: A test tool.

        USAGE: tool <command>

        OPTIONS:
          -h, --help              Show this help and exit.
          --version               Print the version and exit.

        COMMANDS:
          segment                 Fit and apply segment models.
          gate                    Decide on a deployment.
          help                    Show the help of a command: tool help <command>.

        Run 'tool <command> --help' for the help of a command.

        """)
    }

    @Test func everyLineFitsTheWidth() {
        for width in [40, 60, 80] {
            let help = HelpFormatter(width: width).help(for: Fit.self, path: ["tool", "segment", "fit"])
            for line in help.split(separator: "\n") {
                #expect(line.count <= width, "\(line)")
            }
        }
    }
}
