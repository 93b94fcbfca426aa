/// The comparison lines of `attune-bench bandits`: each figure of Attune's best learner for it
/// beside each peer's, with the ratio, then each target with whether it is met.
extension BanditBenchmarks {
    /// One figure compared: how to read it from either side and which direction is better.
    struct Figure {
        var name: String
        var size: String
        var higherIsBetter: Bool
        var attune: [(learner: String, value: Double)]
        var peers: [(name: String, value: Double)]
    }

    static func comparisons(runs: [BanditRunResult], latencies: [BanditLatency], peers: [PeerResult]) -> [BenchmarkRecord] {
        let small = "K=\(actionCount) d=\(dimension)"
        let large = "K=\(largeActionCount) d=\(largeDimension)"
        let peerRuns = peers.filter(\.isRun)
        let figures = [
            Figure(name: "average_reward", size: small, higherIsBetter: true,
                   attune: runs.map { ($0.learner, $0.averageReward) },
                   peers: peerRuns.compactMap { p in p.number("average_reward").map { (p.name, $0) } }),
            Figure(name: "rounds_per_second", size: small, higherIsBetter: true,
                   attune: runs.map { ($0.learner, $0.roundsPerSecond) },
                   peers: peerRuns.compactMap { p in p.number("rounds_per_second").map { (p.name, $0) } }),
            Figure(name: "decide_p99_ns", size: small, higherIsBetter: false,
                   attune: latencies.filter { $0.setting == small }.map { ($0.learner, $0.p99Nanoseconds) },
                   peers: peers.filter { $0.latencySetting == small }.compactMap { p in p.number("decide_p99_ns").map { (p.name, $0) } }),
            Figure(name: "decide_p99_ns", size: large, higherIsBetter: false,
                   attune: latencies.filter { $0.setting == large }.map { ($0.learner, $0.p99Nanoseconds) },
                   peers: peers.filter { $0.latencySetting == large }.compactMap { p in p.number("decide_p99_ns").map { (p.name, $0) } }),
        ]
        var records: [BenchmarkRecord] = []
        for figure in figures {
            guard let best = bestAttune(figure) else { continue }
            for peer in figure.peers {
                var r = BenchmarkRecord()
                r["task"] = .string("bandits compare \(figure.name)")
                r["size"] = .string(figure.size)
                r["learner"] = .string(best.learner)
                r["attune"] = .double(best.value)
                r["peer"] = .string(peer.name)
                r["peer_value"] = .double(peer.value)
                // attune / peer: above 1 is better for rewards and throughput, below 1 for latency.
                r["ratio"] = .double(peer.value != 0 ? best.value / peer.value : .nan)
                r["better"] = .string(figure.higherIsBetter ? "higher" : "lower")
                records.append(r)
            }
        }
        records += targets(runs: runs, latencies: latencies, figures: figures)
        return records
    }

    private static func bestAttune(_ figure: Figure) -> (learner: String, value: Double)? {
        let finite = figure.attune.filter { $0.value.isFinite }
        return figure.higherIsBetter ? finite.max { $0.value < $1.value } : finite.min { $0.value < $1.value }
    }

    // MARK: - Targets

    private static func targets(runs: [BanditRunResult], latencies: [BanditLatency], figures: [Figure]) -> [BenchmarkRecord] {
        var records: [BenchmarkRecord] = []
        func add(_ learner: String, _ figure: String, _ size: String, _ value: Double, _ target: String, _ met: Bool) {
            var r = BenchmarkRecord()
            r["task"] = .string("bandits target")
            r["size"] = .string(size)
            r["learner"] = .string(learner)
            r["figure"] = .string(figure)
            r["value"] = .double(value)
            r["target"] = .string(target)
            r["met"] = .bool(met)
            records.append(r)
        }
        let rewards = figures[0]
        if let best = bestAttune(rewards), let bestPeer = rewards.peers.max(by: { $0.value < $1.value }) {
            add(best.learner, "average_reward", rewards.size, best.value,
                ">= best peer (\(bestPeer.name): \(FieldValue.double(bestPeer.value).text))", best.value >= bestPeer.value)
        }
        let small = "K=\(actionCount) d=\(dimension)"
        for run in runs {
            add(run.learner, "rounds_per_second", small, run.roundsPerSecond, ">= 500000",
                run.roundsPerSecond >= targetRoundsPerSecond)
            add(run.learner, "steady_allocations_per_round", small, run.steadyAllocationsPerRound, "0",
                run.steadyAllocationsPerRound == 0)
        }
        for latency in latencies {
            let limit = latency.setting == small ? targetP99Small : targetP99Large
            add(latency.learner, "decide_p99_ns", latency.setting, latency.p99Nanoseconds,
                "<= \(Int(limit))", latency.p99Nanoseconds <= limit)
        }
        return records
    }
}
