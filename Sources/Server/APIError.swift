import AttuneCore
import Bandits
import Engine

/// An error reply: status code and the `{"error": {"code", "message", "field"}}` body.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status (4xx for the caller's mistakes, 5xx for the server's).
    public var status: Int
    /// A stable machine-readable code, e.g. `invalid_json`, `unknown_action`.
    public var code: String
    /// What went wrong and what to do.
    public var message: String
    /// The JSON path of the offending field, when there is one.
    public var field: String?

    /// Creates an error reply.
    public init(status: Int, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// The JSON body.
    public var response: HTTPResponse {
        var object: [(String, JSONText.Value)] = [("code", .string(code)), ("message", .string(message))]
        if let field { object.append(("field", .string(field))) }
        return HTTPResponse(status: status, body: Array(JSONText.render(.object([("error", .object(object))])).utf8))
    }

    // MARK: - Mapping module errors

    /// Maps an engine error to its reply.
    public init(_ error: EngineError) {
        switch error {
        case .invalidField(let field, _):
            self.init(status: 422, code: "invalid_field", message: error.description, field: field)
        case .unknownPolicy:
            self.init(status: 404, code: "unknown_policy", message: error.description, field: "policy")
        case .policyRequired:
            self.init(status: 422, code: "policy_required", message: error.description, field: "policy")
        case .unknownAction(let field, _):
            self.init(status: 422, code: "unknown_action", message: error.description, field: field)
        case .noEligibleAction:
            self.init(status: 422, code: "no_eligible_action", message: error.description, field: "actions")
        case .duplicateEvent:
            self.init(status: 409, code: "duplicate_event", message: error.description, field: "event_id")
        case .unknownEvent:
            self.init(status: 404, code: "unknown_event", message: error.description, field: "event_id")
        case .policy(let inner):
            self.init(inner, message: error.description)
        case .storage, .checkpoint:
            self.init(status: 503, code: "storage_unavailable", message: error.description)
        case .shuttingDown:
            self.init(status: 503, code: "shutting_down", message: error.description)
        }
    }

    private init(_ error: BanditsError, message: String) {
        switch error {
        case .dimensionMismatch(let field, _, _):
            self.init(status: 422, code: "dimension_mismatch", message: message, field: field)
        case .nonFiniteFeature(let field):
            self.init(status: 422, code: "non_finite_value", message: message, field: field)
        case .unknownAction:
            self.init(status: 422, code: "unknown_action", message: message, field: "actions")
        case .noEligibleAction:
            self.init(status: 422, code: "no_eligible_action", message: message, field: "actions")
        case .unknownSegment:
            self.init(status: 422, code: "invalid_field", message: message, field: "segment")
        case .invalidSpecification(let path, _, _):
            self.init(status: 422, code: "invalid_field", message: message, field: path)
        default:
            self.init(status: 422, code: "invalid_request", message: message)
        }
    }

    /// Maps a JSON decoding error to a 400 reply naming the path.
    public init(_ error: AttuneCoreError) {
        switch error {
        case .unknownKey(let path, let key, let suggestion, _):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            self.init(status: 400, code: "unknown_field",
                      message: "unknown field '\(key)'\(hint): remove it; unknown fields are rejected so that a typo is never ignored",
                      field: path)
        case .invalidJSON(let path, let message, _):
            self.init(status: 400, code: "invalid_json", message: "\(message); send a JSON object as the API reference describes",
                      field: path.isEmpty || path == "$" ? nil : path)
        default:
            self.init(status: 400, code: "invalid_json", message: error.description)
        }
    }
}
