import Foundation

/// The table form of `attune-bench bandits`: one row per learner, Attune's and the peers',
/// with each peer's figures set against Attune's best learner for that figure.
extension BanditBenchmarks {
    static func summary(
        environment: BanditEnvironment, runs: [BanditRunResult], latencies: [BanditLatency], peers: [PeerResult]
    ) -> [BenchmarkRecord] {
        let small = "K=\(actionCount) d=\(dimension)"
        let large = "K=\(largeActionCount) d=\(largeDimension)"
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

        let bestReward = runs.map(\.averageReward).max() ?? .nan
        let bestSpeed = runs.map(\.roundsPerSecond).max() ?? .nan
        let bestSmall = latencies.filter { $0.setting == small }.map(\.p99Nanoseconds).min() ?? .nan
        let bestLarge = latencies.filter { $0.setting == large }.map(\.p99Nanoseconds).min() ?? .nan

        for run in runs {
            var r = BenchmarkRecord()
            r["peer"] = .string("attune")
            r["learner"] = .string(run.learner)
            r["rounds"] = .int(run.rounds)
            r["average_reward"] = .double(run.averageReward)
            r["ci95"] = .string("±" + FieldValue.double(run.rewardHalfWidth).text)
            r["regret_per_round"] = .double(run.regretPerRound)
            r["rounds_per_second"] = .double(run.roundsPerSecond)
            if let l = latencies.first(where: { $0.learner == run.learner && $0.setting == small }) {
                r["p50_ns"] = .double(l.medianNanoseconds)
                r["p99_ns"] = .double(l.p99Nanoseconds)
            }
            if let l = latencies.first(where: { $0.learner == run.learner && $0.setting == large }) {
                r["p99_ns_K100_d64"] = .double(l.p99Nanoseconds)
            }
            r["allocs_per_round"] = .double(run.steadyAllocationsPerRound)
            rows.append(r)
        }
        for peer in peers where peer.isRun {
            var r = BenchmarkRecord()
            r["peer"] = .string(peer.peer)
            r["learner"] = .string(peer.learner)
            if let n = peer.number("rounds") { r["rounds"] = .int(Int(n)) }
            let reward = peer.number("average_reward")
            let speed = peer.number("rounds_per_second")
            let p99 = peer.number("decide_p99_ns")
            r["average_reward"] = reward.map { .double($0) }
            if let h = peer.number("reward_ci_half_width") { r["ci95"] = .string("±" + FieldValue.double(h).text) }
            r["regret_per_round"] = peer.number("regret_per_round").map { .double($0) }
            r["rounds_per_second"] = speed.map { .double($0) }
            r["p50_ns"] = peer.number("decide_p50_ns").map { .double($0) }
            r["p99_ns"] = p99.map { .double($0) }
            let largeP99 = peers.first { $0.peer == peer.peer && $0.learner == peer.learner && $0.latencySetting == large }?
                .number("decide_p99_ns")
            r["p99_ns_K100_d64"] = largeP99.map { .double($0) }
            // Attune's best figure over the peer's: above 1 means Attune is better on every column.
            r["reward_attune/peer"] = reward.map { .double(bestReward / $0) }
            r["speed_attune/peer"] = speed.map { .double(bestSpeed / $0) }
            r["p99_peer/attune"] = p99.map { .double($0 / bestSmall) }
            r["p99_K100_peer/attune"] = largeP99.map { .double($0 / bestLarge) }
            rows.append(r)
        }
        return rows
    }
}
