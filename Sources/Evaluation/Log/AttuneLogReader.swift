/// Reads one line of a decision log, in order; the readers of the supported formats conform.
public protocol DecisionLogReader {
    /// The round on `line` (1-based), or `nil` when the line holds none (blank, a header).
    /// - Throws: `EvaluationError.badLine` naming the line, the field and the problem.
    mutating func round(from bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(EvaluationError) -> LoggedRound?
}

/// Reads Attune's decision log, one JSON object per line (DESIGN: "Decision log").
///
/// Fields: `context` (array of numbers) or `features` (name → number), `action` (0-based
/// index into the candidates, or an id from `actions`), `propensity`, `reward` (absent or
/// `null` until joined: such lines are counted and skipped), and optionally `actions` (ids:
/// strings, numbers or `{"id": …}` objects), `probabilities`, `target_probabilities`,
/// `segment`, `timestamp`, `event_id`, `model_version`. Unknown fields are ignored; a known
/// field with a bad value is an error naming the line and field.
///
/// ```
/// {"event_id":"e1","context":[0.2,1.0],"action":1,"propensity":0.5,"reward":1,"target_probabilities":[0.1,0.9]}
/// ```
public struct AttuneLogReader: DecisionLogReader, Sendable {
    /// The log's name in messages.
    public let source: String
    /// The fast path (``AttuneLineScanner``) or the general parser only.
    let parsing: LineParsing
    /// The fast path's columns, reused from line to line.
    private var scratch = AttuneLineScanner.Columns()

    /// Creates a reader; `source` names the log in messages.
    public init(source: String) { self.init(source: source, parsing: .fast) }

    init(source: String, parsing: LineParsing) {
        self.source = source
        self.parsing = parsing
    }

    /// Parses one line; blank lines give `nil`.
    ///
    /// Lines of the usual shape are scanned directly (``AttuneLineScanner``); any other line,
    /// including every bad one, goes through the general JSON parser, whose errors name the
    /// column or the field.
    /// - Throws: `EvaluationError.badLine`.
    public mutating func round(from bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(EvaluationError) -> LoggedRound? {
        if Self.isBlank(bytes) { return nil }
        if parsing == .fast {
            scratch.removeAll()
            if let scanned = AttuneLineScanner.scan(bytes, into: &scratch) {
                let numbers = scratch.numbers
                return LoggedRound(
                    context: Array(numbers[scanned.context]), actions: scanned.actions.map { Array(scratch.ids[$0]) },
                    action: scanned.action, propensity: scanned.propensity, reward: scanned.reward,
                    probabilities: scanned.probabilities.map { Array(numbers[$0]) },
                    targetProbabilities: scanned.targetProbabilities.map { Array(numbers[$0]) }, segment: scanned.segment,
                    eventID: scanned.eventID)
            }
        }
        return try Self.generalRound(bytes, line: line, source: source)
    }

    /// Whether the line holds only spaces and tabs.
    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 })
    }

    /// The round of a non-blank line, through the general JSON parser.
    /// - Throws: `EvaluationError.badLine` naming the column of a syntax error, or the field.
    static func generalRound(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, source: String) throws(EvaluationError) -> LoggedRound {
        let value: JSONValue
        do { value = try JSONLineParser.parse(bytes) } catch {
            throw .badLine(source: source, line: line, field: "", reason: "malformed JSON at column \(error.column): \(error.message)")
        }
        do {
            return try round(from: value)
        } catch {
            throw .badLine(source: source, line: line, field: error.field, reason: error.reason)
        }
    }

    static func round(from value: JSONValue) throws(FieldError) -> LoggedRound {
        guard case .object = value else { throw FieldError(field: "", reason: "expected a JSON object, got \(value.kindName)") }
        var context: [Double] = []
        var names: [String]?
        if let c = value["context"]?.nonNull {
            guard value["features"]?.nonNull == nil else {
                throw FieldError(field: "features", reason: "both `context` and `features` are given; log one of them")
            }
            context = try c.numbers("context")
        } else if let f = value["features"]?.nonNull {
            guard case .object(let members) = f else {
                throw FieldError(field: "features", reason: "expected an object of name → number, got \(f.kindName)")
            }
            names = []
            for (key, v) in members {
                context.append(try v.number("features.\(key)"))
                names?.append(key)
            }
        } else {
            throw FieldError(field: "context", reason: "missing; log `context` (array of numbers) or `features` (name → number)")
        }
        var actions: [String]?
        if let a = value["actions"]?.nonNull {
            guard case .array(let elements) = a else { throw FieldError(field: "actions", reason: "expected an array of action ids, got \(a.kindName)") }
            var ids: [String] = []
            for (i, e) in elements.enumerated() {
                if case .object = e {
                    guard let id = e["id"] else { throw FieldError(field: "actions[\(i)].id", reason: "missing") }
                    ids.append(try id.label("actions[\(i)].id"))
                } else {
                    ids.append(try e.label("actions[\(i)]"))
                }
            }
            actions = ids
        }
        guard let actionValue = value["action"]?.nonNull else { throw FieldError(field: "action", reason: "missing") }
        let action: LoggedRound.ChosenAction
        switch actionValue {
        case .number: action = .index(try actionValue.integer("action"))
        case .string(let s): action = .id(s)
        default: throw FieldError(field: "action", reason: "expected an index or an id, got \(actionValue.kindName)")
        }
        guard let propensityValue = value["propensity"]?.nonNull else { throw FieldError(field: "propensity", reason: "missing") }
        let propensity = try propensityValue.number("propensity")
        let reward = try value["reward"]?.nonNull?.number("reward")
        let probabilities = try value["probabilities"]?.nonNull?.numbers("probabilities")
        let target = try value["target_probabilities"]?.nonNull?.numbers("target_probabilities")
        let segment = try value["segment"]?.nonNull?.label("segment")
        let eventID = try value["event_id"]?.nonNull?.label("event_id")
        _ = try value["timestamp"]?.nonNull?.label("timestamp")
        _ = try value["model_version"]?.nonNull?.label("model_version")
        return LoggedRound(
            context: context, featureNames: names, actions: actions, action: action, propensity: propensity,
            reward: reward, probabilities: probabilities, targetProbabilities: target, segment: segment, eventID: eventID)
    }
}
