import Engine
import Foundation
import Synchronization

/// A fixed set of threads for the requests that may block: customer events (they wait for
/// their log's sync), policy administration and multi-slot decisions. The event loops hand
/// such a request over and go on; a job waits in the queue while every worker is busy.
///
/// One thread per request, as before, cost a thread's creation and stack for every event
/// post, and glibc gave many of those threads a malloc arena of their own, whose free memory
/// stayed resident after the thread ended. A connection carries one request at a time, so
/// the queue is bounded by the server's connection limit.
///
/// The threads start on the first job and run until ``stop()`` or the pool's end.
final class BlockingWorkers: Sendable {
    /// What the threads share with the pool: they hold it, not the pool, so that the pool's
    /// owner can end them.
    private final class Shared: Sendable {
        struct Queue {
            var jobs: [@Sendable () -> Void] = []
            var head = 0
            var started = false
            var stopping = false
        }

        let queue = Mutex(Queue())
        /// One signal per queued job and one per thread to end.
        let ready = DispatchSemaphore(value: 0)
        let exited = DispatchSemaphore(value: 0)

        /// The next job, `nil` when none is queued.
        func next() -> (@Sendable () -> Void)? {
            queue.withLock { q in
                guard q.head < q.jobs.count else { return nil }
                let job = q.jobs[q.head]
                q.head += 1
                if q.head == q.jobs.count {
                    q.jobs.removeAll(keepingCapacity: true)
                    q.head = 0
                }
                return job
            }
        }
    }

    /// The number of threads.
    let count: Int
    private let name: String
    private let shared = Shared()

    /// - Parameters:
    ///   - count: Threads (at least 1); jobs beyond it wait for a free one.
    ///   - name: The threads' name prefix (Linux keeps 15 bytes of a thread name).
    init(count: Int, name: String) {
        self.count = max(count, 1)
        self.name = name
    }

    // Ends the threads without waiting for them: the last reference may go on one of them.
    deinit {
        if raiseStopping() { for _ in 0..<count { shared.ready.signal() } }
    }

    /// Queues `job` for a worker; runs it on a thread of its own once the workers are
    /// stopped, so that no request is dropped.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let (accepted, start) = shared.queue.withLock { q -> (Bool, Bool) in
            guard !q.stopping else { return (false, false) }
            q.jobs.append(job)
            defer { q.started = true }
            return (true, !q.started)
        }
        guard accepted else {
            let thread = Thread(block: job)
            thread.stackSize = 1 << 20
            thread.start()
            return
        }
        if start {
            for i in 0..<count { startWorker(i) }
        }
        shared.ready.signal()
    }

    /// Lets the queued jobs finish, then ends the threads and waits for them (a no-op when
    /// none started).
    func stop() {
        guard raiseStopping() else { return }
        for _ in 0..<count { shared.ready.signal() }
        for _ in 0..<count { shared.exited.wait() }
    }

    /// Marks the pool stopping; `true` when it had started and was not stopping yet.
    private func raiseStopping() -> Bool {
        shared.queue.withLock { q -> Bool in
            guard !q.stopping else { return false }
            q.stopping = true
            return q.started
        }
    }

    private func startWorker(_ index: Int) {
        let threadName = "\(name)-\(index)"
        let thread = Thread { [shared] in
            ThreadPriority.nameCurrentThread(threadName)
            while true {
                shared.ready.wait()
                if let job = shared.next() {
                    job()
                } else if shared.queue.withLock({ $0.stopping }) {
                    break
                }
            }
            shared.exited.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
