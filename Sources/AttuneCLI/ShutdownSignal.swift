import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM. The C handler only writes the signal number to a pipe (the one
/// async-signal-safe thing it needs to do); a plain thread reads it and resumes the waiter.
enum ShutdownSignal {
    static func wait() async -> String {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return "pipe failure" }
        signalPipe.store(fds[1], ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = forwardSignal
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        let readEnd = fds[0]
        return await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let thread = Thread {
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
                continuation.resume(returning: Int32(byte) == SIGINT ? "SIGINT" : "SIGTERM")
            }
            thread.name = "attune-signals"
            thread.start()
        }
    }
}
