#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a reader turns Attune log lines into rounds.
enum LineParsing: Sendable {
    /// ``AttuneLineScanner`` first, the general parser for the lines it leaves (the default).
    case fast
    /// The general JSON parser for every line (the reference the fast path is tested against).
    case general
}

/// Consecutive complete lines of an Attune log, parsed and checked by one thread into flat
/// columns, to be stored in file order by the reading thread (``DecisionLog/Builder``'s
/// ``DecisionLog/Builder/store(_:_:line:)``).
///
/// Parsing stops at the first bad line (``failure``): the rows before it are kept, so the
/// error reported is the first one in file order.
struct ParsedPiece: Sendable {
    /// One non-blank line: where its arrays are in ``columns`` and what the checks found.
    struct Row: Sendable {
        var line: Int
        var byteCount: Int
        var checked: CheckedRound
        var context: Range<Int>
        var probabilities: Range<Int>?
        var targetProbabilities: Range<Int>?
        var actions: Range<Int>?
        var featureNames: [String]?
        var action: LoggedRound.ChosenAction
        var propensity: Double
        var reward: Double?
        var segment: String?
        var sampleWeight: Double
        var isSkipped: Bool
    }

    /// The arrays of all rows.
    private(set) var columns = AttuneLineScanner.Columns()
    /// The rows, in file order.
    private(set) var rows: [Row] = []
    /// The first bad line's error, if any (no row follows it).
    private(set) var failure: EvaluationError?

    /// Parses and checks the lines in `base[start..<end]` (complete lines separated by `\n`,
    /// the first one numbered `firstLine`), replacing each line's terminator by NUL; `base[end]`
    /// must be writable (the NUL after a last line without newline).
    /// - Complexity: O(end − start).
    mutating func parse(
        _ base: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int, firstLine: Int,
        source: String, defaultCandidateCount: Int?, parsing: LineParsing
    ) {
        columns.removeAll()
        rows.removeAll(keepingCapacity: true)
        failure = nil
        var s = start, line = firstLine
        while s < end {
            let e: Int
            if let hit = memchr(base + s, 0x0A, end - s) {
                e = UnsafeMutablePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
            } else {
                e = end
            }
            var stop = e
            if stop > s, base[stop - 1] == 0x0D { stop -= 1 }
            base[stop] = 0
            let bytes = UnsafeBufferPointer(start: base + s, count: stop - s)
            do {
                try add(bytes, line: line, source: source, defaultCandidateCount: defaultCandidateCount, parsing: parsing)
            } catch {
                failure = error
                return
            }
            s = e + 1
            line += 1
        }
    }

    private mutating func add(
        _ bytes: UnsafeBufferPointer<UInt8>, line: Int, source: String, defaultCandidateCount: Int?, parsing: LineParsing
    ) throws(EvaluationError) {
        if AttuneLogReader.isBlank(bytes) { return }
        var row: Row
        if parsing == .fast, let scanned = AttuneLineScanner.scan(bytes, into: &columns) {
            row = Row(line: line, byteCount: bytes.count, checked: .unjoined, context: scanned.context,
                      probabilities: scanned.probabilities, targetProbabilities: scanned.targetProbabilities,
                      actions: scanned.actions, featureNames: nil, action: scanned.action, propensity: scanned.propensity,
                      reward: scanned.reward, segment: scanned.segment, sampleWeight: 1, isSkipped: false)
        } else {
            let round = try AttuneLogReader.generalRound(bytes, line: line, source: source)
            row = Row(line: line, byteCount: bytes.count, checked: .unjoined, context: append(round.context),
                      probabilities: round.probabilities.map { append($0) },
                      targetProbabilities: round.targetProbabilities.map { append($0) },
                      actions: round.actions.map { ids in
                          let first = columns.ids.count
                          columns.ids.append(contentsOf: ids)
                          return first..<columns.ids.count
                      },
                      featureNames: round.featureNames, action: round.action, propensity: round.propensity,
                      reward: round.reward, segment: round.segment, sampleWeight: round.sampleWeight, isSkipped: round.isSkipped)
        }
        let current = row
        row.checked = try withFields(of: current) { fields throws(EvaluationError) in
            try DecisionLog.Builder.check(fields, line: line, source: source, defaultCandidateCount: defaultCandidateCount)
        }
        rows.append(row)
    }

    private mutating func append(_ values: [Double]) -> Range<Int> {
        let first = columns.numbers.count
        columns.numbers.append(contentsOf: values)
        return first..<columns.numbers.count
    }

    /// Calls `body` with views of `row`'s fields.
    func withFields<R>(of row: Row, _ body: (RoundFields) throws(EvaluationError) -> R) throws(EvaluationError) -> R {
        let actions = row.actions.map { Array(columns.ids[$0]) }
        return try columns.numbers.withUnsafeBufferPointer { all throws(EvaluationError) in
            try body(RoundFields(
                context: UnsafeBufferPointer(rebasing: all[row.context]), featureNames: row.featureNames, actions: actions,
                action: row.action, propensity: row.propensity, reward: row.reward,
                probabilities: row.probabilities.map { UnsafeBufferPointer(rebasing: all[$0]) },
                targetProbabilities: row.targetProbabilities.map { UnsafeBufferPointer(rebasing: all[$0]) },
                segment: row.segment, sampleWeight: row.sampleWeight, isSkipped: row.isSkipped))
        }
    }
}
