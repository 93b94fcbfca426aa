import Foundation

/// `attune-bench bandits`: Attune's contextual-bandit learners and the Python peers on the very
/// same seeded environment, in one invocation.
///
/// 1. Draws the environment (``BanditEnvironment``: d = 20, K = 10, T rounds) and a latency
///    environment (d = 64, K = 100, with 64 action features), writes both for the peers.
/// 2. Runs every Attune learner (``BanditLearners``): average reward with its 95% interval,
///    regret against the optimal policy, rounds per second of decide + learn on one thread,
///    allocations per round; then decision latency p50/p99 in both settings.
/// 3. Starts the peers (``BanditPeers``), prints their figures, then one comparison line per
///    figure and peer learner: the figure of the Attune learner running the same algorithm,
///    the peer's, the ratio; then every target and whether it is met.
///
/// On a shared machine wall-clock figures measure the other processes too, so each throughput
/// comes with its thread-CPU-time form, and each p99 with the p99 of the decisions the
/// scheduler did not preempt (involuntary context switches read outside the timed span);
/// the environment line carries the load average.
enum BanditBenchmarks {
    /// Context dimension and action count of the main environment.
    static let dimension = 20, actionCount = 10
    /// The latency setting: K = 100 actions, d = 64 model features per action. Disjoint
    /// learners read the 64 context values (one model per action); ADF learners (one shared
    /// model) cross 8 context values (7 + a constant) with 8 action features (7 + a constant),
    /// 64 joint features.
    static let largeDimension = 64, largeActionCount = 100
    /// Context values and action features (each with its constant) the ADF learners read.
    static let adfContextWidth = 8

    /// Targets of the suite.
    static let targetRoundsPerSecond = 500_000.0
    static let targetP99Small = 2_000.0
    static let targetP99Large = 50_000.0

    /// The suite as `attune-bench` dispatches it.
    static let suite = BenchSuite(name: "bandits") { options, writer throws(BenchError) in
        try run(options: options, writer: writer)
    }

    /// Runs the suite.
    /// - Throws: `BenchError` when a learner fails or a file cannot be written.
    static func run(options: BenchOptions, writer: ResultWriter) throws(BenchError) {
        let rounds = options.rounds ?? (options.quick ? 20_000 : 1_000_000)
        let latencyRounds = options.quick ? 2_000 : 20_000
        let peerLatencyRounds = options.quick ? 300 : 2_000

        ResultWriter.progress("bandits: drawing the environment (d=\(dimension), K=\(actionCount), T=\(rounds), seed \(options.seed))")
        let environment = BanditEnvironment(seed: options.seed, dimension: dimension, actionCount: actionCount, rounds: rounds)
        let large = BanditEnvironment(
            seed: options.seed &+ 1, dimension: largeDimension, actionCount: largeActionCount, rounds: latencyRounds,
            actionFeatureDimension: adfContextWidth - 1)
        // JSON Lines go out as each figure is measured; a table run prints a summary at the end.
        let streaming = writer.format == .json
        func emit(_ record: BenchmarkRecord) { if streaming { writer.emit(record) } }
        emit(environmentRecord(environment))

        // MARK: Attune
        var runs: [BanditRunResult] = []
        var latencies: [BanditLatency] = []
        let learners = BanditLearners.all(for: environment, large: large)
        for learner in learners {
            if let run = learner.run {
                ResultWriter.progress("bandits: attune \(learner.name): \(rounds) rounds")
                let result = try run(environment, rounds, options.seed)
                runs.append(result)
                emit(runRecord(result))
            }
            ResultWriter.progress("bandits: attune \(learner.name): decision latency")
            if let latency = learner.latency {
                let small = try latency(environment, latencyRounds, options.seed)
                latencies.append(small)
                emit(latencyRecord(small))
            }
            if let largeLatency = learner.largeLatency {
                let measured = try largeLatency(large, latencyRounds, options.seed)
                latencies.append(measured)
                emit(latencyRecord(measured))
            }
        }

        // MARK: Peers
        var peers: [PeerResult] = []
        if options.peers {
            if let peerEnvironment = PeerEnvironment.locate() {
                let data = peerEnvironment.root.appendingPathComponent(".build/bench-data/bandits")
                let file = try environment.write(to: data.appendingPathComponent("main"))
                let largeFile = try large.write(to: data.appendingPathComponent("latency"))
                peers = BanditPeers.run(
                    environment: peerEnvironment, environmentFile: file, latencyEnvironmentFile: largeFile,
                    rounds: rounds, latencyRounds: peerLatencyRounds, quick: options.quick, seed: options.seed)
                for peer in peers { emit(peerRecord(peer)) }
            } else {
                ResultWriter.progress("note: Benchmarks/peers not found from here; run attune-bench from the package folder to include the peers")
            }
        }

        // MARK: Comparisons
        let attune = AttuneResults(learners: learners, runs: runs, latencies: latencies)
        let compared = comparisons(attune, peers: peers)
        let checked = targets(attune, peers: peers)
        if streaming {
            for record in compared + checked { writer.emit(record) }
        } else {
            // Three tables: every learner with its ratios, the paired figures, the targets.
            for table in [summary(environment: environment, attune, peers: peers), compared, checked] where !table.isEmpty {
                for record in table { writer.emit(record) }
                writer.finish()
                print("")
            }
        }
    }

