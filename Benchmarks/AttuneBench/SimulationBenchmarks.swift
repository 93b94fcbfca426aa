import AttuneCore
import Bandits
import CAllocationCounter
import Foundation
import Simulation

/// `attune-bench simulation`: the simulator's cost next to the learners it serves.
///
/// 1. Linear contextual environment (d = 20, K = 10) alone, per round: context draw, all K
///    expected rewards (for exact regret), the response; allocations per round.
/// 2. The same rounds with LinUCB deciding and learning through `SimulationRunner` (one
///    thread), and with the oracle: the simulator's share of a LinUCB run is
///    environment time / LinUCB run time (target ≤ 20%).
/// 3. Retail (`simulations/retail-offers.json`) with the uniform random policy: customer
///    interactions per second on one thread (target ≥ 500,000).
/// 4. A study on `simulations/linear-d20-k10.json`: 5 policies × 10 seeds × T rounds on all
///    cores (target for T = 10⁶: ≤ 2 minutes on 2 cores).
enum SimulationBenchmarks {
    static let targetOverhead = 0.20
    static let targetRetailPerSecond = 500_000.0
    static let targetStudySeconds = 120.0

    static let suite = BenchSuite(name: "simulation") { options, writer throws(BenchError) in
        try run(options: options, writer: writer)
    }

    static func run(options: BenchOptions, writer: ResultWriter) throws(BenchError) {
        let rounds = options.rounds ?? (options.quick ? 20_000 : 500_000)
        let studyRounds = options.quick ? 10_000 : 1_000_000
        let spec = LinearContextualSpecification(dimension: 20, actions: 10, model: .bernoulliLogistic, seed: options.seed)
        let environment: LinearContextualEnvironment
        do {
            environment = try LinearContextualEnvironment(spec)
        } catch {
            throw .learnerFailed(learner: "linear environment", reason: error.description)
        }
        var records: [BenchmarkRecord] = []

        // MARK: 1. The environment alone
        ResultWriter.progress("simulation: linear environment alone, \(rounds) rounds")
        let envNanoseconds = environmentOnly(environment, rounds: rounds, seed: options.seed)
        var r = BenchmarkRecord()
        r["task"] = .string("simulation linear environment round")
        r["size"] = .string("K=10 d=20")
        r["rounds"] = .int(rounds)
        r["ns_per_round"] = .double(envNanoseconds.time)
        r["allocations_per_round"] = .double(envNanoseconds.allocations)
        records.append(r)

        // MARK: 2. LinUCB and the oracle through the runner
        let runner = SimulationRunner(environment: environment, horizon: rounds, seeds: [options.seed], maximumConcurrency: 1)
        let catalog = environment.catalog
        let linucb = StudyPolicy(name: "linucb", kind: .learner {
            try ContextualBandit(catalog: catalog, scorer: try LinUCB(actionCount: 10, contextDimension: 20, configuration: .init(alpha: 1, ridge: 1)),
                                 explorer: OptimisticArgmax(), seed: 1)
        })
        var perRound: [String: Double] = [:]
        for policy in [StudyPolicy(name: "oracle", kind: .oracle), StudyPolicy(name: "random", kind: .random), linucb] {
            ResultWriter.progress("simulation: \(policy.name) through the runner, \(rounds) rounds")
            let before = attune_allocation_count()
            let metrics: RunMetrics
            do {
                metrics = try runner.runOnce(policy.kind, name: policy.name, seed: options.seed)
            } catch {
                throw .learnerFailed(learner: policy.name, reason: error.description)
            }
            let allocations = Double(attune_allocation_count() - before) / Double(rounds)
            perRound[policy.name] = metrics.seconds * 1e9 / Double(rounds)
            var r = BenchmarkRecord()
            r["task"] = .string("simulation linear run")
            r["size"] = .string("K=10 d=20")
            r["policy"] = .string(policy.name)
            r["rounds"] = .int(rounds)
            r["ns_per_round"] = .double(metrics.seconds * 1e9 / Double(rounds))
            r["rounds_per_second"] = .double(Double(rounds) / metrics.seconds)
            r["mean_reward"] = .double(metrics.meanReward)
            r["regret"] = .double(metrics.totalRegret)
            r["allocations_per_round"] = .double(allocations)
            records.append(r)
        }
        if perRound["linucb"] != nil {
            // On a shared machine the load changes between two measurements, so the ratio is
            // the median of five interleaved pairs (environment alone, then a LinUCB run).
            let pairRounds = max(rounds / 5, 1_000)
            var ratios: [Double] = [], environmentTimes: [Double] = [], runTimes: [Double] = []
            for repetition in 0..<5 {
                ResultWriter.progress("simulation: overhead pair \(repetition + 1)/5, \(pairRounds) rounds each")
                let e = environmentOnly(environment, rounds: pairRounds, seed: options.seed &+ UInt64(repetition)).time
                let pairRunner = SimulationRunner(environment: environment, horizon: pairRounds, seeds: [options.seed], maximumConcurrency: 1)
                let run: Double
                do {
                    run = try pairRunner.runOnce(linucb.kind, name: "linucb", seed: options.seed &+ UInt64(repetition)).seconds * 1e9 / Double(pairRounds)
                } catch {
                    throw .learnerFailed(learner: "linucb", reason: error.description)
                }
                environmentTimes.append(e)
                runTimes.append(run)
                ratios.append(e / run)
            }
            let median = { (x: [Double]) in x.sorted()[x.count / 2] }
            var r = BenchmarkRecord()
            r["task"] = .string("simulation overhead in a LinUCB run")
            r["size"] = .string("K=10 d=20")
            r["environment_ns_per_round"] = .double(median(environmentTimes))
            r["linucb_run_ns_per_round"] = .double(median(runTimes))
            r["overhead"] = .double(median(ratios))
            r["overhead_min"] = .double(ratios.min() ?? .nan)
            r["overhead_max"] = .double(ratios.max() ?? .nan)
            r["target"] = .string("≤ \(targetOverhead)")
            r["meets_target"] = .bool(median(ratios) <= targetOverhead)
            var load = [Double](repeating: 0, count: 3)
            if getloadavg(&load, 3) == 3 { r["load_average_1min"] = .double(load[0]) }
            records.append(r)
        }

        // MARK: 3. Retail throughput
        if let root = PeerEnvironment.locate()?.root ?? locateRoot() {
            do {
                let retailScenario = try Scenario(contentsOfFile: root.appendingPathComponent("simulations/retail-offers.json").path)
                if case .retail(let retailSpec) = retailScenario.environment {
                    let retail = SimulationRunner(environment: try RetailEnvironment(retailSpec), horizon: rounds, seeds: [options.seed], maximumConcurrency: 1)
                    for kind in [("random", StudyPolicy.Kind.random), ("fixed", .fixed(0))] {
                        ResultWriter.progress("simulation: retail-offers with \(kind.0), \(rounds) rounds")
                        let metrics = try retail.runOnce(kind.1, name: kind.0, seed: options.seed)
                        var r = BenchmarkRecord()
                        r["task"] = .string("simulation retail interactions")
                        r["size"] = .string("retail-offers K=6 customers=\(retailSpec.customers)")
                        r["policy"] = .string(kind.0)
                        r["rounds"] = .int(rounds)
                        r["interactions_per_second"] = .double(Double(rounds) / metrics.seconds)
                        r["target"] = .string("≥ \(Int(targetRetailPerSecond))")
                        r["meets_target"] = .bool(Double(rounds) / metrics.seconds >= targetRetailPerSecond)
                        records.append(r)
                    }
                }

                // MARK: 4. A study
                var scenario = try Scenario(contentsOfFile: root.appendingPathComponent("simulations/linear-d20-k10.json").path)
                let keep = ["random", "oracle", "linucb", "linear-ts", "epsilon-greedy"]
                scenario.policies = scenario.policies.filter { keep.contains($0.name) }
                ResultWriter.progress("simulation: study \(scenario.policies.count) policies × 10 seeds × \(studyRounds) rounds on \(ProcessInfo.processInfo.activeProcessorCount) cores")
                let start = monotonicNanoseconds()
                let study = try SimulationStudy(scenario: scenario).run(seeds: 10, horizon: studyRounds)
                let seconds = Double(monotonicNanoseconds() - start) / 1e9
                var r = BenchmarkRecord()
                r["task"] = .string("simulation study")
                r["size"] = .string("\(scenario.policies.count) policies × 10 seeds × \(studyRounds) rounds, K=10 d=20")
                r["cores"] = .int(ProcessInfo.processInfo.activeProcessorCount)
                r["seconds"] = .double(seconds)
                r["best"] = .string(study.best?.name ?? "")
                var cpuTotal = 0.0
                for p in study.policies {
                    r["\(p.name)_mean_reward"] = .double(p.meanReward.mean)
                    // CPU seconds of the runs' threads: on a shared machine the sum measures
                    // the work where wall time measures the load.
                    let cpu = p.runs.reduce(0) { $0 + $1.cpuSeconds }
                    cpuTotal += cpu
                    r["\(p.name)_cpu_seconds_per_million_rounds"] = .double(cpu / (Double(p.runs.count * studyRounds) / 1e6))
                }
                r["cpu_seconds"] = .double(cpuTotal)
                if studyRounds == 1_000_000 {
                    r["target"] = .string("≤ \(Int(targetStudySeconds)) s")
                    r["meets_target"] = .bool(seconds <= targetStudySeconds)
                }
                var load = [Double](repeating: 0, count: 3)
                if getloadavg(&load, 3) == 3 { r["load_average_1min"] = .double(load[0]) }
                records.append(r)
            } catch {
                throw .learnerFailed(learner: "simulation", reason: error.description)
            }
        } else {
            ResultWriter.progress("note: simulations/ not found from here; run attune-bench from the package folder for the retail and study figures")
        }
        for record in records { writer.emit(record) }
        writer.finish()
    }

