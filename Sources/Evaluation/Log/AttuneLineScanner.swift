/// The fast path of Attune's decision-log reader: one line scanned byte by byte, its numbers
/// and numeric arrays converted straight into flat columns, without building a JSON tree.
///
/// It reads the usual shape of a decision line: `context` (array of numbers), `action` (an
/// integral index or an id), `propensity`, `reward` (number or `null`), and optionally
/// `probabilities`, `target_probabilities` (arrays of numbers), `actions` (ids: strings or
/// numbers), `segment`, `event_id`, `timestamp`, `model_version` (strings, numbers or `null`),
/// and unknown fields of any JSON value (skipped after checking their syntax). On anything
/// else — `features`, escapes in strings, a duplicated known field, a value of the wrong type,
/// a missing required field, malformed JSON — it gives up (``scan(_:into:)`` returns `nil`)
/// and the caller parses the line with the general parser, whose errors name the column or
/// the field. So the fast path never decides that a line is bad: it only accepts lines the
/// general parser reads to the very same values (numbers go through the same ``JSONNumber``
/// scanner, ids and labels through the same conversions).
struct AttuneLineScanner {
    /// A line the fast path read: ranges into the columns it appended to.
    struct Line {
        /// The context's values in ``Columns/numbers``.
        var context: Range<Int>
        /// The logging distribution in ``Columns/numbers``, if logged.
        var probabilities: Range<Int>?
        /// The target distribution in ``Columns/numbers``, if given.
        var targetProbabilities: Range<Int>?
        /// The candidate ids in ``Columns/ids``, if logged.
        var actions: Range<Int>?
        /// The chosen action.
        var action: LoggedRound.ChosenAction
        /// The logged propensity.
        var propensity: Double
        /// The reward, `nil` when absent or `null`.
        var reward: Double?
        /// The segment label.
        var segment: String?
        /// The event id.
        var eventID: String?
    }

    /// Where scanned lines put their arrays.
    struct Columns: Sendable {
        /// Contexts and distributions of all lines, back to back.
        var numbers: [Double] = []
        /// Candidate ids of the lines that list them.
        var ids: [String] = []

        /// Empties the columns, keeping their storage.
        mutating func removeAll() {
            numbers.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
        }
    }

    /// Scans `line` (without its newline; the byte after it must stop a number, as the NUL the
    /// readers put there does), appending its arrays to `columns`.
    /// - Returns: the line, or `nil` when the general parser must read it (then `columns`
    ///   are as they were).
    /// - Complexity: O(line length); allocates only for strings kept (ids, segment).
    static func scan(_ line: UnsafeBufferPointer<UInt8>, into columns: inout Columns) -> Line? {
        let numberMark = columns.numbers.count, idMark = columns.ids.count
        var scanner = AttuneLineScanner(bytes: line)
        if let result = scanner.scanObject(into: &columns) { return result }
        columns.numbers.removeSubrange(numberMark...)
        columns.ids.removeSubrange(idMark...)
        return nil
    }

