// swift-tools-version:6.0
import PackageDescription

/// Attune: a personalization decision engine.
///
/// C libraries come from Debian packages (`libopenblas-dev`, `liblapacke-dev`) and are
/// wrapped as system-library targets; only `Linalg` imports them.
let package = Package(
    name: "Attune",
    products: [
        .executable(name: "attune", targets: ["AttuneCLI"]),
        .executable(name: "attune-bench", targets: ["AttuneBench"]),
        .library(name: "AttuneCore", targets: ["AttuneCore"]),
        .library(name: "Linalg", targets: ["Linalg"]),
        .library(name: "Bandits", targets: ["Bandits"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Segmentation", targets: ["Segmentation"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "PolicyGradient", targets: ["PolicyGradient"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Server", targets: ["Server"]),
    ],
    targets: [
        // MARK: - C system libraries
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD"),
        // glibc's malloc.h (`malloc_trim`), for the Engine's background compaction.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // mimalloc replaces glibc's allocator in `attune`: the server's memory is allocated on
        // its event loops and freed on the journal and learner threads, which glibc serves
        // from its slow paths (see Sources/Server/README.md).
        .systemLibrary(name: "CMimalloc", path: "Sources/CMimalloc"),
        // Wraps the variadic MHD_start_daemon and buffers request bodies for the Server module.
        .target(name: "CHTTPServer", dependencies: ["CMicroHTTPD"], linkerSettings: [.linkedLibrary("microhttpd")]),
        // A SQLite VFS that hands a commit's WAL frames to the kernel gathered (Engine's store).
        .target(name: "CSQLiteWALBuffer", linkerSettings: [.linkedLibrary("sqlite3")]),

        // MARK: - Modules
        .target(name: "AttuneCore", exclude: ["README.md"]),
        .target(name: "Linalg", dependencies: ["CBLAS", "CLAPACKE", "AttuneCore"], exclude: ["README.md"]),
        .target(name: "Bandits", dependencies: ["AttuneCore", "Linalg"], exclude: ["README.md"]),
        .target(name: "Segmentation", dependencies: ["AttuneCore", "Linalg"], exclude: ["README.md"]),
        .target(name: "PolicyGradient", dependencies: ["AttuneCore", "Linalg", "Bandits"], exclude: ["README.md"]),
        .target(name: "Simulation", dependencies: ["AttuneCore", "Linalg", "Bandits", "PolicyGradient"], exclude: ["README.md"]),
        .target(name: "Evaluation", dependencies: ["AttuneCore", "Linalg", "Bandits"], exclude: ["README.md"]),
        .target(name: "Engine", dependencies: ["AttuneCore", "Bandits", "Segmentation", "Evaluation", "CSQLite", "CSQLiteWALBuffer", "CMalloc"], exclude: ["README.md"]),
        .target(name: "Server", dependencies: ["AttuneCore", "Bandits", "Engine", "Evaluation", "CHTTPServer"], exclude: ["README.md"]),
        .executableTarget(name: "AttuneCLI", dependencies: ["AttuneCore", "Linalg", "Bandits", "Segmentation", "Simulation", "Evaluation", "Engine", "Server", "PolicyGradient", "CMimalloc"]),
        .target(name: "_AttuneTestSupport", dependencies: ["AttuneCore", "Linalg", "Bandits"]),

        // MARK: - Benchmarks
        // The benchmark links CBLAS directly only to measure raw OpenBLAS as the baseline of
        // Linalg's wrappers, CAllocationCounter to count heap allocations in hot loops, and
        // CEventPoll for the open-loop HTTP load generator (epoll with nanosecond timeouts);
        // CMimalloc so that the in-process server allocates as `attune serve` does.
        .target(name: "CAllocationCounter", dependencies: ["CMimalloc"], path: "Benchmarks/CAllocationCounter"),
        .target(name: "CEventPoll", path: "Benchmarks/CEventPoll"),
        .executableTarget(
            name: "AttuneBench",
            dependencies: ["AttuneCore", "Linalg", "Bandits", "Segmentation", "Simulation", "Evaluation", "Engine", "Server", "PolicyGradient", "CBLAS", "CAllocationCounter", "CEventPoll", "CMimalloc", "CSQLite"],
            path: "Benchmarks/AttuneBench"
        ),

        // MARK: - Tests
        .testTarget(name: "AttuneCoreTests", dependencies: ["AttuneCore", "_AttuneTestSupport"]),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg", "_AttuneTestSupport"]),
        .testTarget(name: "BanditsTests", dependencies: ["Bandits", "_AttuneTestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "_AttuneTestSupport"]),
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "_AttuneTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Segmentation", "Evaluation", "PolicyGradient", "_AttuneTestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "CSQLite", "CSQLiteWALBuffer", "Bandits", "Segmentation", "AttuneCore", "PolicyGradient", "Evaluation"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Engine", "Bandits", "Segmentation", "AttuneCore", "Evaluation"]),
        .testTarget(name: "PolicyGradientTests", dependencies: ["PolicyGradient", "_AttuneTestSupport"]),
        .testTarget(name: "AttuneCLITests", dependencies: ["AttuneCLI", "AttuneCore", "Bandits", "PolicyGradient", "_AttuneTestSupport"]),
    ]
)
