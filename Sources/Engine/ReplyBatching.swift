/// Two actions that bracket the completions of one commit on the journal thread
/// (``Engine/replyBatching``).
public struct ReplyBatching: Sendable {
    /// Runs before the first completion of a commit.
    public var begin: @Sendable () -> Void
    /// Runs after the last completion of a commit.
    public var end: @Sendable () -> Void

    /// Creates the pair.
    public init(begin: @escaping @Sendable () -> Void, end: @escaping @Sendable () -> Void) {
        self.begin = begin
        self.end = end
    }
}
