import AttuneCore
import Bandits
import Dispatch
import Foundation
import PolicyGradient
import Simulation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `attune-bench policy-gradient`: the policy-gradient module's costs and its target study.
///
/// 1. Serving: a linear softmax policy's `decide` for K = 10 offers, d = 32 (p99 target ≤ 10 µs).
/// 2. Training throughput: decision-steps per second of one PPO epoch through the batched
///    gradient (linear softmax target ≥ 200,000 per core; the MLP figure is reported too).
/// 3. The study on `simulations/retail-churn.json`: a linear softmax policy trained by PPO on
///    customer journeys (returns = the customer's discounted margin until the 26-week horizon)
///    on training populations whose seeds are disjoint from the evaluation seeds, then frozen
///    and run by `SimulationRunner` next to the scenario's bandits (learning online from
///    scratch, and pre-trained on the same training populations) for 26 weeks on the
///    scenario's seeds. Reported: margin per customer with 95% intervals over the seeds, and
///    the paired difference policy gradient − best myopic bandit (same seeds, common random numbers).
enum PolicyGradientBenchmarks {
    static let suite = BenchSuite(name: "policy-gradient") { options, writer throws(BenchError) in
        try run(options: options, writer: writer)
    }

    static func fail(_ what: String, _ error: some Error) -> BenchError { .learnerFailed(learner: what, reason: "\(error)") }

    static func run(options: BenchOptions, writer: ResultWriter) throws(BenchError) {
        let harness = options.quick ? Harness.quick : Harness.standard
        do {
            try serving(harness: harness, writer: writer)
            try training(writer: writer, quick: options.quick)
        } catch let error as BenchError {
            throw error
        } catch {
            throw fail("policy-gradient speed", error)
        }
        try PolicyGradientStudy.run(options: options, writer: writer)
    }

    // MARK: - 1. Serving

    static func serving(harness: Harness, writer: ResultWriter) throws {
        var rng = SeededGenerator(seed: 1)
        let k = 10, d = 32
        let weights = (0..<(k * d)).map { _ in 0.1 * rng.nextStandardNormal() }
        var policy = try SoftmaxPolicy(catalog: ActionCatalog.numbered(k), scorer: LinearScorer(inputDimension: d, outputCount: k, weights: weights))
        let context = Context(features: (0..<d).map { _ in rng.nextStandardNormal() })
        let candidates = Array(0..<k)
        var decision = Decision()
        let m = harness.measure(latency: true) {
            try? policy.decide(for: context, among: candidates, using: &rng, into: &decision)
        }
        var r = BenchmarkRecord()
        r["task"] = .string("softmax policy decide")
        r["size"] = .string("K=10 d=32")
        r["median_ns"] = .double(m.medianNanoseconds)
        r["p99_ns"] = .double(m.p99Nanoseconds)
        r["target_p99_ns"] = .double(10_000)
        r["allocations_per_call"] = .double(m.allocationsPerCall)
        writer.emit(r)
    }

    // MARK: - 2. Training throughput

    static func training(writer: ResultWriter, quick: Bool) throws {
        let k = 10, d = 32, n = quick ? 16_384 : 131_072
        var rng = SeededGenerator(seed: 2)
        var batch = try TrajectoryBatch(dimension: d, actionCount: k)
        let all = Array(0..<k)
        for _ in 0..<n {
            try batch.append(features: (0..<d).map { _ in rng.nextStandardNormal() }, candidates: all,
                             action: Int(rng.nextUniform() * Double(k)), behaviourProbability: 0.1, return: rng.nextStandardNormal())
        }
        var linear = try SoftmaxPolicy(catalog: ActionCatalog.numbered(k), scorer: LinearScorer(inputDimension: d, outputCount: k))
        var mlpRng = SeededGenerator(seed: 3)
        var mlp = try SoftmaxPolicy(catalog: ActionCatalog.numbered(k), scorer: MLPScorer(inputDimension: d, hiddenWidth: 32, outputCount: k, using: &mlpRng))
        let configuration = try PolicyGradientLearner.Configuration(objective: .ppo, learningRate: 0.01, epochs: 1, minibatchSize: 1024)
        // Best of three epochs, by wall clock and by the thread's CPU time: on a shared machine
        // the CPU time is what one core spends (OpenBLAS runs single-threaded on this thread).
        func time(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
            var best = (wall: Double.infinity, cpu: Double.infinity)
            for _ in 0..<3 {
                let start = monotonicNanoseconds(), cpuStart = threadCPUSeconds()
                try body()
                best.wall = min(best.wall, Double(monotonicNanoseconds() - start) / 1e9)
                best.cpu = min(best.cpu, threadCPUSeconds() - cpuStart)
            }
            return best
        }
        var learner = PolicyGradientLearner(configuration: configuration)
        _ = try learner.update(&linear, on: batch, using: &rng)  // warm-up
        let linearSeconds = try time { _ = try learner.update(&linear, on: batch, using: &rng) }
        var mlpLearner = PolicyGradientLearner(configuration: configuration)
        _ = try mlpLearner.update(&mlp, on: batch, using: &rng)
        let mlpSeconds = try time { _ = try mlpLearner.update(&mlp, on: batch, using: &rng) }
        for (name, seconds, target) in [("linear softmax", linearSeconds, 200_000.0), ("mlp softmax h=32", mlpSeconds, Double.nan)] {
            var r = BenchmarkRecord()
            r["task"] = .string("\(name) PPO epoch (baseline fit + batched gradients)")
            r["size"] = .string("K=10 d=32 n=\(n) minibatch=1024")
            r["steps_per_second"] = .double(Double(n) / seconds.wall)
            r["steps_per_cpu_second"] = .double(Double(n) / seconds.cpu)
            if target.isFinite { r["target_steps_per_cpu_second"] = .double(target) }
            writer.emit(r)
        }
    }
}

extension PolicyGradientBenchmarks {
    /// CPU seconds consumed so far by the calling thread.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
