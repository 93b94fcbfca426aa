import AttuneCore
import Evaluation
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `evaluation` suite: the whole offline-evaluation pipeline on seeded linear-contextual
/// logs (d = 20, K = 10, Bernoulli rewards with logistic means) with a known target value,
/// against Open Bandit Pipeline on the very same log file.
///
/// Per size `n`: records `estimate <name>` with Attune's value, its 95% bootstrap interval
/// (1,000 replicates), the truth and the error, and OBP's value on the same reward-model
/// predictions (`obp_value`, `relative_difference`); `dr_obp_own_model` (OBP's DR with its
/// default logistic reward model); and `pipeline` with the seconds of each stage on both sides
/// and `ratio` = OBP time / Attune time for the same work (load + reward model + estimators +
/// bootstrap of IPS, SNIPS and DR), and `ratio_all_estimators` for all eight estimators with
/// intervals (OBP's time extrapolated from its three bootstraps), with the peak resident memory
/// and the load average. With OBP, Attune's stage times are the means of a run before and a run
/// after OBP's. Without `--quick`, `coverage` reports how often the 95% intervals of
/// IPS, SNIPS and DR cover the truth over 100 seeded logs of 10⁴ rounds, and `dr_accuracy`
/// compares DR's error with OBP's over 20 logs of 10⁵ rounds (3 logs with `--rounds` ≥ 10⁶).
enum EvaluationBenchmarks {
    static let suite = BenchSuite(name: "evaluation", run: run)
    static let defaultSizes = [10_000, 100_000]
    static let dimension = 20, actions = 10, replicates = 1000

