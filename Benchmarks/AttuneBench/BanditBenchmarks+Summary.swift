/// The table form of `attune-bench bandits`: one row per learner, Attune's and the peers',
/// each peer row with the ratios against the Attune learner running the same algorithm.
extension BanditBenchmarks {
    static func summary(environment: BanditEnvironment, _ attune: AttuneResults, peers: [PeerResult]) -> [BenchmarkRecord] {
        var rows: [BenchmarkRecord] = []

        var optimal = BenchmarkRecord()
        optimal["peer"] = .string("-")
        optimal["learner"] = .string("optimal policy (expected reward)")
        optimal["rounds"] = .int(environment.rounds)
        optimal["average_reward"] = .double(environment.optimalAverageReward)
        rows.append(optimal)
        var uniform = optimal
        uniform["learner"] = .string("uniform random (expected reward)")
        uniform["average_reward"] = .double(environment.uniformAverageReward)
        rows.append(uniform)

        for run in attune.runs {
            var r = BenchmarkRecord()
            r["peer"] = .string("attune")
            r["learner"] = .string(run.learner)
            r["rounds"] = .int(run.rounds)
            r["average_reward"] = .double(run.averageReward)
            r["ci95"] = .string("±" + FieldValue.double(run.rewardHalfWidth).text)
            r["regret_per_round"] = .double(run.regretPerRound)
            r["rounds_per_second"] = .double(run.roundsPerSecond)
            r["rounds_per_cpu_second"] = .double(run.roundsPerCPUSecond)
            if let l = attune.latencies.first(where: { $0.learner == run.learner && $0.setting == smallSize }) {
                r["p50_ns"] = .double(l.medianNanoseconds)
                r["p99_ns_unpreempted"] = .double(l.p99UnpreemptedNanoseconds)
                r["p99_ns_wall"] = .double(l.p99Nanoseconds)
            }
            if let l = attune.latencies.first(where: { $0.learner == run.learner && $0.setting == largeSize }) {
                r["p50_ns_K100_d64"] = .double(l.medianNanoseconds)
                r["p99_ns_unpreempted_K100_d64"] = .double(l.p99UnpreemptedNanoseconds)
                r["p99_ns_wall_K100_d64"] = .double(l.p99Nanoseconds)
            }
            r["allocs_per_round"] = .double(run.steadyAllocationsPerRound)
            rows.append(r)
        }
        // Learners measured for latency in the large setting only (ADF).
        for learner in attune.learners where learner.run == nil {
            guard let l = attune.latencies.first(where: { $0.learner == learner.name && $0.setting == largeSize }) else { continue }
            var r = BenchmarkRecord()
            r["peer"] = .string("attune")
            r["learner"] = .string(learner.name)
            r["p50_ns_K100_d64"] = .double(l.medianNanoseconds)
            r["p99_ns_unpreempted_K100_d64"] = .double(l.p99UnpreemptedNanoseconds)
            r["p99_ns_wall_K100_d64"] = .double(l.p99Nanoseconds)
            r["allocs_per_round"] = .double(l.allocationsPerDecision)
            rows.append(r)
        }
        for peer in peers where peer.isRun {
            var r = BenchmarkRecord()
            r["peer"] = .string(peer.peer)
            r["learner"] = .string(peer.learner)
            if let n = peer.number("rounds") { r["rounds"] = .int(Int(n)) }
            r["average_reward"] = peer.number("average_reward").map { .double($0) }
            if let h = peer.number("reward_ci_half_width") { r["ci95"] = .string("±" + FieldValue.double(h).text) }
            r["regret_per_round"] = peer.number("regret_per_round").map { .double($0) }
            r["rounds_per_second"] = peer.number("rounds_per_second").map { .double($0) }
            r["rounds_per_cpu_second"] = peer.number("rounds_per_cpu_second").map { .double($0) }
            r["p50_ns"] = peer.number("decide_p50_ns").map { .double($0) }
            r["p99_ns_unpreempted"] = peer.number("decide_p99_ns_unpreempted").map { .double($0) }
            r["p99_ns_wall"] = peer.number("decide_p99_ns").map { .double($0) }
            let large = peers.first { $0.peer == peer.peer && $0.learner == peer.learner && $0.latencySetting == largeSize }
            r["p50_ns_K100_d64"] = large?.number("decide_p50_ns").map { .double($0) }
            r["p99_ns_unpreempted_K100_d64"] = large?.number("decide_p99_ns_unpreempted").map { .double($0) }
            r["p99_ns_wall_K100_d64"] = large?.number("decide_p99_ns").map { .double($0) }

            // Against the Attune learner running the same algorithm; above 1 = Attune better.
            let pairs = pairedFigures(peer, attune, peers: peers)
            if let key = peer.counterpart {
                let large = peer.largeCounterpart ?? key
                r["vs_attune"] = .string(large == key ? key : "\(key), \(large) at K=100")
            }
            func ratio(_ figure: String, _ size: String) -> FieldValue? {
                guard let pair = pairs.first(where: { $0.figure == figure && $0.size == size }),
                      let mine = pair.attune, let theirs = pair.peer, mine > 0, theirs > 0 else { return nil }
                return .double(pair.higherIsBetter ? mine / theirs : theirs / mine)
            }
            r["x_reward"] = ratio("average_reward", smallSize)
            r["x_speed"] = ratio("rounds_per_second", smallSize)
            r["x_cpu_speed"] = ratio("rounds_per_cpu_second", smallSize)
            r["x_p99"] = ratio("decide_p99_ns_unpreempted", smallSize)
            r["x_p99_K100_d64"] = ratio("decide_p99_ns_unpreempted", largeSize)
            rows.append(r)
        }
        return rows
    }
}
