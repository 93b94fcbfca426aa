/// Reads a decision log from CSV with a header row naming the columns.
///
/// Columns (by name, in any order; other columns are ignored):
/// - `action`: the chosen candidate's 0-based index (or an id, when `actions` is given);
/// - `propensity`, `reward` (an empty cell means "not joined yet": the row is skipped);
/// - `context_0`, `context_1`, …: the context vector (the names' prefix is configurable);
/// - optionally `probability_0`, … (logging distribution), `target_probability_0`, …
///   (target distribution), `actions` (candidate ids separated by `|`), `segment`,
///   `event_id`.
///
/// Fields follow RFC 4180 quoting (`"a,b"`, `""` for a quote) within one line.
///
/// ```
/// event_id,context_0,context_1,action,propensity,reward,target_probability_0,target_probability_1
/// e1,0.2,1.0,1,0.5,1,0.1,0.9
/// ```
public struct CSVLogReader: DecisionLogReader {
    /// The log's name in messages.
    public let source: String
    /// Prefix of the context columns, followed by the 0-based feature index.
    public var contextPrefix = "context_"
    /// Prefix of the logging-probability columns.
    public var probabilityPrefix = "probability_"
    /// Prefix of the target-probability columns.
    public var targetPrefix = "target_probability_"

    private var header: [String]?
    private var contextColumns: [Int] = []
    private var probabilityColumns: [Int] = []
    private var targetColumns: [Int] = []
    private var named: [String: Int] = [:]

    /// Creates a reader; `source` names the log in messages.
    public init(source: String) { self.source = source }

    /// Parses the header (first non-blank line, giving `nil`) or one data row.
    /// - Throws: `EvaluationError.badLine`.
    public mutating func round(from bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(EvaluationError) -> LoggedRound? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        let cells: [String]
        do { cells = try Self.split(bytes) } catch {
            throw .badLine(source: source, line: line, field: "", reason: error.reason)
        }
        guard header != nil else { try readHeader(cells, line: line); return nil }
        do {
            return try row(cells)
        } catch {
            throw .badLine(source: source, line: line, field: error.field, reason: error.reason)
        }
    }

    private mutating func readHeader(_ cells: [String], line: Int) throws(EvaluationError) {
        header = cells
        for (i, name) in cells.enumerated() {
            guard named[name] == nil else {
                throw .badLine(source: source, line: line, field: name, reason: "column name appears twice in the header")
            }
            named[name] = i
        }
        for required in ["action", "propensity", "reward"] where named[required] == nil {
            throw .badLine(source: source, line: line, field: required, reason: "the header has no `\(required)` column")
        }
        func indexed(_ prefix: String) throws(EvaluationError) -> [Int] {
            var columns: [Int] = []
            while let c = named["\(prefix)\(columns.count)"] { columns.append(c) }
            let stray = cells.filter { $0.hasPrefix(prefix) && Int($0.dropFirst(prefix.count)) != nil }.count
            guard stray == columns.count else {
                throw .badLine(source: source, line: line, field: prefix,
                               reason: "the `\(prefix)<i>` columns must be numbered 0, 1, 2, … without gaps")
            }
            return columns
        }
        contextColumns = try indexed(contextPrefix)
        probabilityColumns = try indexed(probabilityPrefix)
        targetColumns = try indexed(targetPrefix)
    }

    private func row(_ cells: [String]) throws(FieldError) -> LoggedRound {
        let width = header?.count ?? 0
        guard cells.count == width else { throw FieldError(field: "", reason: "\(cells.count) cells where the header has \(width)") }
        func number(_ column: Int) throws(FieldError) -> Double {
            let text = cells[column].trimmingSpaces
            guard let v = Double(text) else { throw FieldError(field: header?[column] ?? "", reason: "\"\(text)\" is not a number") }
            return v
        }
        func optional(_ name: String) -> String? {
            guard let c = named[name] else { return nil }
            let t = cells[c].trimmingSpaces
            return t.isEmpty ? nil : t
        }
        var context: [Double] = []
        for c in contextColumns { context.append(try number(c)) }
        let actions = optional("actions").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let actionText = optional("action") ?? ""
        let action: LoggedRound.ChosenAction
        if let k = Int(actionText) { action = .index(k) } else if !actionText.isEmpty, actions != nil { action = .id(actionText) } else {
            throw FieldError(field: "action", reason: "\"\(actionText)\" is not a candidate index")
        }
        guard let pc = named["propensity"] else { throw FieldError(field: "propensity", reason: "missing column") }
        let propensity = try number(pc)
        var reward: Double?
        if let rc = named["reward"], !cells[rc].trimmingSpaces.isEmpty { reward = try number(rc) }
        let probabilities = try probabilityColumns.isEmpty ? nil : probabilityColumns.map { c throws(FieldError) in try number(c) }
        let target = try targetColumns.isEmpty ? nil : targetColumns.map { c throws(FieldError) in try number(c) }
        return LoggedRound(
            context: context, actions: actions, action: action, propensity: propensity, reward: reward,
            probabilities: probabilities, targetProbabilities: target, segment: optional("segment"), eventID: optional("event_id"))
    }

    /// Splits one CSV line into cells (RFC 4180 quoting within the line).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>) throws(FieldError) -> [String] {
        var cells: [String] = []
        var cell: [UInt8] = []
        var i = 0
        var quoted = false
        var wasQuoted = false
        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { cell.append(c); i += 2; continue }
                    quoted = false
                } else {
                    cell.append(c)
                }
            } else if c == UInt8(ascii: ",") {
                cells.append(String(decoding: cell, as: UTF8.self)); cell.removeAll(keepingCapacity: true); wasQuoted = false
            } else if c == UInt8(ascii: "\"") && cell.isEmpty && !wasQuoted {
                quoted = true; wasQuoted = true
            } else {
                cell.append(c)
            }
            i += 1
        }
        guard !quoted else { throw FieldError(field: "", reason: "unterminated quoted cell") }
        cells.append(String(decoding: cell, as: UTF8.self))
        return cells
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
