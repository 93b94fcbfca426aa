#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Synchronization

/// Scheduling weight of the engine's own threads (Linux nice values, per thread).
///
/// The journal thread is the one stage every request passes through: while it waits for a
/// CPU, every connection waits. Its nice value is lowered (higher weight) when the process may
/// (root or `CAP_SYS_NICE`); background work (learning, checkpoints, WAL copies) is raised, which
/// needs no privilege, so that it yields to the request path on a busy machine.
public enum ThreadPriority {
    /// Nice value of the journal thread when permitted.
    static let journal: Int32 = -5
    /// Nice value of background threads.
    static let background: Int32 = 5
    /// Nice value of the thread that encodes and writes checkpoints (the lowest weight).
    static let idle: Int32 = 19

    /// Sets the calling thread's nice value; returns whether it was applied (`false` when the
    /// process lacks the privilege to lower it, which leaves the thread as it was).
    @discardableResult
    static func setCurrentThread(nice: Int32) -> Bool {
        // On Linux, `who` 0 names the calling thread, not the whole process.
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
    }

    /// Names the calling thread for `top -H`, `perf` and debuggers (at most 15 bytes are kept).
    ///
    /// Writes the kernel's own record (`/proc/thread-self/comm`): a `Foundation.Thread` name set
    /// before `start()` does not reach the thread, and one set from inside it is applied only
    /// when the new thread has not outrun its creator, so about half the servers showed the
    /// journal thread under the name of the Dispatch thread that started it. Best effort: a
    /// system without `/proc` leaves the name as it was.
    public static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// The calling thread's name as the kernel reports it (`top -H`, `/proc/…/comm`), or "" when
    /// it cannot be read.
    static func currentThreadName() -> String {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return name.hasSuffix("\n") ? String(name.dropLast()) : name
    }
}

/// A thread at the lowest scheduling weight that runs jobs for callers who wait for them.
///
/// A checkpoint with 40,000 open reward windows takes about 20 ms of CPU to encode; on the
/// learner's thread (nice 5) that burst took a share of the two cores from the event loops
/// every few seconds and raised the open-loop p99 at 20,000 decisions/s by about 0.7 ms.
/// The learner cannot drop to nice 19 for the write and come back (raising a priority needs a
/// privilege the server may not have), so the write runs here while the learner waits.
final class IdleWorker: Sendable {
    private final class Job: Sendable {
        let body: @Sendable () -> Void
        let done = DispatchSemaphore(value: 0)
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let jobs = Mutex<(queue: [Job], stopping: Bool)>(([], false))
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread; it runs until ``stop()``.
    init(name: String) {
        let thread = Thread { [self] in
            ThreadPriority.nameCurrentThread(name)
            ThreadPriority.setCurrentThread(nice: ThreadPriority.idle)
            while true {
                wake.wait()
                let (queue, stopping) = jobs.withLock { j in
                    defer { j.queue.removeAll() }
                    return (j.queue, j.stopping)
                }
                for job in queue {
                    job.body()
                    job.done.signal()
                }
                if stopping { break }
            }
            finished.signal()
        }
        thread.start()
    }

    /// Runs `body` on the worker's thread and waits for it; runs it on the caller's thread once
    /// the worker has stopped.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        let job = Job { result.withLock { $0 = body() } }
        let accepted = jobs.withLock { j -> Bool in
            guard !j.stopping else { return false }
            j.queue.append(job)
            return true
        }
        guard accepted else { return body() }
        wake.signal()
        job.done.wait()
        return result.withLock { $0 } ?? body()
    }

    /// Finishes the queued jobs and stops the thread.
    func stop() {
        let already = jobs.withLock { j -> Bool in
            defer { j.stopping = true }
            return j.stopping
        }
        guard !already else { return }
        wake.signal()
        finished.wait()
    }
}
