/// One benchmark suite of `attune-bench`: a name from ``BenchOptions/suites`` and the function
/// that runs it, writing its results through the writer.
struct BenchSuite: Sendable {
    /// The name given on the command line (`linalg`, `bandits`, …).
    let name: String
    /// Runs the suite with the parsed options.
    let run: @Sendable (BenchOptions, ResultWriter) throws(BenchError) -> Void
}

/// The suites built into this executable, in the order `attune-bench all` runs them.
///
/// A suite file adds its `static let suite` here; a name listed in ``BenchOptions/suites``
/// but missing here is reported as not built (exit 64).
enum BenchSuites {
    static let built: [BenchSuite] = [
        LinalgBenchmarks.suite, BanditBenchmarks.suite, SegmentationBenchmarks.suite,
        SimulationBenchmarks.suite, EvaluationBenchmarks.suite, ServerBenchmarks.suite,
        PolicyGradientBenchmarks.suite,
    ]

    /// The built suite called `name`, if any.
    static func named(_ name: String) -> BenchSuite? { built.first { $0.name == name } }
}
