import Foundation

// Parse, dispatch, report: the suites live in their own files.
let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    ResultWriter.progress("attune-bench: \(error)")
    exit(64)
}
if options.help || options.suite.isEmpty {
    print(BenchOptions.usage)
    exit(options.help ? 0 : 64)
}
let writer = ResultWriter(format: options.format)
do {
    switch options.suite {
    case "bandits":
        try BanditBenchmarks.run(options: options, writer: writer)
    default:
        throw BenchError.unknownSuite(options.suite)
    }
    writer.finish()
} catch {
    writer.finish()
    ResultWriter.progress("attune-bench: \(error)")
    exit(1)
}
