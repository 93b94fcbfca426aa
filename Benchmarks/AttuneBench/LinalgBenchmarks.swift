import CBLAS
import Foundation
import Linalg

/// The `linalg` suite: Linalg's checked wrappers and `RidgeStatistics` against numpy (calling
/// its own OpenBLAS) on the same inputs, and dgemm against raw `cblas_dgemm` in this process.
///
/// Result fields per task: `task`, `size`, `median_ns`, `p99_ns`, `gflops`,
/// `allocations_per_call`; with the peer `peer`, `peer_median_ns` and `ratio` = peer time /
/// Attune time (above 1: Attune is faster); for gemm at n ≥ 256 `raw_blas_median_ns` and
/// `vs_raw_blas` = raw time / wrapper time (1 = no overhead); `target` and `target_met` where
/// the project states a target.
enum LinalgBenchmarks {
    /// The tasks, in run order; the names are the peer's too.
    static let tasks = ["gemm", "gemv", "syr", "ger", "potrf", "sherman_morrison", "ridge_update_solve", "ridge_update_forgetting"]
    /// Tasks over a stream of ridge updates, labelled by their dimension `d`.
    static let ridgeTasks: Set<String> = ["sherman_morrison", "ridge_update_solve", "ridge_update_forgetting"]
    /// The default sizes, and the `--quick` ones.
    static let defaultSizes = [8, 20, 64, 256, 1024, 2048]
    static let quickSizes = [8, 20, 64, 256]

    /// The suite's entry in the dispatch table of `main.swift`.
    static let suite = BenchSuite(name: "linalg", run: run)

    /// Runs every task at every size, each followed by the peer's timing of the same task.
    static func run(_ options: BenchOptions, _ writer: ResultWriter) throws(BenchError) {
        BLAS.setThreadCount(1)
        let sizes = options.sizes ?? (options.quick ? quickSizes : defaultSizes)
        let harness = options.harness
        ResultWriter.progress("linalg: sizes \(sizes.map(String.init).joined(separator: ",")), \(harness.budgetSeconds) s per task, one BLAS thread")
        ResultWriter.progress("linalg: ratio = numpy time / Attune time (above 1: Attune is faster); vs_raw_blas = raw cblas time / Attune time")

        let inputs = sizes.map { LinalgInputs(size: $0, seed: options.seed) }
        let peer = options.peers ? startPeer(inputs) : nil
        defer { peer?.close() }

        for input in inputs {
            for task in tasks {
                ResultWriter.progress("linalg: \(task) n=\(input.size)")
                var record = measure(task, input, harness)
                if let peer {
                    do {
                        let answer = try peer.request([
                            "task": task, "size": input.size,
                            "budget_s": harness.budgetSeconds, "warmup_s": harness.warmUpSeconds,
                        ])
                        if let time = answer["median_ns"] as? Double {
                            record.addPeer(peer.name, medianNanoseconds: time)
                        }
                        if let alt = answer["alt_peer"] as? String, let time = answer["alt_peer_median_ns"] as? Double {
                            record["alt_peer"] = .string(alt)
                            record["alt_peer_median_ns"] = .double(time)
                            if let mine = record.number("median_ns"), mine > 0 { record["alt_ratio"] = .double(time / mine) }
                        }
                    } catch {
                        ResultWriter.progress("note: \(error.description); no peer figure for \(task) n=\(input.size)")
                    }
                }
                addTarget(&record, task: task, size: input.size)
                // Other processes share this machine's cores: the load says how quiet it was.
                var load = [0.0, 0.0, 0.0]
                if getloadavg(&load, 3) == 3 { record["load_average_1min"] = .double(load[0]) }
                writer.emit(record)
            }
        }
        writer.finish()
    }

    // MARK: - Peer

