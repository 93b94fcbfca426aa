#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where a running command writes: results to ``output`` (standard output), messages and
/// progress to ``errors`` (standard error), and the command's full name for messages.
public struct CommandContext: Sendable {
    /// The words that selected the command, tool name first: `["attune", "segment", "fit"]`.
    public var commandPath: [String]
    /// Results: tables or JSON.
    public var output: TextOutput
    /// Messages and progress.
    public var errors: TextOutput
    /// Whether ``errors`` is an interactive terminal (progress bars are drawn only then).
    public var errorsIsTerminal: Bool

    /// Creates a context.
    public init(commandPath: [String], output: TextOutput = .standardOutput, errors: TextOutput = .standardError,
                errorsIsTerminal: Bool = TextOutput.isTerminal(fileDescriptor: 2)) {
        self.commandPath = commandPath
        self.output = output
        self.errors = errors
        self.errorsIsTerminal = errorsIsTerminal
    }

    /// The command's full name, `attune segment fit`.
    public var commandName: String { commandPath.joined(separator: " ") }

    /// A progress reporter on ``errors``, silent when `quiet` or when standard error is not a
    /// terminal.
    /// - Parameters:
    ///   - label: What is being counted (`"decisions"`).
    ///   - total: The expected count, if known (for the percentage and the ETA).
    ///   - quiet: Whether the user asked for no progress (`--quiet`).
    public func makeProgressReporter(label: String, total: Int?, quiet: Bool) -> ProgressReporter {
        ProgressReporter(label: label, total: total, output: errors, isEnabled: errorsIsTerminal && !quiet)
    }
}

/// A destination for text: standard output, standard error, or a buffer in tests.
public struct TextOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    /// Creates an output that hands every written string to `sink`.
    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    /// Writes `text` as is (add the newline yourself).
    public func write(_ text: String) {
        sink(text)
    }

    /// Writes `text` followed by a newline.
    public func writeLine(_ text: String) {
        sink(text + "\n")
    }

    /// The process's standard output (unbuffered: each write is one `write(2)`).
    public static let standardOutput = TextOutput { writeAll($0, to: 1) }
    /// The process's standard error.
    public static let standardError = TextOutput { writeAll($0, to: 2) }

    /// An output that collects what is written, for tests; read it with ``CapturedText/text``.
    public static func capturing() -> (output: TextOutput, captured: CapturedText) {
        let captured = CapturedText()
        return (TextOutput { captured.append($0) }, captured)
    }

    /// Whether the file descriptor is an interactive terminal (`isatty`).
    public static func isTerminal(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) == 1
    }

    private static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// Text collected by ``TextOutput/capturing()``; safe to write from several threads.
public final class CapturedText: Sendable {
    private let storage = Mutex("")

    /// Creates an empty buffer.
    public init() {}

    /// Everything written so far.
    public var text: String { storage.withLock { $0 } }

    func append(_ text: String) {
        storage.withLock { $0 += text }
    }
}

/// `write(2)`, named apart from ``TextOutput/write(_:)``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, bytes, count)
    #else
    return Darwin.write(descriptor, bytes, count)
    #endif
}