    /// Nanoseconds and allocations per round of the environment alone (the oracle's argmax
    /// included, which regret needs anyway).
    static func environmentOnly(_ prototype: LinearContextualEnvironment, rounds: Int, seed: UInt64) -> (time: Double, allocations: Double) {
        var env = prototype
        var contexts = SeededGenerator(seed: seed).child(1), responses = SeededGenerator(seed: seed).child(2)
        var context = Context(features: Array(repeating: 0, count: 20))
        var candidates: [Int] = []
        var sink = 0.0
        _ = env.beginRound(0, context: &context, candidates: &candidates, using: &contexts)
        let before = attune_allocation_count()
        let start = monotonicNanoseconds()
        for t in 0..<rounds {
            _ = env.beginRound(t, context: &context, candidates: &candidates, using: &contexts)
            let best = env.bestCandidate(among: candidates, slot: 0)
            sink += env.respond(to: best.action, slot: 0, using: &responses).reward
            _ = env.endRound(using: &responses)
        }
        let elapsed = Double(monotonicNanoseconds() - start)
        let allocations = Double(attune_allocation_count() - before) / Double(rounds)
        if sink < 0 { ResultWriter.progress("") }
        return (elapsed / Double(rounds), allocations)
    }

    /// The package root when run from it or from `.build/…`.
    static func locateRoot() -> URL? {
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("simulations/linear-d20-k10.json").path) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}
