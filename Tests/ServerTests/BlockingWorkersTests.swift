import Foundation
@testable import Server
import Synchronization
import Testing

@Suite("Blocking workers")
struct BlockingWorkersTests {
    /// Every job runs once, at most `count` at a time, on at most `count` threads, however
    /// many are queued; jobs beyond the free threads wait instead of starting threads.
    @Test func jobsRunOnceAndNoMoreThanTheThreadsAtATime() {
        let workers = BlockingWorkers(count: 4, name: "test-work")
        defer { workers.stop() }
        let runs = Mutex([Int](repeating: 0, count: 200))
        let threads = Mutex(Set<ObjectIdentifier>())
        let running = Atomic(0)
        let most = Atomic(0)
        let done = DispatchGroup()
        for i in 0..<200 {
            done.enter()
            workers.submit {
                let now = running.add(1, ordering: .relaxed).newValue
                _ = most.max(now, ordering: .relaxed)
                threads.withLock { _ = $0.insert(ObjectIdentifier(Thread.current)) }
                usleep(200)
                runs.withLock { $0[i] += 1 }
                running.subtract(1, ordering: .relaxed)
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(runs.withLock { $0 } == [Int](repeating: 1, count: 200))
        #expect(most.load(ordering: .relaxed) <= 4)
        #expect(threads.withLock { $0.count } <= 4)
    }

    /// All threads can be busy at once: four jobs that wait for each other finish (a pool
    /// that ran fewer at a time would never release them).
    @Test func everyThreadTakesAJob() {
        let workers = BlockingWorkers(count: 4, name: "test-work")
        defer { workers.stop() }
        let arrived = Atomic(0)
        let done = DispatchGroup()
        for _ in 0..<4 {
            done.enter()
            workers.submit {
                arrived.add(1, ordering: .relaxed)
                let deadline = Date().addingTimeInterval(10)
                while arrived.load(ordering: .relaxed) < 4, Date() < deadline { usleep(100) }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(arrived.load(ordering: .relaxed) == 4)
    }

    /// Stopping lets the queued jobs finish first; a job submitted after the stop still runs.
    @Test func stoppingFinishesQueuedJobsAndLaterJobsStillRun() {
        let workers = BlockingWorkers(count: 2, name: "test-work")
        let finished = Atomic(0)
        for _ in 0..<10 {
            workers.submit {
                usleep(1_000)
                finished.add(1, ordering: .relaxed)
            }
        }
        workers.stop()
        #expect(finished.load(ordering: .relaxed) == 10)
        let late = DispatchSemaphore(value: 0)
        workers.submit { late.signal() }
        #expect(late.wait(timeout: .now() + 10) == .success)
    }
}
