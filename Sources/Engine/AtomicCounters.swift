import Synchronization

/// A fixed array of atomic counters: request threads count without waiting on each other.
package final class AtomicCounters: @unchecked Sendable {
    // @unchecked: the storage is only reached through atomic operations.
    private let base: UnsafeMutablePointer<Atomic<Int>>
    /// The number of counters.
    package let count: Int

    /// Creates `count` counters at 0.
    package init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        for i in 0..<count { (base + i).initialize(to: Atomic(0)) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds `n` to counter `i` (relaxed: no ordering with other memory).
    package func add(_ n: Int, at i: Int) { base[i].add(n, ordering: .relaxed) }

    /// The value of counter `i`.
    package func value(at i: Int) -> Int { base[i].load(ordering: .relaxed) }
}
