/// The status a command-line tool returns to its caller.
///
/// Attune's commands follow the BSD `sysexits` convention:
///
/// | code | meaning |
/// | --- | --- |
/// | 0 | success |
/// | 64 | bad usage or bad input (the message names the field and the fix) |
/// | 65 | refused by the deployment gate |
/// | 70 | internal error |
///
/// A command returns one from ``Command/run(context:)``, or throws one to stop early.
public struct ExitCode: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric status passed to the operating system.
    public let rawValue: Int32

    /// Creates an exit code with the given numeric status.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Creates an exit code with the given numeric status.
    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// 0: the command did what was asked.
    public static let success = ExitCode(0)
    /// 64 (`EX_USAGE`): bad usage or bad input.
    public static let usage = ExitCode(64)
    /// 65 (`EX_DATAERR`): the deployment gate refused the candidate policy.
    public static let gateRefused = ExitCode(65)
    /// 70 (`EX_SOFTWARE`): an internal error, a defect in Attune rather than in the input.
    public static let internalError = ExitCode(70)

    /// Whether this code reports success.
    public var isSuccess: Bool { rawValue == 0 }

    /// `exit code N`.
    public var description: String { "exit code \(rawValue)" }
}
