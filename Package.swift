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
        .library(name: "Segmentation", targets: ["Segmentation"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "PolicyGradient", targets: ["PolicyGradient"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    targets: [
        // MARK: - C system libraries
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE"),

        // MARK: - Modules
        .target(name: "AttuneCore", exclude: ["README.md"]),
        .target(name: "Linalg", dependencies: ["CBLAS", "CLAPACKE", "AttuneCore"], exclude: ["README.md"]),
        .target(name: "Bandits", dependencies: ["AttuneCore", "Linalg"], exclude: ["README.md"]),
        .target(name: "Segmentation", dependencies: ["AttuneCore", "Linalg"], exclude: ["README.md"]),
        .target(name: "PolicyGradient", dependencies: ["AttuneCore", "Linalg", "Bandits"], exclude: ["README.md"]),
        .target(name: "Simulation", dependencies: ["AttuneCore", "Linalg", "Bandits"], exclude: ["README.md"]),
        .target(name: "Evaluation", dependencies: ["AttuneCore", "Linalg", "Bandits"], exclude: ["README.md"]),
        .executableTarget(name: "AttuneCLI", dependencies: ["AttuneCore", "Linalg", "Bandits", "Segmentation", "Simulation", "Evaluation"]),
        .target(name: "_AttuneTestSupport", dependencies: ["AttuneCore", "Linalg", "Bandits"]),

        // MARK: - Benchmarks
        // The benchmark links CBLAS directly only to measure raw OpenBLAS as the baseline of
        // Linalg's wrappers, and CAllocationCounter to count heap allocations in hot loops.
        .target(name: "CAllocationCounter", path: "Benchmarks/CAllocationCounter"),
        .executableTarget(
            name: "AttuneBench",
            dependencies: ["AttuneCore", "Linalg", "Bandits", "Segmentation", "Simulation", "Evaluation", "PolicyGradient", "CBLAS", "CAllocationCounter"],
            path: "Benchmarks/AttuneBench"
        ),

        // MARK: - Tests
        .testTarget(name: "AttuneCoreTests", dependencies: ["AttuneCore", "_AttuneTestSupport"]),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg", "_AttuneTestSupport"]),
        .testTarget(name: "BanditsTests", dependencies: ["Bandits", "_AttuneTestSupport"]),
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "_AttuneTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Segmentation", "_AttuneTestSupport"]),
        .testTarget(name: "PolicyGradientTests", dependencies: ["PolicyGradient", "_AttuneTestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "_AttuneTestSupport"]),
        .testTarget(name: "AttuneCLITests", dependencies: ["AttuneCLI", "AttuneCore"]),
    ]
)
