import Engine
import Foundation

/// The decision log in the evaluator's JSON Lines format: one decision per line with its
/// context, candidates, chosen action, propensity, full distribution and (once its window
/// closed) its reward.
///
/// ```json
/// {"event_id":"e1","timestamp":"2026-11-26T10:00:00.000Z","policy":"offers-linucb","segment":null,
///  "context":[0.1,1],"actions":["a","b"],"action":"b","propensity":0.9,"probabilities":[0.1,0.9],
///  "reward":1,"reward_is_default":false,"model_version":12}
/// ```
public enum LogExport {
    /// One JSON line (without the newline).
    public static func jsonLine(_ logged: LoggedDecision) -> String {
        let d = logged.decision
        var members: [(String, JSONText.Value)] = [
            ("event_id", .string(d.eventID)),
            ("timestamp", .string(iso8601(d.timestamp))),
            ("policy", .string(d.policyID)),
        ]
        if let customer = d.customerID { members.append(("customer_id", .string(customer))) }
        members.append(("segment", d.segment.map { .integer($0) } ?? .null))
        members.append(("context", .array(d.context.map { .number($0) })))
        members.append(("actions", .array(d.candidateIDs.map { .string($0) })))
        members.append(("action", .string(d.actionID)))
        members.append(("propensity", .number(d.propensity)))
        members.append(("probabilities", .array(d.probabilities.map { .number($0) })))
        if let outcome = logged.outcome {
            members.append(("reward", .number(outcome.reward)))
            members.append(("reward_is_default", .bool(outcome.isDefault)))
        }
        members.append(("model_version", .integer(d.modelVersion)))
        return JSONText.render(.object(members))
    }

    /// `seconds` since 1970 as ISO 8601 UTC with milliseconds.
    public static func iso8601(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    /// Parses `--since`: ISO 8601 (with or without fractional seconds) or epoch seconds.
    /// - Throws: `EngineError.invalidField` naming `since`.
    public static func parseTime(_ text: String) throws(EngineError) -> Double {
        if let seconds = Double(text), seconds.isFinite { return seconds }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
                                                       [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        throw .invalidField(field: "since", reason: "'\(text)' is neither ISO 8601 (2026-11-26T10:00:00Z) nor epoch seconds")
    }
}
