#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// attune-bench SUITE [options]: parse, dispatch to the suite, map errors to exit codes.
// Exit status: 0 on success, 64 on bad usage or a suite that is not built, 1 when a suite fails.

let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    ResultWriter.progress("attune-bench: \(error.description)")
    exit(64)
}
if options.help {
    print(BenchOptions.usage)
    exit(0)
}
guard !options.suite.isEmpty else {
    ResultWriter.progress("attune-bench: name a suite (\(BenchOptions.suites.joined(separator: ", ")))\n\n\(BenchOptions.usage)")
    exit(64)
}

let requested = options.suite == "all" ? BenchOptions.suites.filter { $0 != "all" } : [options.suite]
let writer = ResultWriter(format: options.format)
var missing: [String] = []
for name in requested {
    guard let suite = BenchSuites.named(name) else {
        missing.append(name)
        continue
    }
    do {
        try suite.run(options, writer)
    } catch {
        ResultWriter.progress("attune-bench \(name): \(error.description)")
        exit(1)
    }
}
if !missing.isEmpty {
    ResultWriter.progress("attune-bench: suite not built in this executable: \(missing.joined(separator: ", "))")
    // `all` runs what is built; naming a suite that is not built is a usage error.
    if options.suite != "all" { exit(64) }
}
