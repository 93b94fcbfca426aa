#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CAllocationCounter

// MARK: - Clock

/// Nanoseconds from the monotonic clock (`CLOCK_MONOTONIC`, vDSO on Linux: about 20 ns a read).
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}

// MARK: - Measurement

/// The timing of one benchmark task.
struct Measurement: Sendable {
    /// Median time of one call, in nanoseconds.
    var medianNanoseconds: Double
    /// 99th percentile of the per-sample time of one call, in nanoseconds. When samples are
    /// batches (``callsPerSample`` > 1) this is the p99 of batch means, not of single calls.
    var p99Nanoseconds: Double
    /// Number of timed samples.
    var samples: Int
    /// Calls per timed sample (1 when single calls are timed).
    var callsPerSample: Int
    /// Heap allocations per call, averaged over every timed call.
    var allocationsPerCall: Double
}

/// Measures closures: warm-up, an adaptive number of samples, per-sample monotonic timings,
/// allocation counts from the interposed allocator.
struct Harness: Sendable {
    /// Time budget for the timed samples of one task, in seconds.
    var budgetSeconds: Double
    /// Time spent warming up before timing, in seconds (at least one call is always made).
    var warmUpSeconds: Double
    /// Batches of fast calls last at least this long, so the clock's cost (about 20 ns a read)
    /// stays below 0.5% of a sample.
    var minimumSampleNanoseconds: Double = 10_000

    /// The default budget: about 0.5 s of timed calls per task.
    static let standard = Harness(budgetSeconds: 0.5, warmUpSeconds: 0.05)
    /// A short budget for smoke runs.
    static let quick = Harness(budgetSeconds: 0.05, warmUpSeconds: 0.01)

    /// Times `body`.
    ///
    /// - Parameters:
    ///   - latency: time every call on its own (p99 is then the p99 of single calls, clock
    ///     read included); otherwise fast calls are timed in batches and divided.
    ///   - body: the operation; it must leave its inputs usable for the next call.
    func measure(latency: Bool = false, _ body: () -> Void) -> Measurement {
        // Warm-up: caches, page faults, lazily initialised library state, branch predictors.
        let warmUpStart = monotonicNanoseconds()
        body()
        var warmUpCalls = 1
        var firstCall = Double(monotonicNanoseconds() - warmUpStart)
        let warmUpLimit = warmUpSeconds * 1e9
        var elapsed = firstCall
        while elapsed < warmUpLimit && warmUpCalls < 1_000_000 {
            body()
            warmUpCalls += 1
            elapsed = Double(monotonicNanoseconds() - warmUpStart)
        }
        if warmUpCalls > 1 { firstCall = elapsed / Double(warmUpCalls) }
        let estimate = max(firstCall, 1)

        let batch = latency ? 1 : max(1, Int((minimumSampleNanoseconds / estimate).rounded(.up)))
        let budget = budgetSeconds * 1e9
        let maximumSamples = latency ? 200_000 : 5_000
        // Very slow calls (a 2048³ gemm takes about a second on one core) get 3 samples.
        let minimumSamples = estimate > 2e8 ? 3 : 7
        let wanted = Int(budget / (estimate * Double(batch)))
        let sampleCount = min(maximumSamples, max(minimumSamples, wanted))

        var times = [Double](repeating: 0, count: sampleCount)
        let allocationsBefore = attune_allocation_count()
        times.withUnsafeMutableBufferPointer { buffer in
            for s in 0..<sampleCount {
                let start = monotonicNanoseconds()
                for _ in 0..<batch { body() }
                let stop = monotonicNanoseconds()
                buffer[s] = Double(stop &- start) / Double(batch)
            }
        }
        let allocations = attune_allocation_count() &- allocationsBefore
        times.sort()
        return Measurement(
            medianNanoseconds: Self.quantile(times, 0.5),
            p99Nanoseconds: Self.quantile(times, 0.99),
            samples: sampleCount,
            callsPerSample: batch,
            allocationsPerCall: Double(allocations) / Double(sampleCount * batch)
        )
    }

    /// The `q`-quantile of sorted values (nearest rank; the median of an even count averages
    /// the two middle values).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        if q == 0.5 {
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