    /// Writes the inputs, starts `numpy_linalg.py --serve` and waits for its hello; `nil` (with
    /// a note) when Python, the venv or numpy is not available.
    static func startPeer(_ inputs: [LinalgInputs]) -> PeerProcess? {
        guard let environment = PeerEnvironment.locate() else {
            ResultWriter.progress("note: package root not found (run from the repository); running without peers")
            return nil
        }
        guard let python = environment.python(requiring: ["numpy"], packages: ["numpy"]) else { return nil }
        do {
            let directory = environment.root.appendingPathComponent(".build/bench-inputs")
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw BenchError.io(path: directory.path, reason: "could not create: \(error.localizedDescription)")
            }
            var entries: [String: Any] = [:]
            for input in inputs { entries[String(input.size)] = try input.write(to: directory) }
            let manifest: [String: Any] = ["sizes": inputs.map(\.size), "tasks": tasks, "inputs": entries]
            let manifestURL = directory.appendingPathComponent("linalg-manifest.json")
            do {
                try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted]).write(to: manifestURL)
            } catch {
                throw BenchError.io(path: manifestURL.path, reason: "could not write: \(error.localizedDescription)")
            }
            let peer = try PeerProcess(
                name: "numpy", python: python, script: environment.peersDirectory.appendingPathComponent("numpy_linalg.py"),
                arguments: ["--serve", "--manifest", manifestURL.path])
            let hello = try peer.readObject()
            ResultWriter.progress("peer: numpy \(hello["numpy"] ?? "?") with \(hello["blas"] ?? "?"), OPENBLAS_NUM_THREADS=\(hello["openblas_num_threads"] ?? "?")")
            return peer
        } catch let error as BenchError {
            ResultWriter.progress("note: \(error.description); running without peers")
        } catch {
            ResultWriter.progress("note: \(error); running without peers")
        }
        return nil
    }

    // MARK: - Targets

    /// The targets the project states, as `target` / `target_met` fields.
    static func addTarget(_ record: inout BenchmarkRecord, task: String, size: Int) {
        if ["gemv", "syr", "sherman_morrison"].contains(task), size == 20 || size == 64 {
            record["target"] = .string("ratio >= 3")
            if let ratio = record.number("ratio") { record["target_met"] = .bool(ratio >= 3) }
        }
        if task == "gemm", size >= 256 {
            record["target"] = .string("vs_raw_blas >= 0.95")
            if let r = record.number("vs_raw_blas") { record["target_met"] = .bool(r >= 0.95) }
        }
        if task == "ridge_update_solve", size == 64 {
            record["target"] = .string("allocations_per_call == 0")
            if let a = record.number("allocations_per_call") { record["target_met"] = .bool(a == 0) }
        }
    }
}

// MARK: - The Attune side of each task

extension LinalgBenchmarks {
    /// Nominal floating-point operations of one call (the peer uses the same counts).
    static func flops(_ task: String, _ n: Int) -> Double {
        let d = Double(n)
        switch task {
        case "gemm": return 2 * d * d * d
        case "gemv", "ger": return 2 * d * d
        case "syr": return d * (d + 1)
        case "potrf": return d * d * d / 3
        case "sherman_morrison": return 2 * d * d + d * (d + 1) + 2 * d
        case "ridge_update_solve": return 6 * d * d + d * (d + 1) + 4 * d
        // Attune's amortized work at γ = 0.99: a discounted Sherman–Morrison step, plus the
        // Cholesky refactoring (≈ d³) that restores the prior once every 69 updates.
        case "ridge_update_forgetting": return 6 * d * d + d * (d + 1) + 2 * d + d * d * d / 69
        default: return .nan
        }
    }

    /// Times Attune's form of `task` on `input`.
    static func measure(_ task: String, _ input: LinalgInputs, _ harness: Harness) -> BenchmarkRecord {
        let n = input.size
        var record = BenchmarkRecord()
        let label = ridgeTasks.contains(task) ? "d" : "n"
        record["task"] = .string("\(task) \(label)=\(n)")
        record["size"] = .int(n)
        // The common fields first, in this order, whatever a task adds while measuring.
        for field in ["median_ns", "p99_ns", "gflops", "allocations_per_call", "samples"] { record[field] = .null }
        let m: Measurement
        switch task {
        case "gemm":
            m = measureGemm(input, harness, into: &record)
        case "gemv":
            var y = Vector(count: n)
            let a = input.a, x = input.x
            m = harness.measure { try? a.multiply(x, into: &y) }
        case "syr":
            var a = input.spd
            m = input.x.elements.withUnsafeBufferPointer { x in
                harness.measure { try? a.addSymmetricOuterProduct(x, alpha: 1e-9, triangle: .lower) }
            }
        case "ger":
            var a = input.a
            m = input.x.elements.withUnsafeBufferPointer { x in
                input.y.elements.withUnsafeBufferPointer { y in
                    harness.measure { try? a.addOuterProduct(x, y, alpha: 1e-9) }
                }
            }
        case "potrf":
            let s = input.spd
            m = harness.measure { _ = try? Cholesky(s) }
        case "sherman_morrison", "ridge_update_solve", "ridge_update_forgetting":
            m = measureRidge(input, harness, solve: task == "ridge_update_solve", forgetting: task == "ridge_update_forgetting" ? 0.99 : 1)
        default:
            m = Measurement(medianNanoseconds: .nan, p99Nanoseconds: .nan, samples: 0, callsPerSample: 0, allocationsPerCall: .nan)
        }
        record["median_ns"] = .double(m.medianNanoseconds)
        record["p99_ns"] = .double(m.p99Nanoseconds)
        record["gflops"] = .double(flops(task, n) / m.medianNanoseconds)
        record["allocations_per_call"] = .double(m.allocationsPerCall)
        record["samples"] = .int(m.samples)
        return record
    }

