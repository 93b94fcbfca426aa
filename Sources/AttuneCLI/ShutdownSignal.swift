import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM on a dispatch queue (never in a C signal handler).
enum ShutdownSignal {
    static func wait() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let queue = DispatchQueue(label: "attune-signals")
            let box = SignalSources(continuation: continuation)
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { box.fire(name) }
                source.resume()
                box.sources.append(source)
            }
        }
    }
}

private final class SignalSources: @unchecked Sendable {
    // @unchecked: touched only on the signal queue after setup.
    var sources: [any DispatchSourceSignal] = []
    var continuation: CheckedContinuation<String, Never>?
    init(continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }
    func fire(_ name: String) {
        continuation?.resume(returning: name)
        continuation = nil
        for s in sources { s.cancel() }
    }
}
