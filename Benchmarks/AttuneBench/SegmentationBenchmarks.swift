import AttuneCore
import Foundation
import Linalg
import Segmentation

/// `attune-bench segmentation`: event ingestion and profile updates, k-means, DBSCAN and
/// tree rules, each against scikit-learn on the very same inputs (written to raw
/// little-endian files that `Benchmarks/peers/sklearn_segmentation.py` reads with numpy).
///
/// Large tasks are timed once each (a k-means fit of 10⁶ rows takes seconds), Attune first,
/// then scikit-learn. Both sides use the machine's cores: Attune runs its k-means
/// initialisations and DBSCAN neighbour counts on parallel threads, scikit-learn its OpenMP
/// loops (OMP_NUM_THREADS = active processor count); BLAS is single-threaded on both sides.
enum SegmentationBenchmarks {
    static let suite = BenchSuite(name: "segmentation", run: run)

    struct Sizes {
        var events: Int
        var customers: Int
        var kmeansRows: Int
        var dbscanRows: Int
        var treeRows: Int
    }

    static func run(_ options: BenchOptions, _ writer: ResultWriter) throws(BenchError) {
        let sizes = options.quick
            ? Sizes(events: 100_000, customers: 5_000, kmeansRows: 100_000, dbscanRows: 10_000, treeRows: 100_000)
            : Sizes(events: 1_000_000, customers: 50_000, kmeansRows: 1_000_000, dbscanRows: 50_000, treeRows: 1_000_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attune-bench-segmentation-\(getpid())")
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory.path, reason: "\(error)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let python = options.peers
            ? PeerEnvironment.locate()?.python(requiring: ["sklearn", "numpy"], packages: ["scikit-learn", "numpy"])
            : nil
        let script = PeerEnvironment.locate()?.peersDirectory.appendingPathComponent("sklearn_segmentation.py")
        let peer = { (arguments: [String]) throws(BenchError) -> [String: Any]? in
            guard let python, let script else { return nil }
            return try runPeer(python: python, script: script, arguments: arguments)
        }

        let wants = { (task: String) in options.tasks?.contains(task) ?? true }
        // k-means first, so the process's peak resident memory is the fit's.
        if wants("kmeans") || wants("tree") {
            let (kmeansLabels, mixture) = try kmeans(rows: sizes.kmeansRows, seed: options.seed, directory: directory, writer: writer, peer: peer)
            if wants("tree") { try tree(mixture: mixture, labels: kmeansLabels, rows: sizes.treeRows, directory: directory, writer: writer, peer: peer) }
        }
        if wants("dbscan") { try dbscan(rows: sizes.dbscanRows, seed: options.seed, directory: directory, writer: writer, peer: peer) }
        if wants("ingestion") { try ingestion(events: sizes.events, customers: sizes.customers, seed: options.seed, directory: directory, writer: writer) }
        writer.finish()
    }

    // MARK: - Tasks

    static func kmeans(
        rows n: Int, seed: UInt64, directory: URL, writer: ResultWriter, peer: ([String]) throws(BenchError) -> [String: Any]?
    ) throws(BenchError) -> ([Int], Matrix) {
        let d = 16, k = 8
        let x = gaussianMixture(rows: n, columns: d, clusters: k, spread: 3, seed: seed)
        let path = directory.appendingPathComponent("kmeans.f64")
        try writeDoubles(x.elements, to: path)
        var rng = SeededGenerator(seed: seed)
        var model: KMeans.Model?
        let seconds = timed { model = try? KMeans(try .init(k: k, initializations: 10)).fit(x, using: &rng) }
        guard let model else { throw .peerFailed(peer: "attune", reason: "k-means fit failed") }
        var record = BenchmarkRecord()
        record["task"] = .string("KMeans fit n=\(n) d=\(d) k=\(k) n_init=10")
        record["size"] = .int(n)
        record["median_ns"] = .double(seconds * 1e9)
        record["seconds"] = .double(seconds)
        record["cpu_seconds"] = .double(lastCPUSeconds.withLock { $0 })
        record["inertia"] = .double(model.inertia)
        record["iterations"] = .int(model.iterations)
        let matrixMB = Double(n * d * 8) / 1_048_576
        record["peak_rss_mb"] = .double(peakResidentMB())
        record["matrix_mb"] = .double(matrixMB)
        if let answer = try peer(["kmeans", path.path, "\(n)", "\(d)", "\(k)", "\(seed)"]),
           let peerSeconds = answer["seconds"] as? Double, let peerInertia = answer["inertia"] as? Double {
            record.addPeer("scikit-learn", medianNanoseconds: peerSeconds * 1e9)
            record["peer_inertia"] = .double(peerInertia)
            if let cpu = answer["cpu_seconds"] as? Double { record["peer_cpu_seconds"] = .double(cpu) }
            record["inertia_vs_peer"] = .double(model.inertia / peerInertia - 1)
        }
        writer.emit(record)
        return ((try? model.assign(x)) ?? [], x)
    }

    static func tree(
        mixture: Matrix, labels: [Int], rows n: Int, directory: URL, writer: ResultWriter,
        peer: ([String]) throws(BenchError) -> [String: Any]?
    ) throws(BenchError) {
        let rows = min(n, mixture.rows)
        let x = (try? Matrix(rows: rows, columns: mixture.columns, elements: Array(mixture.elements.prefix(rows * mixture.columns)))) ?? mixture
        let y = Array(labels.prefix(rows))
        let xPath = directory.appendingPathComponent("tree.f64"), yPath = directory.appendingPathComponent("tree.labels")
        try writeDoubles(x.elements, to: xPath)
        try writeInt32s(y, to: yPath)
        var model: DecisionTree.Model?
        let seconds = timed { model = try? DecisionTree(try .init(maximumDepth: 4)).fit(x, labels: y) }
        guard let model, let predicted = try? model.predict(x) else { throw .peerFailed(peer: "attune", reason: "tree fit failed") }
        let fidelity = Double(zip(predicted, y).filter { $0 == $1 }.count) / Double(rows)
        var record = BenchmarkRecord()
        record["task"] = .string("DecisionTree fit depth=4 n=\(rows) d=\(x.columns) classes=\(Set(y).count)")
        record["size"] = .int(rows)
        record["median_ns"] = .double(seconds * 1e9)
        record["seconds"] = .double(seconds)
        record["cpu_seconds"] = .double(lastCPUSeconds.withLock { $0 })
        record["fidelity"] = .double(fidelity)
        if let answer = try peer(["tree", xPath.path, yPath.path, "\(rows)", "\(x.columns)"]),
           let peerSeconds = answer["seconds"] as? Double, let peerFidelity = answer["fidelity"] as? Double {
            record.addPeer("scikit-learn", medianNanoseconds: peerSeconds * 1e9)
            record["peer_fidelity"] = .double(peerFidelity)
            if let cpu = answer["cpu_seconds"] as? Double { record["peer_cpu_seconds"] = .double(cpu) }
        }
        writer.emit(record)
    }

    static func dbscan(
        rows n: Int, seed: UInt64, directory: URL, writer: ResultWriter, peer: ([String]) throws(BenchError) -> [String: Any]?
    ) throws(BenchError) {
        let d = 8, epsilon = 2.0, minimumPoints = 10
        let x = gaussianMixture(rows: n, columns: d, clusters: 6, spread: 2.5, seed: seed &+ 1, withNoise: true)
        let path = directory.appendingPathComponent("dbscan.f64"), labelsPath = directory.appendingPathComponent("dbscan.peer-labels")
        try writeDoubles(x.elements, to: path)
        var model: DBSCAN.Model?
        let seconds = timed { model = try? DBSCAN(try .init(epsilon: epsilon, minimumPoints: minimumPoints)).fit(x) }
        guard let model else { throw .peerFailed(peer: "attune", reason: "DBSCAN fit failed") }
        var record = BenchmarkRecord()
        record["task"] = .string("DBSCAN fit n=\(n) d=\(d) eps=\(epsilon) min_samples=\(minimumPoints)")
        record["size"] = .int(n)
        record["median_ns"] = .double(seconds * 1e9)
        record["seconds"] = .double(seconds)
        record["cpu_seconds"] = .double(lastCPUSeconds.withLock { $0 })
        record["clusters"] = .int(model.segmentCount)
        record["noise"] = .int(model.labels.filter { $0 < 0 }.count)
        if let answer = try peer(["dbscan", path.path, "\(n)", "\(d)", "\(epsilon)", "\(minimumPoints)", labelsPath.path]),
           let peerSeconds = answer["seconds"] as? Double {
            record.addPeer("scikit-learn", medianNanoseconds: peerSeconds * 1e9)
            if let cpu = answer["cpu_seconds"] as? Double { record["peer_cpu_seconds"] = .double(cpu) }
            if let peerLabels = readInt64s(labelsPath), peerLabels.count == n {
                record["ari_vs_peer"] = .double((try? ClusterMetrics.adjustedRandIndex(model.labels, peerLabels)) ?? .nan)
            }
        }
        writer.emit(record)
        assignment(model, columns: d, seed: seed, writer: writer)
    }

    /// New rows assigned by the fitted model (the core points' k-d tree) against a scan of
    /// every core point, which is what `assign` did before; the labels must agree.
    static func assignment(_ model: DBSCAN.Model, columns d: Int, seed: UInt64, writer: ResultWriter) {
        let queries = gaussianMixture(rows: 10_000, columns: d, clusters: 6, spread: 2.5, seed: seed &+ 7, withNoise: true)
        var labels: [Int] = []
        let treeSeconds = timed { labels = (try? model.assign(queries)) ?? [] }
        var scanned: [Int] = []
        let e2 = model.configuration.epsilon * model.configuration.epsilon
        let scanSeconds = timed {
            scanned = (0..<queries.rows).map { i in
                var best = e2, label = -1
                for c in 0..<model.corePoints.rows {
                    var s = 0.0
                    for j in 0..<d {
                        let t = queries[i, j] - model.corePoints[c, j]
                        s += t * t
                    }
                    if s <= best { best = s; label = model.coreLabels[c] }
                }
                return label
            }
        }
        var record = BenchmarkRecord()
        record["task"] = .string("DBSCAN assign (k-d tree of core points) rows=10000 cores=\(model.corePoints.rows) d=\(d)")
        record["size"] = .int(queries.rows)
        record["median_ns"] = .double(treeSeconds * 1e9 / Double(queries.rows))
        record["scan_ns_per_row"] = .double(scanSeconds * 1e9 / Double(queries.rows))
        record["speedup_vs_scan"] = .double(scanSeconds / treeSeconds)
        record["labels_equal_scan"] = .bool(labels == scanned)
        writer.emit(record)
    }
}
