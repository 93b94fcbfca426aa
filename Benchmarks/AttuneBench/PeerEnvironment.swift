import Foundation

/// The Python environment the peers run in: a virtualenv under `.build/peers-venv`, created on
/// first use (`python3 -m venv`, then `pip install -q` of what a suite needs) and reused after.
///
/// Everything degrades gracefully: when Python, `venv` or the package index is unavailable,
/// ``python(requiring:)`` prints a note to stderr and returns `nil`, and the suite runs
/// without that peer (no ratios).
struct PeerEnvironment: Sendable {
    /// The package root (the folder holding `Package.swift`).
    let root: URL

    /// The folder of the peer scripts.
    var peersDirectory: URL { root.appendingPathComponent("Benchmarks/peers") }
    /// The virtualenv folder.
    var venv: URL { root.appendingPathComponent(".build/peers-venv") }
    /// The virtualenv's interpreter.
    var python: URL { venv.appendingPathComponent("bin/python") }

    /// The environment locating the package from the working directory (walking up), or from
    /// this source file's location when run from elsewhere.
    static func locate() -> PeerEnvironment? {
        let fm = FileManager.default
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        for _ in 0..<8 {
            candidates.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        // Benchmarks/AttuneBench/PeerEnvironment.swift → package root.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        for candidate in candidates {
            let scripts = candidate.appendingPathComponent("Benchmarks/peers")
            if fm.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: scripts.path) {
                return PeerEnvironment(root: candidate)
            }
        }
        return nil
    }

    /// The environment variables of every peer: single-threaded BLAS, like the Swift side.
    static var peerEnvironmentVariables: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { env[key] = "1" }
        env["PYTHONUNBUFFERED"] = "1"
        return env
    }

    /// The venv's interpreter once `modules` import, installing `packages` if they do not;
    /// `nil` (with a note on stderr) when that cannot be done here.
    func python(requiring modules: [String], packages: [String]) -> URL? {
        let fm = FileManager.default
        if !fm.isExecutableFile(atPath: python.path) {
            ResultWriter.progress("peers: creating a virtualenv in .build/peers-venv (first run only)")
            guard let system = Self.which("python3") else {
                ResultWriter.progress("note: python3 is not installed; running without peers")
                return nil
            }
            let status = Self.run(system, ["-m", "venv", venv.path])
            guard status == 0, fm.isExecutableFile(atPath: python.path) else {
                ResultWriter.progress("note: `python3 -m venv` failed (exit \(status)); install python3-venv, or use --no-peers")
                return nil
            }
        }
        if imports(modules) { return python }
        ResultWriter.progress("peers: pip install -q \(packages.joined(separator: " "))")
        let status = Self.run(python, ["-m", "pip", "install", "-q"] + packages)
        guard status == 0, imports(modules) else {
            ResultWriter.progress("note: could not install \(packages.joined(separator: ", ")) (exit \(status); no network or no wheel for this platform); continuing without it")
            return nil
        }
        return python
    }

    /// Whether every module in `modules` imports in the venv.
    func imports(_ modules: [String]) -> Bool {
        Self.run(python, ["-c", modules.map { "import \($0)" }.joined(separator: "; ")], quiet: true) == 0
    }

    /// The path of `name` on `PATH`.
    static func which(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs a command to completion with stdout sent to stderr (stdout carries results only).
    /// Returns the exit status, or -1 when it could not start.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], quiet: Bool = false) -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = peerEnvironmentVariables
        process.standardOutput = quiet ? FileHandle.nullDevice : FileHandle.standardError
        process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
