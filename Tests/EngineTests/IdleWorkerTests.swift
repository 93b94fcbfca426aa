#if canImport(Glibc)
import Glibc
#endif
@testable import Engine
import Dispatch
import Foundation
import Synchronization
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

    @Test func threadsStartedFromAnyThreadCarryTheirNameCutTo15Bytes() {
        let worker = IdleWorker(name: "attune-test-idle")
        #expect(worker.run { ThreadPriority.currentThreadName() } == "attune-test-idl")
        worker.stop()
        // Started from Dispatch threads, as the engine's threads are: each new thread must show
        // its own name, not its creator's, however the start races.
        let names = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                ThreadPriority.nameCurrentThread("attune-t\(i)")
                names.withLock { $0.append(ThreadPriority.currentThreadName()) }
                done.signal()
            }
            thread.start()
            done.wait()
        }
        #expect(names.withLock { $0.sorted() } == (0..<16).map { "attune-t\($0)" }.sorted())
    }
}