    // MARK: - Scanning

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The byte at `i`, or 0 past the end (0 matches nothing the scanner expects).
    @inline(__always) private func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    @inline(__always) private mutating func skipWhitespace() {
        while true {
            switch byte(index) {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The fields the fast path knows, as bits of a mask (a repeated one sends the line to the
    /// general parser, where the last occurrence wins).
    private enum Key: UInt16 {
        case context = 1, action = 2, propensity = 4, reward = 8, probabilities = 16, targetProbabilities = 32
        case actions = 64, segment = 128, eventID = 256, timestamp = 512, modelVersion = 1024
    }

    private mutating func scanObject(into columns: inout Columns) -> Line? {
        skipWhitespace()
        guard byte(index) == UInt8(ascii: "{") else { return nil }
        index += 1
        var seen: UInt16 = 0
        var context: Range<Int>?, probabilities: Range<Int>?, target: Range<Int>?, actions: Range<Int>?
        var action: LoggedRound.ChosenAction?, propensity: Double?, reward: Double?, segment: String?, eventID: String?
        skipWhitespace()
        if byte(index) == UInt8(ascii: "}") { return nil }  // no `context`: the general reader says so
        while true {
            skipWhitespace()
            guard let (keyStart, keyEnd) = scanPlainString() else { return nil }
            let key = Self.key(bytes, keyStart, keyEnd)
            skipWhitespace()
            guard byte(index) == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            if let key {
                guard seen & key.rawValue == 0 else { return nil }
                seen |= key.rawValue
                switch key {
                case .context:
                    guard let r = scanNumbers(into: &columns.numbers) else { return nil }
                    context = r
                case .action:
                    if byte(index) == UInt8(ascii: "\"") {
                        guard let (s, e) = scanPlainString() else { return nil }
                        action = .id(makeString(s, e))
                    } else {
                        guard let v = scanNumber(), let k = JSONValue.integralValue(v) else { return nil }
                        action = .index(k)
                    }
                case .propensity:
                    guard let v = scanNumber() else { return nil }
                    propensity = v
                case .reward:
                    if scanNull() { break }
                    guard let v = scanNumber() else { return nil }
                    reward = v
                case .probabilities:
                    if scanNull() { break }
                    guard let r = scanNumbers(into: &columns.numbers) else { return nil }
                    probabilities = r
                case .targetProbabilities:
                    if scanNull() { break }
                    guard let r = scanNumbers(into: &columns.numbers) else { return nil }
                    target = r
                case .actions:
                    if scanNull() { break }
                    guard let r = scanLabels(into: &columns.ids) else { return nil }
                    actions = r
                case .segment:
                    if scanNull() { break }
                    guard let s = scanLabel() else { return nil }
                    segment = s
                case .eventID:
                    if scanNull() { break }
                    guard let s = scanLabel() else { return nil }
                    eventID = s
                case .timestamp, .modelVersion:
                    if scanNull() { break }
                    // Checked (a string or a number) and not kept, as the general reader does.
                    guard skipLabel() else { return nil }
                }
            } else {
                if Self.isFeatures(bytes, keyStart, keyEnd) { return nil }
                guard skipValue(depth: 1) else { return nil }
            }
            skipWhitespace()
            let c = byte(index)
            index += 1
            if c == UInt8(ascii: ",") { continue }
            guard c == UInt8(ascii: "}") else { return nil }
            break
        }
        skipWhitespace()
        guard index == bytes.count, let context, let action, let propensity else { return nil }
        return Line(context: context, probabilities: probabilities, targetProbabilities: target, actions: actions,
                    action: action, propensity: propensity, reward: reward, segment: segment, eventID: eventID)
    }

    /// A string without escapes or control characters: the range of its content, `nil`
    /// otherwise (escapes are left to the general parser).
    @inline(__always) private mutating func scanPlainString() -> (Int, Int)? {
        guard byte(index) == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        while true {
            let c = byte(index)
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 || c == UInt8(ascii: "\\") { return nil }  // also the end of the line (0)
            index += 1
        }
        let end = index
        index += 1
        return (start, end)
    }

    private func makeString(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    @inline(__always) private mutating func scanNumber() -> Double? {
        let c = byte(index)
        guard c == UInt8(ascii: "-") || (c &- 0x30) < 10 else { return nil }
        switch JSONNumber.scan(bytes, from: index) {
        case .number(let v, let end):
            index = end
            return v
        case .malformed:
            return nil
        }
    }

    private mutating func scanNull() -> Bool {
        guard byte(index) == UInt8(ascii: "n") else { return false }
        guard byte(index + 1) == UInt8(ascii: "u"), byte(index + 2) == UInt8(ascii: "l"), byte(index + 3) == UInt8(ascii: "l") else {
            return false  // not `null`: the value's scanner refuses it
        }
        index += 4
        return true
    }

    /// `[n, n, …]` appended to `numbers`.
    private mutating func scanNumbers(into numbers: inout [Double]) -> Range<Int>? {
        scanArray(into: &numbers) { $0.scanNumber() }
    }

    /// `[e, e, …]` appended to `values`, each element read by `scanElement`; the range of the
    /// appended elements, or `nil` when the text is not such an array.
    @inline(__always)
    private mutating func scanArray<Element>(into values: inout [Element], _ scanElement: (inout Self) -> Element?) -> Range<Int>? {
        guard byte(index) == UInt8(ascii: "[") else { return nil }
        index += 1
        let start = values.count
        skipWhitespace()
        if byte(index) == UInt8(ascii: "]") { index += 1; return start..<start }
        while true {
            skipWhitespace()
            guard let value = scanElement(&self) else { return nil }
            values.append(value)
            skipWhitespace()
            let c = byte(index)
            index += 1
            if c == UInt8(ascii: ",") { continue }
            guard c == UInt8(ascii: "]") else { return nil }
            return start..<values.count
        }
    }

    /// A string or a number as a label (``JSONValue/labelText(_:)``).
    private mutating func scanLabel() -> String? {
        if byte(index) == UInt8(ascii: "\"") {
            guard let (s, e) = scanPlainString() else { return nil }
            return makeString(s, e)
        }
        guard let v = scanNumber() else { return nil }
        return JSONValue.labelText(v)
    }

    private mutating func skipLabel() -> Bool {
        if byte(index) == UInt8(ascii: "\"") { return scanPlainString() != nil }
        return scanNumber() != nil
    }

    /// `["id", 3, …]` appended to `ids` (objects `{"id": …}` go to the general parser).
    private mutating func scanLabels(into ids: inout [String]) -> Range<Int>? {
        scanArray(into: &ids) { $0.scanLabel() }
    }

    /// Skips any JSON value, checking its syntax as the general parser does (strings with
    /// escapes and nesting deeper than 16 levels are left to it).
    private mutating func skipValue(depth: Int) -> Bool {
        switch byte(index) {
        case UInt8(ascii: "\""):
            return scanPlainString() != nil
        case UInt8(ascii: "t"): return skipLiteral("true")
        case UInt8(ascii: "f"): return skipLiteral("false")
        case UInt8(ascii: "n"): return skipLiteral("null")
        case UInt8(ascii: "["):
            guard depth < 16 else { return false }
            index += 1
            skipWhitespace()
            if byte(index) == UInt8(ascii: "]") { index += 1; return true }
            while true {
                skipWhitespace()
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                let c = byte(index)
                index += 1
                if c == UInt8(ascii: ",") { continue }
                return c == UInt8(ascii: "]")
            }
        case UInt8(ascii: "{"):
            guard depth < 16 else { return false }
            index += 1
            skipWhitespace()
            if byte(index) == UInt8(ascii: "}") { index += 1; return true }
            while true {
                skipWhitespace()
                guard scanPlainString() != nil else { return false }
                skipWhitespace()
                guard byte(index) == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                let c = byte(index)
                index += 1
                if c == UInt8(ascii: ",") { continue }
                return c == UInt8(ascii: "}")
            }
        default:
            return scanNumber() != nil
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount, p = literal.utf8Start
        for k in 0..<n where byte(index + k) != p[k] { return false }
        index += n
        return true
    }

    // MARK: - Keys

    private static func key(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Key? {
        switch end - start {
        case 6:
            if equals(bytes, start, "action") { return .action }
            if equals(bytes, start, "reward") { return .reward }
        case 7:
            if equals(bytes, start, "context") { return .context }
            if equals(bytes, start, "actions") { return .actions }
            if equals(bytes, start, "segment") { return .segment }
        case 8: if equals(bytes, start, "event_id") { return .eventID }
        case 9: if equals(bytes, start, "timestamp") { return .timestamp }
        case 10: if equals(bytes, start, "propensity") { return .propensity }
        case 13:
            if equals(bytes, start, "probabilities") { return .probabilities }
            if equals(bytes, start, "model_version") { return .modelVersion }
        case 20: if equals(bytes, start, "target_probabilities") { return .targetProbabilities }
        default: break
        }
        return nil
    }

    private static func isFeatures(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        end - start == 8 && equals(bytes, start, "features")
    }

    @inline(__always)
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ literal: StaticString) -> Bool {
        let p = literal.utf8Start
        for k in 0..<literal.utf8CodeUnitCount where bytes[start + k] != p[k] { return false }
        return true
    }
}
