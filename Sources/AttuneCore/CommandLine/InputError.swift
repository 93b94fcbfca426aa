/// An error caused by what the user supplied (a file, a value, a flag), not by a defect.
///
/// ``CommandLineTool`` reports such errors with exit code 64 and the error's
/// `description`, which should name the offending field, line or value and say what to do.
/// Any other error a command throws is reported as an internal error (exit code 70).
///
/// Module error enums opt in with one line, for example `extension BanditsError: InputError {}`.
public protocol InputError: Error, CustomStringConvertible {}
