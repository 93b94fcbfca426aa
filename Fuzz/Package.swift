// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for Attune, kept out of the main package so that `swift build` and
/// `swift test` there never see the fuzzer flags. Build and run with `Fuzz/run.sh` (or
/// `make fuzz`); see the README's "Fuzzing" section.
let package = Package(
    name: "AttuneFuzz",
    dependencies: [.package(name: "Attune", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzRequestParser",
            dependencies: [
                .product(name: "Server", package: "Attune"), .product(name: "Engine", package: "Attune"),
                .product(name: "Bandits", package: "Attune"), .product(name: "Segmentation", package: "Attune"),
                .product(name: "AttuneCore", package: "Attune"),
            ],
            path: "RequestParser"
        ),
    ]
)
