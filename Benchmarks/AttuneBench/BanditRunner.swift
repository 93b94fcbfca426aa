#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import CAllocationCounter

/// Involuntary context switches of the calling thread so far (the scheduler preempting it).
///
/// On a machine shared with other work, a decision that spans a preemption measures the other
/// processes' time slice (milliseconds), not the learner; reading this before and after the
/// timed span (outside it) sets those decisions apart.
func involuntaryContextSwitches() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD, which Glibc's module does not export by name
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Int(usage.ru_nivcsw)
}

/// CPU time of the calling thread, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`): unlike the
/// monotonic clock it does not advance while other processes hold the core.
func threadCPUNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}

/// What one learner did on one environment: rewards, expected rewards, time and allocations.
struct BanditRunResult: Sendable {
    /// The learner's name as printed (`"linucb alpha=0.5 + greedy"`).
    var learner: String
    /// Rounds played.
    var rounds: Int
    /// Sum of the realised rewards.
    var rewardSum: Double
    /// Sum over rounds of P(r = 1 | x_t, a_t), the expected reward of the chosen actions.
    var expectedRewardSum: Double
    /// Mean over the same rounds of max_k P(r = 1 | x_t, k).
    var optimalAverageReward: Double
    /// Wall time of the rounds (decide + learn + the environment's reward), in seconds.
    var seconds: Double
    /// Thread CPU time of the same rounds, in seconds.
    var cpuSeconds: Double
    /// Heap allocations per round over the whole run, warm-up included.
    var allocationsPerRound: Double
    /// Heap allocations per round over the second half of the run (the steady state).
    var steadyAllocationsPerRound: Double

    /// The average realised reward.
    var averageReward: Double { rewardSum / Double(max(rounds, 1)) }

    /// Half-width of the 95% normal interval of the average reward (Bernoulli rewards):
    /// `1.96 · √(m (1 − m) / T)`.
    var rewardHalfWidth: Double {
        let m = averageReward
        return 1.96 * (m * (1 - m) / Double(max(rounds, 1))).squareRoot()
    }

    /// Expected regret per round against the optimal policy:
    /// `mean_t (max_k P(r=1|x_t,k) − P(r=1|x_t,a_t))`.
    var regretPerRound: Double { optimalAverageReward - expectedRewardSum / Double(max(rounds, 1)) }

    /// Rounds per second (wall clock), single thread.
    var roundsPerSecond: Double { seconds > 0 ? Double(rounds) / seconds : .nan }

    /// Rounds per second of thread CPU time: the throughput the learner has when it has the
    /// core to itself.
    var roundsPerCPUSecond: Double { cpuSeconds > 0 ? Double(rounds) / cpuSeconds : .nan }
}

/// Decision latencies of one learner in one setting.
struct BanditLatency: Sendable {
    var learner: String
    var setting: String
    var decisions: Int
    var medianNanoseconds: Double
    var p99Nanoseconds: Double
    /// p99 over the decisions the scheduler did not preempt.
    var p99UnpreemptedNanoseconds: Double
    /// Decisions during which the thread was preempted.
    var preempted: Int
    var allocationsPerDecision: Double
}

