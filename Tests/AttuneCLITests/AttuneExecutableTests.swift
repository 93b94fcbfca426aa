import Foundation
import Testing
import AttuneCore
@testable import AttuneCLI

/// The `attune` binary built next to this test bundle, run as a child process.
enum AttuneBinary {
    /// Where the binary is: `ATTUNE_BINARY` when set, otherwise the first executable named
    /// `attune` in the directory of the running test executable or one of its ancestors
    /// (SwiftPM puts products and the test bundle in the same build directory; on macOS the
    /// bundle's executable sits three levels inside it).
    static let url: URL? = {
        let fileManager = FileManager.default
        if let override = ProcessInfo.processInfo.environment["ATTUNE_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let starts = [executable, Bundle.main.executableURL, Bundle.main.bundleURL].compactMap { $0 }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("attune")
                var isDirectory: ObjCBool = false
                if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   fileManager.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }()

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `attune` with `arguments`; outputs are small, so reading them after exit is safe.
    static func run(_ arguments: [String]) throws -> Result {
        let binary = try #require(url, "the attune executable was not found next to the test bundle; build it or set ATTUNE_BINARY")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData, as: UTF8.self))
    }
}

@Suite struct AttuneExecutableTests {
    @Test func helpDescribesTheToolAndListsEveryCommand() throws {
        let result = try AttuneBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.errors.isEmpty)
        #expect(result.output.hasPrefix("OVERVIEW: Personalization decision engine"))
        #expect(result.output.contains("USAGE: attune <command>"))
        #expect(result.output.contains("--version"))
        #expect(result.output.contains("COMMANDS:\n"))
        for command in Attune.commands {
            #expect(result.output.contains("\n  \(command.configuration.name) "), "\(command.configuration.name) is not listed")
        }
        #expect(result.output.contains("\n  help "))
        #expect(try AttuneBinary.run(["-h"]).output == result.output)
        #expect(try AttuneBinary.run(["help"]).output == result.output)
    }

    @Test func everyCommandAndSubcommandHasHelp() throws {
        var pending: [(path: [String], command: any Command.Type)] = Attune.commands.map { ([$0.configuration.name], $0) }
        while let (path, command) = pending.popLast() {
            let result = try AttuneBinary.run(path + ["--help"])
            let name = "attune " + path.joined(separator: " ")
            #expect(result.status == 0, "\(name) --help")
            #expect(result.errors.isEmpty, "\(name) --help")
            #expect(result.output.hasPrefix("OVERVIEW: \(command.configuration.abstract.prefix(20))"), "\(name) --help")
            #expect(result.output.contains("USAGE: \(name)"), "\(name) --help")
            for option in command.configuration.specifications where option.kind != .positional {
                #expect(result.output.contains(option.displayName), "\(name) --help does not show \(option.displayName)")
            }
            pending += command.configuration.subcommands.map { (path + [$0.configuration.name], $0) }
            // The same text through `attune help …`.
            #expect(try AttuneBinary.run(["help"] + path).output == result.output, "attune help \(path)")
        }
    }

    @Test func versionPrintsTheVersion() throws {
        let result = try AttuneBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output == "attune \(AttuneVersion.current)\n")
        #expect(result.errors.isEmpty)
    }

    @Test func unknownCommandExits64WithTheListAndTheNearestCommand() throws {
        let result = try AttuneBinary.run(["hepl"])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        let available = (Attune.commands.map { $0.configuration.name } + ["help"]).joined(separator: ", ")
        #expect(result.errors == "error: unknown command 'hepl'; did you mean 'help'? Available commands: \(available)\nRun 'attune --help' for usage.\n")
    }

    @Test func unknownOptionExits64NamingItAndTheNearestOption() throws {
        let misspelled = try AttuneBinary.run(["--verison"])
        #expect(misspelled.status == 64)
        #expect(misspelled.errors.hasPrefix("error: unknown option '--verison'; did you mean '--version'?\n"))
        let unknown = try AttuneBinary.run(["--frobnicate"])
        #expect(unknown.status == 64)
        #expect(unknown.errors.hasPrefix("error: unknown option '--frobnicate'\n"))
    }

    @Test func missingCommandExits64() throws {
        let result = try AttuneBinary.run([])
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix("error: missing command. Available commands:"))
        #expect(result.errors.hasSuffix("Run 'attune --help' for usage.\n"))
    }

    @Test func helpOfAnUnknownCommandExits64() throws {
        let result = try AttuneBinary.run(["help", "simulatte"])
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix("error: unknown command 'simulatte'"))
    }
}
