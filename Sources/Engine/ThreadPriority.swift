#if canImport(Glibc)
import Glibc
#endif

/// Scheduling weight of the engine's own threads (Linux nice values, per thread).
///
/// The journal thread is the one stage every request passes through: while it waits for a
/// CPU, every connection waits. Its nice value is lowered (higher weight) when the process may
/// (root or `CAP_SYS_NICE`); background work (learning, checkpoints, WAL copies) is raised, which
/// needs no privilege, so that it yields to the request path on a busy machine.
enum ThreadPriority {
    /// Nice value of the journal thread when permitted.
    static let journal: Int32 = -5
    /// Nice value of background threads.
    static let background: Int32 = 5

    /// Sets the calling thread's nice value; returns whether it was applied (`false` when the
    /// process lacks the privilege to lower it, which leaves the thread as it was).
    @discardableResult
    static func setCurrentThread(nice: Int32) -> Bool {
        // On Linux, `who` 0 names the calling thread, not the whole process.
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
    }
}