    static func run(_ options: BenchOptions, _ writer: ResultWriter) throws(BenchError) {
        let sizes = options.rounds.map { [$0] } ?? (options.quick ? [10_000] : defaultSizes)
        let setup = LinearContextualSetup(dimension: dimension, actions: actions, seed: options.seed)
        ResultWriter.progress("evaluation: d=\(dimension) K=\(actions), sizes \(sizes.map(String.init).joined(separator: ",")); computing the true target value")
        let truth = setup.trueTargetValue(contexts: 10_000_000, seed: options.seed &+ 1)
        ResultWriter.progress("evaluation: true target value \(truth.value) (Monte Carlo standard error \(truth.standardError))")
        let environment = PeerEnvironment.locate()
        let peer = options.peers ? startPeer(environment) : nil
        defer { peer?.close() }
        let directory = (environment?.root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .appendingPathComponent(".build/bench-inputs")
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory.path, reason: "could not create: \(error.localizedDescription)")
        }
        for n in sizes {
            let logURL = directory.appendingPathComponent("evaluation-\(n).jsonl")
            try setup.writeLog(rounds: n, seed: options.seed &+ UInt64(n), to: logURL)
            try measure(n: n, logURL: logURL, truth: truth.value, peer: peer, seed: options.seed, writer: writer)
        }
        if !options.quick {
            try coverage(setup: setup, truth: truth.value, seed: options.seed, writer: writer)
            let rounds = options.rounds ?? 100_000
            try accuracy(setup: setup, truth: truth.value, rounds: rounds, logs: rounds >= 1_000_000 ? 3 : 20,
                         directory: directory, peer: peer, seed: options.seed, writer: writer)
        }
        writer.finish()
    }

    static func measure(n: Int, logURL: URL, truth: Double, peer: PeerProcess?, seed: UInt64, writer: ResultWriter) throws(BenchError) {
        do {
            ResultWriter.progress("evaluation n=\(n): Attune")
            let clock = Clock()
            let log = try DecisionLog.read(path: logURL.path)
            var readSeconds = clock.lap(), readCPU = clock.cpu
            let modelConfiguration = try rewardModelConfiguration(seed: seed)
            let model = try RewardModel.crossFit(log: log, configuration: modelConfiguration)
            var modelSeconds = clock.lap(), modelCPU = clock.cpu
            let configuration = try OfflineEvaluation.Configuration(estimators: ["all"])
            let estimators = try configuration.makeEstimators()
            var terms: [Contributions] = []
            for e in estimators { terms.append(try e.contributions(on: log, target: log.targetProbabilities, rewardModel: model.predictions)) }
            var estimates: [Estimate] = []
            for t in terms { estimates.append(try Estimate(contributions: t)) }
            var estimatorSeconds = clock.lap(), estimatorCPU = clock.cpu
            let bootstrap = try Bootstrap(replicates: replicates, seed: seed)
            let comparable = ["ips", "snips", "dr"].compactMap { name in terms.first { $0.estimator == name } }
            _ = try bootstrap.intervals(comparable)
            var comparableBootstrapSeconds = clock.lap(), bootstrapCPU = clock.cpu
            let intervals = try bootstrap.intervals(terms)
            let allBootstrapSeconds = clock.lap()
            let peakMegabytes = peakResidentMegabytes()

            let predictionsURL = logURL.appendingPathExtension("predictions")
            try model.predictions.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: predictionsURL)
            var answer: [String: Any] = [:]
            if let peer {
                ResultWriter.progress("evaluation n=\(n): OBP")
                answer = try peer.request(["log": logURL.path, "predictions": predictionsURL.path, "k": actions,
                                           "bootstrap": replicates, "seed": Int(seed % 1_000_000), "clip": configuration.clipWeight,
                                           "switch": configuration.switchThreshold, "lambda": configuration.shrinkageLambda])
            }
            if peer != nil {
                // The machine is shared: a burst of other work during Attune's short run would
                // weigh more than during OBP's long one. So Attune's stages run again after
                // OBP's, and each stage's time is the mean of the two runs.
                ResultWriter.progress("evaluation n=\(n): Attune again (stage times: mean of the runs before and after OBP)")
                let again = try timePipeline(path: logURL.path, seed: seed, estimators: estimators)
                readSeconds = (readSeconds + again.wall[0]) / 2; readCPU = (readCPU + again.cpu[0]) / 2
                modelSeconds = (modelSeconds + again.wall[1]) / 2; modelCPU = (modelCPU + again.cpu[1]) / 2
                estimatorSeconds = (estimatorSeconds + again.wall[2]) / 2; estimatorCPU = (estimatorCPU + again.cpu[2]) / 2
                comparableBootstrapSeconds = (comparableBootstrapSeconds + again.wall[3]) / 2; bootstrapCPU = (bootstrapCPU + again.cpu[3]) / 2
            }
            let obpValues = answer["values"] as? [String: Double] ?? [:]
            for (k, e) in estimates.enumerated() {
                var record = BenchmarkRecord()
                record["task"] = .string("estimate \(e.estimator)")
                record["size"] = .int(n)
                record["value"] = .double(e.value)
                record["truth"] = .double(truth)
                record["abs_error"] = .double(abs(e.value - truth))
                record["ci_low"] = .double(intervals[k].low)
                record["ci_high"] = .double(intervals[k].high)
                record["covers_truth"] = .bool(intervals[k].low <= truth && truth <= intervals[k].high)
                record["effective_sample_size"] = .double(e.effectiveSampleSize)
                if let v = obpValues[e.estimator] {
                    record["obp_value"] = .double(v)
                    record["relative_difference"] = .double(abs(v - e.value) / max(abs(e.value), 1e-300))
                    record["target"] = .string("relative_difference <= 1e-9")
                    record["target_met"] = .bool(abs(v - e.value) <= 1e-9 * max(abs(e.value), 1e-300))
                }
                writer.emit(record)
            }
            if let own = answer["dr_own_model"] as? Double, let dr = estimates.first(where: { $0.estimator == "dr" }) {
                var record = BenchmarkRecord()
                record["task"] = .string("dr_obp_own_model")
                record["size"] = .int(n)
                record["value"] = .double(own)
                record["abs_error"] = .double(abs(own - truth))
                record["attune_dr_abs_error"] = .double(abs(dr.value - truth))
                record["attune_model_held_out_mse"] = .double(model.heldOutMeanSquaredError)
                record["target"] = .string("attune_dr_abs_error <= abs_error")
                record["target_met"] = .bool(abs(dr.value - truth) <= abs(own - truth))
                writer.emit(record)
            }
            var record = BenchmarkRecord()
            record["task"] = .string("pipeline")
            record["size"] = .int(n)
            record["read_s"] = .double(readSeconds)
            record["model_s"] = .double(modelSeconds)
            record["estimators_s"] = .double(estimatorSeconds)
            record["bootstrap3_s"] = .double(comparableBootstrapSeconds)
            record["bootstrap_all_s"] = .double(allBootstrapSeconds)
            let attuneComparable = readSeconds + modelSeconds + estimatorSeconds + comparableBootstrapSeconds
            record["total_s"] = .double(attuneComparable)
            record["read_cpu_s"] = .double(readCPU)
            record["model_cpu_s"] = .double(modelCPU)
            record["estimators_cpu_s"] = .double(estimatorCPU)
            record["bootstrap3_cpu_s"] = .double(bootstrapCPU)
            let attuneCPU = readCPU + modelCPU + estimatorCPU + bootstrapCPU
            record["total_cpu_s"] = .double(attuneCPU)
            record["max_rss_mb"] = .double(peakMegabytes)
            if let load = systemLoadAverages() { record["load_average"] = .string(load) }
            if let load = answer["load_s"] as? Double, let m = answer["model_s"] as? Double,
               let est = answer["estimators_s"] as? Double, let boot = answer["bootstrap_s"] as? Double {
                record["peer"] = .string("obp")
                record["peer_load_s"] = .double(load)
                record["peer_model_s"] = .double(m)
                record["peer_estimators_s"] = .double(est)
                record["peer_bootstrap3_s"] = .double(boot)
                record["peer_total_s"] = .double(load + m + est + boot)
                record["ratio"] = .double((load + m + est + boot) / attuneComparable)
                if let lc = answer["load_cpu_s"] as? Double, let mc = answer["model_cpu_s"] as? Double,
                   let ec = answer["estimators_cpu_s"] as? Double, let bc = answer["bootstrap_cpu_s"] as? Double {
                    record["peer_load_cpu_s"] = .double(lc)
                    record["peer_model_cpu_s"] = .double(mc)
                    record["peer_estimators_cpu_s"] = .double(ec)
                    record["peer_bootstrap3_cpu_s"] = .double(bc)
                    // CPU seconds summed over threads: Attune's parallel stages count in full,
                    // so this ratio is the single-core one, immune to the other processes' load.
                    record["cpu_ratio"] = .double((lc + mc + ec + bc) / attuneCPU)
                }
                // All eight estimators with intervals: OBP bootstraps one estimator at a time, so
                // its time for eight is extrapolated from its three; Attune's is measured.
                let peerAll = load + m + est + boot * Double(estimates.count) / 3
                let attuneAll = readSeconds + modelSeconds + estimatorSeconds + allBootstrapSeconds
                record["peer_total_all_s_extrapolated"] = .double(peerAll)
                record["ratio_all_estimators"] = .double(peerAll / attuneAll)
                record["target"] = .string("ratio >= 10")
                record["target_met"] = .bool((load + m + est + boot) / attuneComparable >= 10)
            }
            writer.emit(record)
        } catch let error as BenchError {
            throw error
        } catch {
            throw .peerFailed(peer: "attune", reason: "\(error)")
        }
    }

    /// Wall-clock and CPU seconds of read, reward model, all estimators and the bootstrap of
    /// IPS, SNIPS and DR on the log at `path` (the pipeline of ``measure``, timed only).
    static func timePipeline(
        path: String, seed: UInt64, estimators: [any OffPolicyEstimator]
    ) throws -> (wall: [Double], cpu: [Double]) {
        var wall: [Double] = [], cpu: [Double] = []
        let clock = Clock()
        let log = try DecisionLog.read(path: path)
        wall.append(clock.lap()); cpu.append(clock.cpu)
        let model = try RewardModel.crossFit(log: log, configuration: rewardModelConfiguration(seed: seed))
        wall.append(clock.lap()); cpu.append(clock.cpu)
        var terms: [Contributions] = []
        for e in estimators { terms.append(try e.contributions(on: log, target: log.targetProbabilities, rewardModel: model.predictions)) }
        for t in terms { _ = try Estimate(contributions: t) }
        wall.append(clock.lap()); cpu.append(clock.cpu)
        let comparable = ["ips", "snips", "dr"].compactMap { name in terms.first { $0.estimator == name } }
        _ = try Bootstrap(replicates: replicates, seed: seed).intervals(comparable)
        wall.append(clock.lap()); cpu.append(clock.cpu)
        return (wall, cpu)
    }

    /// Coverage of the 95% normal intervals of IPS, SNIPS and DR over 100 seeded logs.
    static func coverage(setup: LinearContextualSetup, truth: Double, seed: UInt64, writer: ResultWriter) throws(BenchError) {
        ResultWriter.progress("evaluation: coverage over 100 logs of 10000 rounds")
        let names = ["ips", "snips", "dr"]
        var covered = [Int](repeating: 0, count: names.count)
        let logs = 100
        do {
            let estimators: [any OffPolicyEstimator] = [try InversePropensityScoring(), SelfNormalizedIPS(), DoublyRobust()]
            for r in 0..<logs {
                let log = try setup.log(rounds: 10_000, seed: seed &+ 10_000 &+ UInt64(r))
                let q = try RewardModel.crossFit(log: log, configuration: RewardModel.Configuration(kind: .ridge, folds: 2, seed: UInt64(r))).predictions
                for (k, e) in estimators.enumerated() {
                    let estimate = try e.estimate(on: log, target: log.targetProbabilities, rewardModel: q)
                    if estimate.ciLow <= truth, truth <= estimate.ciHigh { covered[k] += 1 }
                }
            }
        } catch {
            throw .peerFailed(peer: "attune", reason: "\(error)")
        }
        for (k, name) in names.enumerated() {
            var record = BenchmarkRecord()
            record["task"] = .string("coverage \(name)")
            record["size"] = .int(10_000)
            record["logs"] = .int(logs)
            record["coverage"] = .double(Double(covered[k]) / Double(logs))
            record["target"] = .string("coverage >= 0.9")
            record["target_met"] = .bool(Double(covered[k]) / Double(logs) >= 0.9)
            writer.emit(record)
        }
    }

    static func startPeer(_ environment: PeerEnvironment?) -> PeerProcess? {
        guard let environment else {
            ResultWriter.progress("note: package root not found (run from the repository); running without peers")
            return nil
        }
        guard var python = environment.python(requiring: ["numpy", "sklearn", "pandas", "scipy"],
                                              packages: ["numpy", "scipy", "scikit-learn", "pandas"]) else { return nil }
        // `import obp` itself needs PyTorch, so look the package up without importing it.
        let findOBP = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('obp') else 1)"
        if PeerEnvironment.run(python, ["-c", findOBP], quiet: true) != 0 {
            // OBP 0.5.7 declares Python < 3.11 and depends on PyTorch for its policy learners;
            // its OPE code needs neither (see obp_evaluation.py).
            ResultWriter.progress("peers: pip install -q --no-deps --ignore-requires-python obp==0.5.7")
            let status = PeerEnvironment.run(python, ["-m", "pip", "install", "-q", "--no-deps", "--ignore-requires-python", "obp==0.5.7"])
            guard status == 0 else {
                ResultWriter.progress("note: could not install obp (exit \(status)); running without OBP")
                return nil
            }
            python = environment.python
        }
        do {
            let peer = try PeerProcess(name: "obp", python: python,
                                       script: environment.peersDirectory.appendingPathComponent("obp_evaluation.py"), arguments: ["--serve"])
            let hello = try peer.readObject()
            ResultWriter.progress("peer: obp \(hello["obp"] ?? "?"), numpy \(hello["numpy"] ?? "?"), scikit-learn \(hello["sklearn"] ?? "?")")
            return peer
        } catch {
            ResultWriter.progress("note: \(error.description); running without OBP")
            return nil
        }
    }
}

/// The peak resident memory of this process so far, in MiB (`getrusage`).
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

/// Wall-clock laps in seconds, with the CPU seconds of the same laps.
final class Clock {
    private var last = monotonicNanoseconds()
    private var lastCPU = processCPUSeconds()
    /// CPU seconds (user + system, all threads of the process) of the last lap.
    private(set) var cpu = 0.0
    /// Wall-clock seconds since the previous lap (or creation).
    func lap() -> Double {
        let now = monotonicNanoseconds(), nowCPU = processCPUSeconds()
        defer { last = now; lastCPU = nowCPU }
        cpu = nowCPU - lastCPU
        return Double(now - last) / 1e9
    }
}

/// User + system CPU seconds of this process so far, all threads (`getrusage`).
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
