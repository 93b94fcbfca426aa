#if canImport(Glibc)
import CMalloc
#endif

/// Process-wide settings of the C allocator for a long-running server.
public enum MemoryTuning {
    /// Fixes glibc's mmap threshold at 256 KiB and its trim threshold at 1 MiB.
    ///
    /// By default glibc raises both thresholds each time a large block is freed, up to 32 MiB:
    /// after the first compaction of the customer event log freed its 1 MiB buffers, later
    /// ones came from the thread arenas and stayed resident there, and a soak grew by 2–4 MB at
    /// every compaction. With fixed thresholds a large block is mapped and unmapped on its
    /// own. Call it once, at start, before the server's threads allocate.
    /// - Returns: Whether the allocator took both settings (`false` off glibc).
    @discardableResult
    public static func fixMallocThresholds() -> Bool {
        #if canImport(Glibc)
        return mallopt(M_MMAP_THRESHOLD, 256 << 10) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 20) == 1
        #else
        return false
        #endif
    }

    /// mimalloc's version as `major.minor.patch`, from the number `mi_version()` returns
    /// (209 for 2.0.9). The server links mimalloc and reports it at start and in bench results.
    public static func mimallocVersion(_ encoded: Int) -> String {
        "\(encoded / 100).\(encoded / 10 % 10).\(encoded % 10)"
    }
}
