import Testing
import AttuneCore

/// Parses `line` (split on spaces) and builds the selected command, which must be `Fit`.
private func fit(_ line: String) throws -> Fit {
    let words = line.split(separator: " ").map(String.init)
    guard case .run(let type, let parsed) = try ArgumentParser(root: Tool.self).parse(words) else {
        throw CommandLineError.missingSubcommand(available: [])
    }
    #expect(type is Fit.Type)
    #expect(parsed.commandPath == ["tool", "segment", "fit"])
    return try Fit(arguments: parsed)
}

private func parseError(_ words: [String]) -> CommandLineError? {
    do {
        _ = try ArgumentParser(root: Tool.self).parse(words)
        return nil
    } catch {
        return error
    }
}

@Suite struct ArgumentParserTests {
    @Test func readsEveryKindOfDeclaration() throws {
        let command = try fit("segment fit --method dbscan --k=7 --seed 9 --tag a -q --tag b -n events.jsonl x.jsonl y.jsonl")
        #expect(command.method == .dbscan)
        #expect(command.k == 7)
        #expect(command.seed == 9)
        #expect(command.tags == ["a", "b"])
        #expect(command.quiet && command.dryRun)
        #expect(command.events == "events.jsonl")
        #expect(command.extra == ["x.jsonl", "y.jsonl"])
    }

    @Test func appliesDefaultsAndShortForms() throws {
        let command = try fit("segment fit events.jsonl -m kmeans")
        #expect(command.method == .kmeans)
        #expect(command.k == 4)
        #expect(command.seed == 42)
        #expect(command.tags.isEmpty && !command.quiet && !command.dryRun && command.extra.isEmpty)
        #expect(try fit("segment fit -mdbscan e").method == .dbscan)
        let grouped = try fit("segment fit -qn -m kmeans e")
        #expect(grouped.quiet && grouped.dryRun)
    }

    @Test func negativeNumbersAndDoubleDashAreValues() throws {
        #expect(try fit("segment fit -m kmeans --k -3 e").k == -3)
        let command = try fit("segment fit -m kmeans -- --not-an-option -q")
        #expect(command.events == "--not-an-option")
        #expect(command.extra == ["-q"])
        #expect(!command.quiet)
    }

    @Test(arguments: [
        ("segment fit -m kmeans --sed 3 e", CommandLineError.unknownOption("--sed", suggestion: "--seed")),
        ("segment fit -m kmeans --method-x 3 e", .unknownOption("--method-x", suggestion: "--method")),
        ("segment fit -m kmeans --zzzzzz e", .unknownOption("--zzzzzz", suggestion: nil)),
        ("segment fit -m kmeans -x e", .unknownOption("-x", suggestion: nil)),
        ("segment fit e --method", .missingValue(option: "--method")),
        ("segment fit e --method --k 3", .missingValue(option: "--method")),
        ("segment fit e --method kmean", .invalidValue(option: "--method", value: "kmean", expected: "one of: kmeans, dbscan")),
        ("segment fit e -m kmeans --k three", .invalidValue(option: "--k", value: "three", expected: "an integer")),
        ("segment fit e -m kmeans --seed -1", .invalidValue(option: "--seed", value: "-1", expected: "a non-negative integer")),
        ("segment fit e -m kmeans --k 1 --k 2", .duplicateOption("--k")),
        ("segment fit e -m kmeans --quiet=yes", .unexpectedValue(option: "--quiet", value: "yes")),
        ("segment fit e", .missingRequiredArgument("--method")),
        ("segment fit -m kmeans", .missingRequiredArgument("<events>")),
        ("gate promote extra", .unexpectedArgument("extra")),
        ("gate maybe", .invalidValue(option: "<outcome>", value: "maybe", expected: "one of: promote, refuse, badInput, crash, undeclared, badArgument")),
        ("segmnt fit", .unknownSubcommand("segmnt", available: ["segment", "gate", "help"], suggestion: "segment")),
        ("segment fti", .unknownSubcommand("fti", available: ["fit"], suggestion: "fit")),
        ("segment", .missingSubcommand(available: ["fit"])),
        ("--verison", .unknownOption("--verison", suggestion: "--version")),
    ])
    func badCommandLinesGiveTypedErrors(line: String, expected: CommandLineError) {
        let error = parseError(line.split(separator: " ").map(String.init))
        #expect(error == expected)
        #expect(error?.exitCode == .usage)
    }

    @Test func emptyCommandLineAsksForACommand() {
        #expect(parseError([]) == .missingSubcommand(available: ["segment", "gate", "help"]))
    }

    @Test(arguments: [
        (["--help"], ["tool"]),
        (["-h"], ["tool"]),
        (["help"], ["tool"]),
        (["segment", "--help"], ["tool", "segment"]),
        (["segment", "fit", "e", "--k", "x", "-h"], ["tool", "segment", "fit"]),
        (["help", "segment", "fit"], ["tool", "segment", "fit"]),
    ])
    func helpIsAvailableEverywhere(words: [String], path: [String]) throws {
        guard case .help(_, let helpPath) = try ArgumentParser(root: Tool.self).parse(words) else {
            Issue.record("expected help for \(words)")
            return
        }
        #expect(helpPath == path)
    }

    @Test func helpAfterDoubleDashIsAValue() throws {
        #expect(try fit("segment fit -m kmeans -- --help").events == "--help")
    }

    @Test func versionIsReadAtTheRootOnly() throws {
        guard case .version(let version) = try ArgumentParser(root: Tool.self).parse(["--version"]) else {
            Issue.record("expected the version")
            return
        }
        #expect(version == "9.8.7")
        #expect(parseError(["segment", "--version"]) == .unknownOption("--version", suggestion: nil))
    }

    @Test func readingAnUndeclaredArgumentIsADefect() throws {
        guard case .run(_, let parsed) = try ArgumentParser(root: Tool.self).parse(["gate", "promote"]) else {
            Issue.record("expected a run")
            return
        }
        #expect(throws: CommandLineError.undeclaredArgument("--format")) { try parsed.value(StandardOptions.format) }
        #expect(CommandLineError.undeclaredArgument("--format").exitCode == .internalError)
    }

    @Test(arguments: [("policyFile", "policy-file"), ("httpPort", "http-port"), ("maxKL", "max-kl"), ("n_init", "n-init"), ("seed", "seed")])
    func namesAreKebabCased(name: String, expected: String) {
        #expect(ArgumentSpecification.kebabCased(name) == expected)
    }
}
