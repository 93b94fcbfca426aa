/// The comparison lines of `attune-bench bandits`: each peer learner's figures beside those of
/// the Attune learner running the same algorithm (numpy and MABWiser LinUCB ↔ Attune LinUCB,
/// VW squarecb ↔ ridge + SquareCB, VW epsilon ↔ ridge + ε-greedy), with the ratio; then each
/// target with whether it is met.
extension BanditBenchmarks {
    /// Everything Attune measured, indexed for the comparisons.
    struct AttuneResults {
        var learners: [BanditLearner]
        var runs: [BanditRunResult]
        var latencies: [BanditLatency]

        func run(key: String) -> BanditRunResult? {
            learners.first { $0.key == key }.flatMap { learner in runs.first { $0.learner == learner.name } }
        }

        func latency(key: String, setting: String) -> BanditLatency? {
            learners.first { $0.key == key }.flatMap { learner in
                latencies.first { $0.learner == learner.name && $0.setting == setting }
            }
        }

        /// Runs of the learners that are not context-free baselines.
        var contextualRuns: [BanditRunResult] {
            let baselines = Set(learners.filter(\.isBaseline).map(\.name))
            return runs.filter { !baselines.contains($0.learner) }
        }
    }

    /// One figure of a peer learner and of its Attune counterpart.
    struct PairedFigure {
        var figure: String
        var size: String
        var higherIsBetter: Bool
        var attune: Double?
        var peer: Double?
    }

    static var smallSize: String { "K=\(actionCount) d=\(dimension)" }
    static var largeSize: String { "K=\(largeActionCount) d=\(largeDimension)" }

    /// The figures of `peer` (a run record) paired with its Attune counterpart's.
    static func pairedFigures(_ peer: PeerResult, _ attune: AttuneResults, peers: [PeerResult]) -> [PairedFigure] {
        guard let key = peer.counterpart else { return [] }
        let run = attune.run(key: key)
        let small = attune.latency(key: key, setting: smallSize)
        let large = attune.latency(key: peer.largeCounterpart ?? key, setting: largeSize)
        let peerLarge = peers.first { $0.peer == peer.peer && $0.learner == peer.learner && $0.latencySetting == largeSize }
        return [
            PairedFigure(figure: "average_reward", size: smallSize, higherIsBetter: true,
                         attune: run?.averageReward, peer: peer.number("average_reward")),
            PairedFigure(figure: "rounds_per_second", size: smallSize, higherIsBetter: true,
                         attune: run?.roundsPerSecond, peer: peer.number("rounds_per_second")),
            PairedFigure(figure: "rounds_per_cpu_second", size: smallSize, higherIsBetter: true,
                         attune: run?.roundsPerCPUSecond, peer: peer.number("rounds_per_cpu_second")),
            PairedFigure(figure: "decide_p50_ns", size: smallSize, higherIsBetter: false,
                         attune: small?.medianNanoseconds, peer: peer.number("decide_p50_ns")),
            PairedFigure(figure: "decide_p99_ns_unpreempted", size: smallSize, higherIsBetter: false,
                         attune: small?.p99UnpreemptedNanoseconds, peer: peer.number("decide_p99_ns_unpreempted")),
            PairedFigure(figure: "decide_p50_ns", size: largeSize, higherIsBetter: false,
                         attune: large?.medianNanoseconds, peer: peerLarge?.number("decide_p50_ns")),
            PairedFigure(figure: "decide_p99_ns_unpreempted", size: largeSize, higherIsBetter: false,
                         attune: large?.p99UnpreemptedNanoseconds, peer: peerLarge?.number("decide_p99_ns_unpreempted")),
        ]
    }

    static func comparisons(_ attune: AttuneResults, peers: [PeerResult]) -> [BenchmarkRecord] {
        var records: [BenchmarkRecord] = []
        for peer in peers where peer.isRun {
            guard let key = peer.counterpart, let learner = attune.learners.first(where: { $0.key == key }) else { continue }
            let largeLearner = attune.learners.first { $0.key == (peer.largeCounterpart ?? key) } ?? learner
            for pair in pairedFigures(peer, attune, peers: peers) {
                guard let mine = pair.attune, let theirs = pair.peer, mine.isFinite, theirs.isFinite else { continue }
                var r = BenchmarkRecord()
                r["task"] = .string("bandits compare")
                r["figure"] = .string(pair.figure)
                r["size"] = .string(pair.size)
                r["learner"] = .string(pair.size == largeSize ? largeLearner.name : learner.name)
                r["attune"] = .double(mine)
                r["peer"] = .string(peer.name)
                r["peer_value"] = .double(theirs)
                // attune / peer: above 1 is better for rewards and throughput, below 1 for latency.
                r["ratio"] = .double(theirs != 0 ? mine / theirs : .nan)
                r["better"] = .string(pair.higherIsBetter ? "higher" : "lower")
                records.append(r)
            }
        }
        return records
    }

    // MARK: - Targets

    static func targets(_ attune: AttuneResults, peers: [PeerResult]) -> [BenchmarkRecord] {
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
        let peerRewards = peers.filter(\.isRun).compactMap { p in p.number("average_reward").map { (p.name, $0) } }
        if let best = attune.contextualRuns.max(by: { $0.averageReward < $1.averageReward }),
           let bestPeer = peerRewards.max(by: { $0.1 < $1.1 }) {
            add(best.learner, "average_reward", smallSize, best.averageReward,
                ">= best peer (\(bestPeer.0): \(FieldValue.double(bestPeer.1).text))", best.averageReward >= bestPeer.1)
        }
        for run in attune.runs {
            add(run.learner, "rounds_per_second", smallSize, run.roundsPerSecond, ">= 500000",
                run.roundsPerSecond >= targetRoundsPerSecond)
            add(run.learner, "rounds_per_cpu_second", smallSize, run.roundsPerCPUSecond, ">= 500000",
                run.roundsPerCPUSecond >= targetRoundsPerSecond)
            add(run.learner, "steady_allocations_per_round", smallSize, run.steadyAllocationsPerRound, "0",
                run.steadyAllocationsPerRound == 0)
        }
        for latency in attune.latencies {
            let limit = latency.setting == smallSize ? targetP99Small : targetP99Large
            add(latency.learner, "decide_p99_ns_unpreempted", latency.setting, latency.p99UnpreemptedNanoseconds,
                "<= \(Int(limit))", latency.p99UnpreemptedNanoseconds <= limit)
            add(latency.learner, "decide_p99_ns (wall, all)", latency.setting, latency.p99Nanoseconds,
                "<= \(Int(limit))", latency.p99Nanoseconds <= limit)
        }
        return records
    }
}