    /// `C ← A B` through `Matrix.multiply`; at n ≥ 256 also raw `cblas_dgemm` on the same
    /// buffers.
    ///
    /// The wrapper's overhead is a few shape checks, far below the noise of a shared machine,
    /// so the comparison is paired: wrapper and raw calls alternate (the order swapping every
    /// pair), and `vs_raw_blas` is the median of the per-pair ratios raw / wrapper. Load that
    /// drifts over seconds then hits both sides of a pair alike.
    static func measureGemm(_ input: LinalgInputs, _ harness: Harness, into record: inout BenchmarkRecord) -> Measurement {
        let n = input.size
        let a = input.a, b = input.b
        var c = Matrix(rows: n, columns: n)
        let measurement = harness.measure { try? Matrix.multiply(a, b, into: &c) }
        guard n >= 256 else { return measurement }
        var raw = [Double](repeating: 0, count: n * n)
        let pairs = max(9, min(200, Int(harness.budgetSeconds * 1e9 / (2 * measurement.medianNanoseconds))))
        var ratios: [Double] = [], rawTimes: [Double] = []
        a.elements.withUnsafeBufferPointer { ap in
            b.elements.withUnsafeBufferPointer { bp in
                raw.withUnsafeMutableBufferPointer { cp in
                    func rawCall() -> Double {
                        let start = monotonicNanoseconds()
                        cblas_dgemm(
                            CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(n), blasint(n), blasint(n), 1,
                            ap.baseAddress!, blasint(n), bp.baseAddress!, blasint(n), 0, cp.baseAddress!, blasint(n))
                        return Double(monotonicNanoseconds() - start)
                    }
                    func wrapperCall() -> Double {
                        let start = monotonicNanoseconds()
                        try? Matrix.multiply(a, b, into: &c)
                        return Double(monotonicNanoseconds() - start)
                    }
                    for pair in 0..<pairs {
                        let (r, w) = pair % 2 == 0 ? (rawCall(), wrapperCall()) : { let w = wrapperCall(); return (rawCall(), w) }()
                        ratios.append(r / w)
                        rawTimes.append(r)
                    }
                }
            }
        }
        ratios.sort()
        rawTimes.sort()
        record["raw_blas_median_ns"] = .double(Harness.quantile(rawTimes, 0.5))
        record["vs_raw_blas"] = .double(Harness.quantile(ratios, 0.5))
        record["pairs"] = .int(pairs)
        return measurement
    }

    /// One `RidgeStatistics.update` per call over a cycle of contexts; with `solve`, the next
    /// context is then scored (`mean` and `variance`, what LinUCB needs to decide). With
    /// `forgetting < 1` every update refactors by Cholesky (O(d³)).
    static func measureRidge(_ input: LinalgInputs, _ harness: Harness, solve: Bool, forgetting: Double) -> Measurement {
        let n = input.size, rows = input.pool.rows
        guard var stats = try? RidgeStatistics(dimension: n, ridge: 1, forgetting: forgetting) else {
            return Measurement(medianNanoseconds: .nan, p99Nanoseconds: .nan, samples: 0, callsPerSample: 0, allocationsPerCall: .nan)
        }
        let rewards = input.rewards.elements
        var sink = 0.0
        let m = input.pool.elements.withUnsafeBufferPointer { pool in
            rewards.withUnsafeBufferPointer { r in
                var i = 0
                return harness.measure {
                    let x = UnsafeBufferPointer(rebasing: pool[(i * n)..<((i + 1) * n)])
                    try? stats.update(with: x, reward: r[i])
                    i = i + 1 == rows ? 0 : i + 1
                    if solve {
                        let next = UnsafeBufferPointer(rebasing: pool[(i * n)..<((i + 1) * n)])
                        sink += ((try? stats.mean(of: next)) ?? 0) + ((try? stats.variance(of: next)) ?? 0)
                    }
                }
            }
        }
        if !sink.isFinite { ResultWriter.progress("note: ridge statistics went non-finite at d=\(n)") }
        return m
    }
}
