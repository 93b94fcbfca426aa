import AttuneCore
import Foundation
import Linalg
import Segmentation
import Synchronization

// Inputs and plumbing of the segmentation suite: seeded generators, raw files the peer reads,
// the peer process, wall-clock timing and peak memory.
extension SegmentationBenchmarks {
    /// `n` rows from `clusters` spherical unit-variance Gaussians whose centres are drawn
    /// N(0, spread²) per coordinate; with `withNoise`, 5% of rows are uniform over the box.
    static func gaussianMixture(rows n: Int, columns d: Int, clusters: Int, spread: Double, seed: UInt64, withNoise: Bool = false) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        let centres = (0..<(clusters * d)).map { _ in rng.nextStandardNormal() * spread }
        var x = Matrix(rows: n, columns: d)
        let box = spread * 3
        for i in 0..<n {
            if withNoise && i % 20 == 19 {
                for j in 0..<d { x.elements[i * d + j] = (rng.nextUniform() * 2 - 1) * box }
                continue
            }
            let c = (try? rng.nextInt(below: clusters)) ?? 0
            for j in 0..<d { x.elements[i * d + j] = centres[c * d + j] + rng.nextStandardNormal() }
        }
        return x
    }

    /// Writes `count` seeded retail events as JSON Lines; returns the file size in bytes.
    static func writeEvents(count: Int, customers: Int, seed: UInt64, to url: URL) throws(BenchError) -> Int {
        var rng = SeededGenerator(seed: seed)
        let types = ["page_view", "page_view", "page_view", "click", "search", "cart_add", "purchase", "email_open", "email_click", "app_session", "store_visit", "review"]
        let channels = ["web", "web", "app", "email", "social", "store"]
        let categories = ["shoes", "bags", "toys", "garden", "books", "food", "tools", "beauty", "sports", "home"]
        var text = ""
        text.reserveCapacity(count * 140)
        var t = 1_717_200_000.0
        for _ in 0..<count {
            t += rng.nextUniform() * 8
            let customer = (try? rng.nextInt(below: customers)) ?? 0
            let type = types[(try? rng.nextInt(below: types.count)) ?? 0]
            let channel = channels[(try? rng.nextInt(below: channels.count)) ?? 0]
            text += "{\"customer_id\":\"c\(customer)\",\"timestamp\":\(Int(t)),\"channel\":\"\(channel)\",\"type\":\"\(type)\""
            switch type {
            case "purchase":
                text += ",\"value\":\(Double(Int(rng.nextUniform() * 20_000)) / 100),\"quantity\":\(1 + Int(rng.nextUniform() * 4)),\"category\":\"\(categories[Int(rng.nextUniform() * 10) % 10])\""
            case "page_view", "app_session":
                text += ",\"duration_s\":\(Int(rng.nextUniform() * 300)),\"category\":\"\(categories[Int(rng.nextUniform() * 10) % 10])\""
            case "search":
                text += ",\"query\":\"red \(categories[Int(rng.nextUniform() * 10) % 10]) sale\""
            case "review":
                text += ",\"text\":\"great quality but late delivery\",\"rating\":\(1 + Int(rng.nextUniform() * 5))"
            default: break
            }
            text += ",\"session\":{\"id\":\"s\(Int(rng.nextUniform() * 1e6))\",\"ua\":\"Mozilla/5.0\"}}\n"
        }
        let data = Data(text.utf8)
        do { try data.write(to: url) } catch { throw .io(path: url.path, reason: "\(error)") }
        return data.count
    }

    /// Writes the doubles as they sit in memory (little-endian on every supported machine),
    /// without an intermediate copy, so the suite's peak memory stays the fit's own.
    static func writeDoubles(_ values: [Double], to url: URL) throws(BenchError) {
        guard let file = fopen(url.path, "wb") else { throw .io(path: url.path, reason: "cannot open for writing") }
        defer { fclose(file) }
        let written = values.withUnsafeBufferPointer { fwrite($0.baseAddress, 8, $0.count, file) }
        guard written == values.count else { throw .io(path: url.path, reason: "short write") }
    }

    static func writeInt32s(_ values: [Int], to url: URL) throws(BenchError) {
        let narrow = values.map { Int32(truncatingIfNeeded: $0) }
        let data = narrow.withUnsafeBufferPointer { Data(buffer: $0) }
        do { try data.write(to: url) } catch { throw .io(path: url.path, reason: "\(error)") }
    }

    static func readInt64s(_ url: URL) -> [Int]? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 8)).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
        }
    }

    /// Wall-clock seconds of one call; the process CPU seconds it used (all threads) go to
    /// ``lastCPUSeconds``, a figure less sensitive than wall time to other load on the machine.
    static func timed(_ body: () -> Void) -> Double {
        let cpuStart = processCPUSeconds()
        let start = monotonicNanoseconds()
        body()
        let wall = Double(monotonicNanoseconds() - start) / 1e9
        lastCPUSeconds.withLock { $0 = processCPUSeconds() - cpuStart }
        return wall
    }

    /// CPU seconds of the last ``timed(_:)`` call.
    static let lastCPUSeconds = Mutex(0.0)

    /// User plus system CPU seconds of this process so far (`getrusage`).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// The process's peak resident set size in MiB (`getrusage`).
    static func peakResidentMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Runs the scikit-learn peer once and reads its one JSON line.
    static func runPeer(python: URL, script: URL, arguments: [String]) throws(BenchError) -> [String: Any] {
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path] + arguments
        var environment = PeerEnvironment.peerEnvironmentVariables
        // scikit-learn's k-means and DBSCAN loops are OpenMP/joblib-parallel: give them the
        // cores Attune uses too; BLAS stays single-threaded on both sides.
        environment["OMP_NUM_THREADS"] = String(ProcessInfo.processInfo.activeProcessorCount)
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { throw .peerFailed(peer: "scikit-learn", reason: "could not start: \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
              let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        else { throw .peerFailed(peer: "scikit-learn", reason: "exit \(process.terminationStatus), answer \(String(decoding: data.prefix(200), as: UTF8.self))") }
        return object
    }
}
