import AttuneCore
import Bandits

/// Errors of the `Engine` module: bad requests, unknown events, and storage or checkpoint
/// failures. Each case names the offending field, value or file; `description` says what to do.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A request field is missing or has a bad value (`field` is its JSON path).
    case invalidField(field: String, reason: String)
    /// The request names a policy that is not loaded.
    case unknownPolicy(String, available: [String])
    /// Several policies are loaded and the request did not say which one to use.
    case policyRequired(available: [String])
    /// The request names an action outside the policy's catalog.
    case unknownAction(field: String, id: String)
    /// Every candidate was excluded, ineligible, capped or out of budget.
    case noEligibleAction
    /// A decision with this event id is already logged.
    case duplicateEvent(String)
    /// A reward names an event id that was never decided.
    case unknownEvent(String)
    /// The policy refused the context (wrong dimension, non-finite value, unknown segment, …).
    case policy(BanditsError)
    /// The event store failed (`operation` is what was attempted, `message` SQLite's words).
    case storage(operation: String, message: String)
    /// A checkpoint could not be written or read.
    case checkpoint(path: String, reason: String)
    /// The engine is shutting down and accepts no more work.
    case shuttingDown

    public var description: String {
        switch self {
        case .invalidField(let field, let reason):
            return "\(field): \(reason)"
        case .unknownPolicy(let id, let available):
            return "unknown policy '\(id)': use one of \(available.joined(separator: ", "))"
        case .policyRequired(let available):
            return "several policies are loaded: name one in the \"policy\" field (\(available.joined(separator: ", ")))"
        case .unknownAction(let field, let id):
            return "\(field): unknown action '\(id)'; use an id of the policy's catalog (GET /v1/policies lists them)"
        case .noEligibleAction:
            return "no eligible action: every candidate is excluded, ineligible, capped or out of budget; pass at least one allowed action"
        case .duplicateEvent(let id):
            return "event_id '\(id)' is already logged: send a new event id per decision, or omit it to get a generated one"
        case .unknownEvent(let id):
            return "event_id '\(id)' was never decided: send rewards only for event ids returned by POST /v1/decisions"
        case .policy(let error):
            return error.description
        case .storage(let operation, let message):
            return "event store failed to \(operation): \(message); check the data directory (disk space, permissions)"
        case .checkpoint(let path, let reason):
            return "checkpoint \(path): \(reason); remove the damaged file to start from the event log alone"
        case .shuttingDown:
            return "the engine is shutting down: retry against a running server"
        }
    }
}

extension EngineError: InputError {}
