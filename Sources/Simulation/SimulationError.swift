import AttuneCore
import Bandits

/// Errors of the `Simulation` module. Each case names the offending field (as a JSONPath
/// such as `$.retail.segments[1].share`) or value, and ``description`` says what to do.
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A scenario document is malformed, a value has the wrong type or range, or a required
    /// key is missing; `location` is the line:column of the offending value when known.
    case invalidScenario(path: String, problem: String, fix: String, location: SourceLocation? = nil)
    /// A scenario object has a key this build does not know; `location` is where it is.
    case unknownKey(path: String, key: String, suggestion: String?, location: SourceLocation? = nil)
    /// A file could not be read or written.
    case file(path: String, reason: String)
    /// A policy of the study could not be built or refused the simulator's input.
    case policy(name: String, reason: String)
    /// A study was asked for something inconsistent (no policy, no seed, zero horizon …).
    case invalidStudy(field: String, problem: String)

    public var description: String {
        switch self {
        case .invalidScenario(let path, let problem, let fix, let location):
            return Self.prefix(location) + "\(path): \(problem)" + (fix.isEmpty ? "" : "; \(fix)")
        case .unknownKey(let path, let key, let suggestion, let location):
            let fix = suggestion.map { "did you mean '\($0)'? Fix the spelling" } ?? "remove it"
            return Self.prefix(location) + "\(path): unknown key '\(key)': \(fix) (unknown keys are rejected so that a typo is never silently ignored)"
        case .file(let path, let reason):
            return "\(path): \(reason); check the path and its permissions"
        case .policy(let name, let reason):
            return "policy '\(name)': \(reason); fix the policy specification or the scenario's catalog and context"
        case .invalidStudy(let field, let problem):
            return "\(field): \(problem)"
        }
    }

    private static func prefix(_ location: SourceLocation?) -> String {
        location.map { "\($0): " } ?? ""
    }

    /// Wraps a policy's error with the policy's name.
    static func policy(_ name: String, _ error: BanditsError) -> SimulationError {
        .policy(name: name, reason: error.description)
    }
}

extension SimulationError: InputError {}
