@testable import Engine
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("Memory tuning")
struct MemoryTuningTests {
    /// glibc takes both thresholds (it refuses an mmap threshold above half its arena heap
    /// size, 32 MiB); AddressSanitizer's allocator, which replaces it, takes none. What they do
    /// to a long-running server's memory is measured by the server soak
    /// (`attune-bench server --soak`): whether a given block is mapped also depends on the
    /// free blocks the test process's arenas already hold.
    @Test func theAllocatorTakesBothThresholds() {
        #if canImport(Glibc)
        let sanitized = dlsym(nil, "__asan_init") != nil
        #expect(MemoryTuning.fixMallocThresholds() == !sanitized)
        #endif
    }

    @Test func mimallocVersionsReadAsMajorMinorPatch() {
        #expect(MemoryTuning.mimallocVersion(209) == "2.0.9")
        #expect(MemoryTuning.mimallocVersion(212) == "2.1.2")
        #expect(MemoryTuning.mimallocVersion(300) == "3.0.0")
    }
}
