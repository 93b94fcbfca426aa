import AttuneCore
import Evaluation
import Foundation

/// DR accuracy over several seeded logs: Attune's DR with its own cross-fitted reward model
/// against OBP's DR with OBP's default reward model, each log read by both from the same file.
///
/// One log's error is mostly noise (the two errors differ by less than their spread from log
/// to log), so the comparison is over `logs` independent logs: the mean absolute error of
/// each side with a 95% t interval over logs, and the paired difference (Attune − OBP) of the
/// absolute errors with its interval. The target is met when Attune's mean absolute error is
/// not above OBP's.
///
/// Most of DR's error is common to both sides (the reward noise and the sampled contexts: what
/// DR with the exact reward means still makes), so the errors of the two sides differ by little
/// on each log. The study also reports the part that the reward model adds, `|DR(q̂) − DR(q)|`
/// with `q` the simulator's exact means on the same log: DR is linear in the predictions, so
/// this isolates the model's contribution. The exact means are used only to measure, never by
/// either model.
extension EvaluationBenchmarks {
    /// The reward model Attune uses for DR in the benchmark and the accuracy study.
    static func rewardModelConfiguration(seed: UInt64) throws(EvaluationError) -> RewardModel.Configuration {
        try RewardModel.Configuration(kind: .logistic, ridge: 1, folds: 3, seed: seed)
    }

    static func accuracy(
        setup: LinearContextualSetup, truth: Double, rounds: Int, logs: Int, directory: URL,
        peer: PeerProcess?, seed: UInt64, writer: ResultWriter
    ) throws(BenchError) {
        guard let peer else {
            ResultWriter.progress("evaluation: no OBP peer, skipping the DR accuracy study")
            return
        }
        ResultWriter.progress("evaluation: DR accuracy over \(logs) logs of \(rounds) rounds, Attune's model vs OBP's")
        let url = directory.appendingPathComponent("evaluation-accuracy-\(rounds).jsonl")
        var ours: [Double] = [], theirs: [Double] = [], oursModel: [Double] = [], theirsModel: [Double] = []
        var oursSeconds = 0.0, theirsSeconds = 0.0
        for r in 0..<logs {
            let logSeed = seed &+ 5_000_000 &+ UInt64(rounds) &* 31 &+ UInt64(r)
            try setup.writeLog(rounds: rounds, seed: logSeed, to: url)
            let dr: Double, exact: Double
            do {
                let clock = Clock()
                let log = try DecisionLog.read(path: url.path)
                let model = try RewardModel.crossFit(log: log, configuration: rewardModelConfiguration(seed: logSeed))
                dr = try DoublyRobust().estimate(on: log, target: log.targetProbabilities, rewardModel: model.predictions).value
                oursSeconds += clock.lap()
                exact = try DoublyRobust().estimate(on: log, target: log.targetProbabilities,
                                                    rewardModel: setup.exactMeans(for: log)).value
            } catch {
                throw .peerFailed(peer: "attune", reason: "\(error)")
            }
            let clock = Clock()
            let answer = try peer.request(["mode": "dr_own", "log": url.path, "k": actions, "seed": Int(logSeed % 1_000_000)])
            theirsSeconds += clock.lap()
            guard let own = answer["dr_own_model"] as? Double else {
                throw .peerFailed(peer: "obp", reason: "no dr_own_model in the answer")
            }
            ours.append(abs(dr - truth))
            theirs.append(abs(own - truth))
            oursModel.append(abs(dr - exact))
            theirsModel.append(abs(own - exact))
            ResultWriter.progress(String(format: "  log %d: |error| Attune DR %.6f, OBP DR %.6f; |DR(model) - DR(exact means)| Attune %.6f, OBP %.6f",
                                         r + 1, ours[r], theirs[r], oursModel[r], theirsModel[r]))
        }
        try? FileManager.default.removeItem(at: url)
        let a = meanInterval(ours), o = meanInterval(theirs)
        let d = meanInterval(zip(ours, theirs).map { $0 - $1 })
        var record = BenchmarkRecord()
        record["task"] = .string("dr_accuracy")
        record["size"] = .int(rounds)
        record["logs"] = .int(logs)
        record["attune_mean_abs_error"] = .double(a.mean)
        record["attune_ci_low"] = .double(a.low)
        record["attune_ci_high"] = .double(a.high)
        record["obp_mean_abs_error"] = .double(o.mean)
        record["obp_ci_low"] = .double(o.low)
        record["obp_ci_high"] = .double(o.high)
        record["paired_difference"] = .double(d.mean)
        record["paired_ci_low"] = .double(d.low)
        record["paired_ci_high"] = .double(d.high)
        record["attune_wins"] = .int(zip(ours, theirs).filter { $0 <= $1 }.count)
        let am = meanInterval(oursModel), om = meanInterval(theirsModel)
        let dm = meanInterval(zip(oursModel, theirsModel).map { $0 - $1 })
        record["attune_model_part"] = .double(am.mean)
        record["attune_model_part_ci_low"] = .double(am.low)
        record["attune_model_part_ci_high"] = .double(am.high)
        record["obp_model_part"] = .double(om.mean)
        record["obp_model_part_ci_low"] = .double(om.low)
        record["obp_model_part_ci_high"] = .double(om.high)
        record["model_part_paired_difference"] = .double(dm.mean)
        record["model_part_paired_ci_low"] = .double(dm.low)
        record["model_part_paired_ci_high"] = .double(dm.high)
        record["attune_s"] = .double(oursSeconds)
        record["peer_s"] = .double(theirsSeconds)
        record["target"] = .string("attune_mean_abs_error <= obp_mean_abs_error")
        record["target_met"] = .bool(a.mean <= o.mean)
        writer.emit(record)
    }

    /// The mean of `values` with a 95% Student t interval.
    static func meanInterval(_ values: [Double]) -> (mean: Double, low: Double, high: Double) {
        let n = values.count
        guard n > 1 else { return (values.first ?? .nan, .nan, .nan) }
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let half = studentQuantile975(degreesOfFreedom: n - 1) * (variance / Double(n)).squareRoot()
        return (mean, mean - half, mean + half)
    }

    /// The 0.975 quantile of Student's t distribution (tabulated to 30 degrees of freedom,
    /// the normal quantile beyond).
    static func studentQuantile975(degreesOfFreedom k: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        return k >= 1 && k <= table.count ? table[k - 1] : 1.960
    }
}

/// The system's load averages over 1, 5 and 15 minutes (`/proc/loadavg`), or `nil`.
func systemLoadAverages() -> String? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}
