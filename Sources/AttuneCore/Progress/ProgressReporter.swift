import Synchronization

/// Reports the progress of long work on standard error as one line redrawn in place,
/// with the rate and the estimated time left.
///
/// Safe to call from many threads at once (parallel replicates, bootstrap workers): the count
/// is atomic and redraws are serialized and rate-limited (at most one per
/// ``minimumRedrawInterval``). A disabled reporter (standard error is not a terminal, or
/// `--quiet`) still counts but writes nothing, so scripts and logs see no progress noise.
///
/// ```
/// let progress = context.makeProgressReporter(label: "simulating", total: rounds, quiet: quiet)
/// for _ in 0..<rounds { …; progress.advance() }
/// progress.finish()
/// ```
public final class ProgressReporter: Sendable {
    /// What is being counted.
    public let label: String
    /// Units expected in all, when known.
    public let total: Int?
    /// Whether anything is drawn.
    public let isEnabled: Bool
    /// The shortest time between two redraws.
    public let minimumRedrawInterval: Duration

    private let output: TextOutput
    private let completedCount = Atomic<Int>(0)
    /// Nanoseconds after `start` before which no redraw is due; read without the lock so that
    /// most calls of ``advance(by:)`` take no lock at all.
    private let nextDrawNanoseconds = Atomic<Int64>(0)
    private let start: ContinuousClock.Instant
    private let drawing: Mutex<DrawState>

    private struct DrawState {
        var lastDraw: ContinuousClock.Instant?
        var isFinished = false
    }

    /// Creates a reporter; usually made by ``CommandContext/makeProgressReporter(label:total:quiet:)``.
    /// - Parameters:
    ///   - label: What is being counted.
    ///   - total: Units expected in all, when known.
    ///   - output: Where to draw (standard error).
    ///   - isEnabled: Whether to draw at all.
    ///   - minimumRedrawInterval: The shortest time between two redraws (default 0.1 s).
    public init(label: String, total: Int?, output: TextOutput = .standardError, isEnabled: Bool,
                minimumRedrawInterval: Duration = .milliseconds(100)) {
        self.label = label
        self.total = total
        self.output = output
        self.isEnabled = isEnabled
        self.minimumRedrawInterval = minimumRedrawInterval
        self.start = ContinuousClock.now
        self.drawing = Mutex(DrawState())
    }

    /// Units done so far.
    public var completed: Int { completedCount.load(ordering: .relaxed) }

    /// Counts `units` more done, and redraws if the last redraw is old enough.
    /// - Complexity: O(1) amortized; one atomic add when disabled.
    public func advance(by units: Int = 1) {
        completedCount.wrappingAdd(units, ordering: .relaxed)
        guard isEnabled else { return }
        guard Self.nanoseconds(ContinuousClock.now - start) >= nextDrawNanoseconds.load(ordering: .relaxed) else { return }
        redraw(force: false)
    }

    /// Ends the line: draws the final counts and a newline (nothing when disabled or already
    /// finished).
    public func finish() {
        guard isEnabled else { return }
        redraw(force: true)
    }

    /// The line as it would be drawn now.
    public func currentLine() -> ProgressLine {
        ProgressLine(label: label, completed: completed, total: total, elapsedSeconds: Self.seconds(ContinuousClock.now - start))
    }

    private func redraw(force: Bool) {
        let now = ContinuousClock.now
        drawing.withLock { state in
            guard !state.isFinished else { return }
            if !force, let last = state.lastDraw, now - last < minimumRedrawInterval { return }
            state.lastDraw = now
            nextDrawNanoseconds.store(Self.nanoseconds(now - start + minimumRedrawInterval), ordering: .relaxed)
            let line = ProgressLine(label: label, completed: completed, total: total, elapsedSeconds: Self.seconds(now - start))
            // Carriage return, the line, then erase whatever a longer previous line left.
            output.write("\r" + line.rendered(width: 79) + "\u{1B}[K" + (force ? "\n" : ""))
            if force { state.isFinished = true }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : scaled &+ attoseconds / 1_000_000_000
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