/// Runs a ``Policy`` against a ``BanditEnvironment``: one decide and one learn per round,
/// the context with a constant 1 appended (so linear learners learn the intercepts), every
/// buffer reused, so the loop measures the learner and nothing else.
enum BanditRunner {
    /// Plays `rounds` rounds (at most the environment's) with `policy`.
    /// - Throws: `BenchError.learnerFailed` when the learner throws.
    static func run<P: Policy>(
        _ policy: inout P, named learner: String, on environment: BanditEnvironment, rounds requested: Int, seed: UInt64
    ) throws(BenchError) -> BanditRunResult {
        let d = environment.dimension
        let rounds = min(requested, environment.rounds)
        let candidates = Array(0..<environment.actionCount)
        var generator = SeededGenerator(seed: seed)
        var decision = Decision()
        // The interaction owns the one context buffer: it is overwritten in place every round
        // (no copy-on-write), and passed to decide and learn without copying.
        var interaction = Interaction(
            context: Context(features: [Double](repeating: 1, count: d + 1)), candidates: candidates, action: 0, reward: 0)
        var rewardSum = 0.0, expectedSum = 0.0, optimalSum = 0.0
        let half = rounds / 2
        var allocationsAtHalf: UInt64 = 0
        let allocationsBefore = attune_allocation_count()
        let cpuStart = threadCPUNanoseconds()
        let start = monotonicNanoseconds()
        do {
            for t in 0..<rounds {
                if t == half { allocationsAtHalf = attune_allocation_count() }
                environment.contexts.withUnsafeBufferPointer { x in
                    interaction.context.features.withUnsafeMutableBufferPointer { f in
                        for j in 0..<d { f[j] = x[t * d + j] }
                    }
                }
                try policy.decide(for: interaction.context, among: candidates, using: &generator, into: &decision)
                let action = decision.action
                let p = environment.probability(action: action, round: t)
                let reward: Double = environment.uniforms[t] < p ? 1 : 0
                interaction.action = action
                interaction.propensity = decision.propensity
                interaction.reward = reward
                try policy.learn(from: interaction)
                rewardSum += reward
                expectedSum += p
            }
        } catch {
            throw .learnerFailed(learner: learner, reason: "\(error)")
        }
        let stop = monotonicNanoseconds()
        let cpuStop = threadCPUNanoseconds()
        let allocationsAfter = attune_allocation_count()
        for t in 0..<rounds {
            var best = 0.0
            for k in 0..<environment.actionCount { best = max(best, environment.probability(action: k, round: t)) }
            optimalSum += best
        }
        return BanditRunResult(
            learner: learner, rounds: rounds, rewardSum: rewardSum, expectedRewardSum: expectedSum,
            optimalAverageReward: optimalSum / Double(max(rounds, 1)),
            seconds: Double(stop - start) / 1e9,
            cpuSeconds: Double(cpuStop - cpuStart) / 1e9,
            allocationsPerRound: Double(allocationsAfter - allocationsBefore) / Double(max(rounds, 1)),
            steadyAllocationsPerRound: Double(allocationsAfter - allocationsAtHalf) / Double(max(rounds - half, 1))
        )
    }

    /// Times every `decide` on its own (one clock read before and after; the read, about 20 ns,
    /// is included), learning after each decision so the model keeps changing as in service.
    /// - Throws: `BenchError.learnerFailed` when the learner throws.
    ///
    /// `contextWidth` (at most d) is how many leading context values the learner reads (ADF
    /// learners cross a short context with the action features); a constant 1 follows them.
    static func latency<P: Policy>(
        _ policy: inout P, named learner: String, on environment: BanditEnvironment,
        decisions requested: Int, warmUp: Int, seed: UInt64, contextWidth: Int? = nil
    ) throws(BenchError) -> BanditLatency {
        let stride = environment.dimension
        let d = min(contextWidth ?? stride, stride)
        let total = warmUp + requested
        let candidates = Array(0..<environment.actionCount)
        var generator = SeededGenerator(seed: seed)
        var decision = Decision()
        var interaction = Interaction(
            context: Context(features: [Double](repeating: 1, count: d + 1)), candidates: candidates, action: 0, reward: 0)
        var times = [Double](repeating: 0, count: requested)
        var clean: [Double] = []
        clean.reserveCapacity(requested)
        var allocations: UInt64 = 0
        do {
            for i in 0..<total {
                let t = i % environment.rounds
                environment.contexts.withUnsafeBufferPointer { x in
                    interaction.context.features.withUnsafeMutableBufferPointer { f in
                        for j in 0..<d { f[j] = x[t * stride + j] }
                    }
                }
                let switches = involuntaryContextSwitches()
                let a0 = attune_allocation_count()
                let t0 = monotonicNanoseconds()
                try policy.decide(for: interaction.context, among: candidates, using: &generator, into: &decision)
                let t1 = monotonicNanoseconds()
                let a1 = attune_allocation_count()
                if i >= warmUp {
                    times[i - warmUp] = Double(t1 &- t0)
                    if involuntaryContextSwitches() == switches { clean.append(Double(t1 &- t0)) }
                    allocations &+= a1 &- a0
                }
                interaction.action = decision.action
                interaction.propensity = decision.propensity
                interaction.reward = environment.reward(action: decision.action, round: t)
                try policy.learn(from: interaction)
            }
        } catch {
            throw .learnerFailed(learner: learner, reason: "\(error)")
        }
        times.sort()
        clean.sort()
        return BanditLatency(
            learner: learner, setting: "K=\(environment.actionCount) d=\(environment.dimension)",
            decisions: requested,
            medianNanoseconds: Harness.quantile(times, 0.5), p99Nanoseconds: Harness.quantile(times, 0.99),
            p99UnpreemptedNanoseconds: Harness.quantile(clean, 0.99), preempted: requested - clean.count,
            allocationsPerDecision: Double(allocations) / Double(max(requested, 1)))
    }
}
