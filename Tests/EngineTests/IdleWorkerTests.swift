#if canImport(Glibc)
import Glibc
#endif
@testable import Engine
import Testing

@Suite("IdleWorker")
struct IdleWorkerTests {
    /// The calling thread's nice value.
    static func currentNice() -> Int32 {
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test func runsJobsInOrderOnItsOwnLowestWeightThreadAndOnTheCallerOnceStopped() {
        let worker = IdleWorker(name: "attune-test-idle")
        let callerNice = Self.currentNice()
        // The job runs on the worker's thread (nice 19), the caller keeps its own weight.
        #expect(worker.run { Self.currentNice() } == ThreadPriority.idle)
        #expect(Self.currentNice() == callerNice)
        let results = (0..<50).map { i in worker.run { i * i } }
        #expect(results == (0..<50).map { $0 * $0 })
        worker.stop()
        worker.stop()
        // Stopped: the job still runs, on the caller's thread.
        #expect(worker.run { Self.currentNice() } == callerNice)
    }
}
