/// Reads Vowpal Wabbit / Azure Personalizer decision-service JSON (DSJSON), one event per line.
///
/// Conventions of the format, applied here:
/// - `_label_cost` is a *cost*: the reward is `−_label_cost`. An event without it has no
///   joined reward and is skipped (counted as unjoined).
/// - `a` lists 1-based action indices with the **chosen action first**; `p` gives their
///   probabilities in the same order. The distribution is re-ordered to action order, so
///   `probabilities[a[j] − 1] = p[j]` (actions missing from `a` get 0).
/// - `_labelIndex` (0-based) and `_label_Action` (1-based), when present, must agree with
///   `a[0]`; `_label_probability`, when present, is the propensity and must agree with `p[0]`.
/// - `c` is the context: nested namespaces are flattened to named features — a number `v`
///   under `ns.f` is feature `ns.f = v`, a string `s` is the indicator `ns.f=s = 1`, `true`
///   is `ns.f = 1`, numbers in an array are `ns.f[i]`. Keys beginning with `_` are not
///   features; `c._multi` lists the candidate actions (their ids are `_id` when given,
///   their 0-based position otherwise).
/// - `_skipLearn: true` marks an event the service did not learn from: skipped, counted.
/// - `pdrop` is the probability that the logger dropped an event like this one; the kept
///   event stands for `1 / (1 − pdrop)` events.
///
/// ## References
/// Vowpal Wabbit wiki, "Conditional Contextual Bandit" and "DSJSON" input format;
/// Azure Personalizer documentation, "Offline evaluation".
public struct DSJSONLogReader: DecisionLogReader {
    /// The log's name in messages.
    public let source: String

    /// Creates a reader; `source` names the log in messages.
    public init(source: String) { self.source = source }

    /// Parses one line; blank lines give `nil`.
    /// - Throws: `EvaluationError.badLine`.
    public mutating func round(from bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(EvaluationError) -> LoggedRound? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        let value: JSONValue
        do { value = try JSONLineParser.parse(bytes) } catch {
            throw .badLine(source: source, line: line, field: "", reason: "malformed JSON at column \(error.column): \(error.message)")
        }
        do {
            return try Self.round(from: value)
        } catch {
            throw .badLine(source: source, line: line, field: error.field, reason: error.reason)
        }
    }

    static func round(from value: JSONValue) throws(FieldError) -> LoggedRound {
        guard case .object = value else { throw FieldError(field: "", reason: "expected a JSON object, got \(value.kindName)") }
        guard let aValue = value["a"]?.nonNull else { throw FieldError(field: "a", reason: "missing (the 1-based actions, chosen first)") }
        guard case .array(let aElements) = aValue, !aElements.isEmpty else {
            throw FieldError(field: "a", reason: "expected a non-empty array of 1-based action indices")
        }
        var ranked: [Int] = []
        for (j, e) in aElements.enumerated() { ranked.append(try e.integer("a[\(j)]")) }

        // Candidates: `c._multi` when present, otherwise the actions listed in `a`.
        var context: [Double] = []
        var names: [String] = []
        var actions: [String]?
        var candidateCount = ranked.count
        if let c = value["c"]?.nonNull {
            guard case .object(let members) = c else { throw FieldError(field: "c", reason: "expected an object, got \(c.kindName)") }
            for (key, v) in members where !key.hasPrefix("_") {
                try flatten(v, name: key, field: "c.\(key)", into: &names, &context)
            }
            if let multi = c["_multi"]?.nonNull {
                guard case .array(let list) = multi, !list.isEmpty else {
                    throw FieldError(field: "c._multi", reason: "expected a non-empty array of actions")
                }
                candidateCount = list.count
                var ids: [String] = []
                for (i, item) in list.enumerated() {
                    guard let id = item["_id"]?.nonNull else { break }
                    ids.append(try id.label("c._multi[\(i)]._id"))
                }
                if ids.count == list.count { actions = ids }
            }
        }
        var seen = Set<Int>()
        for (j, k) in ranked.enumerated() {
            guard k >= 1, k <= candidateCount else {
                throw FieldError(field: "a[\(j)]", reason: "action \(k) is outside 1…\(candidateCount) (indices are 1-based)")
            }
            guard seen.insert(k).inserted else { throw FieldError(field: "a[\(j)]", reason: "action \(k) is listed twice") }
        }
        let chosen = ranked[0] - 1
        if let labelIndex = value["_labelIndex"]?.nonNull {
            let k = try labelIndex.integer("_labelIndex")
            guard k == chosen else {
                throw FieldError(field: "_labelIndex", reason: "\(k) disagrees with a[0] = \(ranked[0]) (the chosen action comes first in `a`, 1-based)")
            }
        }
        if let labelAction = value["_label_Action"]?.nonNull {
            let k = try labelAction.integer("_label_Action")
            guard k == ranked[0] else { throw FieldError(field: "_label_Action", reason: "\(k) disagrees with a[0] = \(ranked[0])") }
        }

        var probabilities: [Double]?
        if let pValue = value["p"]?.nonNull {
            let p = try pValue.numbers("p")
            guard p.count == ranked.count else {
                throw FieldError(field: "p", reason: "\(p.count) probabilities for \(ranked.count) actions in `a`")
            }
            var ordered = [Double](repeating: 0, count: candidateCount)
            for (j, k) in ranked.enumerated() { ordered[k - 1] = p[j] }
            probabilities = ordered
        }
        let propensity: Double
        if let lp = value["_label_probability"]?.nonNull {
            propensity = try lp.number("_label_probability")
        } else if let p = probabilities {
            propensity = p[chosen]
        } else {
            throw FieldError(field: "_label_probability", reason: "missing, and no `p` to take it from")
        }
        let reward = try value["_label_cost"]?.nonNull.map { v throws(FieldError) in -(try v.number("_label_cost")) }
        let skip = try value["_skipLearn"]?.nonNull?.bool("_skipLearn") ?? false
        var weight = 1.0
        if let pdrop = value["pdrop"]?.nonNull {
            let d = try pdrop.number("pdrop")
            guard d.isFinite, d >= 0, d < 1 else { throw FieldError(field: "pdrop", reason: "\(d) is outside [0, 1)") }
            weight = 1 / (1 - d)
        }
        let eventID = try value["EventId"]?.nonNull?.label("EventId")
        return LoggedRound(
            context: context, featureNames: names, actions: actions, action: .index(chosen), propensity: propensity,
            reward: reward, probabilities: probabilities, eventID: eventID, sampleWeight: weight, isSkipped: skip)
    }

    /// Appends the features of `value` under `name` (see the type's documentation).
    static func flatten(
        _ value: JSONValue, name: String, field: String, into names: inout [String], _ values: inout [Double]
    ) throws(FieldError) {
        switch value {
        case .null: return
        case .number(let v): names.append(name); values.append(v)
        case .bool(let b): if b { names.append(name); values.append(1) }
        case .string(let s): names.append("\(name)=\(s)"); values.append(1)
        case .array(let elements):
            for (i, e) in elements.enumerated() {
                switch e {
                case .number(let v): names.append("\(name)[\(i)]"); values.append(v)
                case .object, .string, .bool, .null, .array:
                    try flatten(e, name: "\(name)[\(i)]", field: "\(field)[\(i)]", into: &names, &values)
                }
            }
        case .object(let members):
            for (key, v) in members where !key.hasPrefix("_") {
                try flatten(v, name: "\(name).\(key)", field: "\(field).\(key)", into: &names, &values)
            }
        }
    }
}
