import Synchronization

/// The live policies by id, shared by the request, journal and learner threads; a reload or
/// rollback swaps one entry while the others keep serving.
final class PolicyTable: Sendable {
    private let entries: Mutex<[String: LivePolicy]>

    init(_ entries: [String: LivePolicy]) { self.entries = Mutex(entries) }

    /// The current version of a policy.
    subscript(id: String) -> LivePolicy? { entries.withLock { $0[id] } }

    /// Every current policy.
    var all: [String: LivePolicy] { entries.withLock { $0 } }

    /// Installs a new version of a policy.
    func replace(_ live: LivePolicy) { entries.withLock { $0[live.id] = live } }
}
