import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Write end of the shutdown pipe, read by the signal handler.
let signalPipe = Atomic<Int32>(-1)

/// The SIGINT/SIGTERM handler: writes the signal number to the pipe (async-signal-safe).
let forwardSignal: @convention(c) (Int32) -> Void = { number in
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipe.load(ordering: .relaxed), &byte, 1)
}