    // MARK: - Records

    static func environmentRecord(_ e: BanditEnvironment) -> BenchmarkRecord {
        var r = BenchmarkRecord()
        r["task"] = .string("bandits environment")
        r["size"] = .string("K=\(e.actionCount) d=\(e.dimension)")
        r["rounds"] = .int(e.rounds)
        r["seed"] = .int(Int(truncatingIfNeeded: e.seed))
        r["optimal_average_reward"] = .double(e.optimalAverageReward)
        r["uniform_average_reward"] = .double(e.uniformAverageReward)
        r["realised_best_average_reward"] = .double(e.realisedBestAverageReward)
        // Timings on a shared machine mean little without the load they were taken under.
        var load = [Double](repeating: 0, count: 3)
        if getloadavg(&load, 3) == 3 { r["load_average_1min"] = .double(load[0]) }
        r["cores"] = .int(ProcessInfo.processInfo.activeProcessorCount)
        return r
    }

    static func runRecord(_ result: BanditRunResult) -> BenchmarkRecord {
        var r = BenchmarkRecord()
        r["task"] = .string("bandits run")
        r["size"] = .string("K=\(actionCount) d=\(dimension)")
        r["peer"] = .string("attune")
        r["learner"] = .string(result.learner)
        r["rounds"] = .int(result.rounds)
        r["average_reward"] = .double(result.averageReward)
        r["ci_low"] = .double(result.averageReward - result.rewardHalfWidth)
        r["ci_high"] = .double(result.averageReward + result.rewardHalfWidth)
        r["optimal_average_reward"] = .double(result.optimalAverageReward)
        r["regret_per_round"] = .double(result.regretPerRound)
        r["regret"] = .double(result.regretPerRound * Double(result.rounds))
        r["seconds"] = .double(result.seconds)
        r["rounds_per_second"] = .double(result.roundsPerSecond)
        r["cpu_seconds"] = .double(result.cpuSeconds)
        r["rounds_per_cpu_second"] = .double(result.roundsPerCPUSecond)
        r["allocations_per_round"] = .double(result.allocationsPerRound)
        r["steady_allocations_per_round"] = .double(result.steadyAllocationsPerRound)
        return r
    }

    static func latencyRecord(_ latency: BanditLatency) -> BenchmarkRecord {
        var r = BenchmarkRecord()
        r["task"] = .string("bandits decide latency")
        r["size"] = .string(latency.setting)
        r["peer"] = .string("attune")
        r["learner"] = .string(latency.learner)
        r["decisions"] = .int(latency.decisions)
        r["median_ns"] = .double(latency.medianNanoseconds)
        r["p99_ns"] = .double(latency.p99Nanoseconds)
        r["p99_ns_unpreempted"] = .double(latency.p99UnpreemptedNanoseconds)
        r["preempted_decisions"] = .int(latency.preempted)
        r["allocations_per_decision"] = .double(latency.allocationsPerDecision)
        return r
    }

    static func peerRecord(_ peer: PeerResult) -> BenchmarkRecord {
        var r = BenchmarkRecord()
        r["task"] = .string(peer.isRun ? "bandits run" : "bandits decide latency")
        r["size"] = .string(peer.latencySetting ?? "K=\(actionCount) d=\(dimension)")
        r["peer"] = .string(peer.peer)
        r["learner"] = .string(peer.learner)
        let numeric: [(String, String)] = [
            ("rounds", "rounds"), ("decisions_timed", "decisions"), ("average_reward", "average_reward"),
            ("optimal_average_reward", "optimal_average_reward"), ("regret_per_round", "regret_per_round"),
            ("seconds", "seconds"), ("rounds_per_second", "rounds_per_second"),
            ("cpu_seconds", "cpu_seconds"), ("rounds_per_cpu_second", "rounds_per_cpu_second"),
            ("decide_p50_ns", "median_ns"), ("decide_p99_ns", "p99_ns"),
            ("decide_p99_ns_unpreempted", "p99_ns_unpreempted"), ("preempted_decisions", "preempted_decisions"),
        ]
        for (key, field) in numeric {
            guard let value = peer.number(key) else { continue }
            r[field] = ["rounds", "decisions_timed", "preempted_decisions"].contains(key) ? .int(Int(value)) : .double(value)
        }
        if let m = peer.number("average_reward"), let h = peer.number("reward_ci_half_width") {
            r["ci_low"] = .double(m - h)
            r["ci_high"] = .double(m + h)
        }
        if let note = peer.fields["note"] as? String { r["note"] = .string(note) }
        return r
    }
}
