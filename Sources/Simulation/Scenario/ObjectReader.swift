import AttuneCore
import Foundation

/// Strict, path- and position-tracking access to one JSON object of a scenario, read through
/// `AttuneCore`'s `StrictJSONDecoder`.
///
/// Every accessor names the value's JSONPath and its line:column in the document in its
/// errors (a wrong type, a value out of range, a missing key), and keys not declared with
/// ``declareKeys(_:)`` are rejected with the nearest declared key, so a typo in a scenario is
/// never silently ignored.
struct ObjectReader {
    /// JSONPath of this object (`$`, `$.retail.segments[0]`).
    let path: String
    private let decoder: any Decoder
    private let container: KeyedDecodingContainer<Key>

    /// Wraps the decoder of one JSON value, which must be an object.
    /// - Throws: `SimulationError.invalidScenario` (located) when it is not.
    init(decoder: any Decoder, path: String) throws(SimulationError) {
        self.decoder = decoder
        self.path = path
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw Self.converted(error, fix: "write {\"key\": value, …}")
        }
    }

    /// Decodes `data` strictly and hands its root object to `body`.
    /// - Parameters:
    ///   - source: the document's name in locations (a file path).
    ///   - path: the JSONPath the root object stands for in messages.
    /// - Throws: `SimulationError` with the JSONPath and line:column of the first problem:
    ///   malformed JSON, a wrong type or value (from `body`), or a key nobody read.
    static func read<T>(_ data: Data, source: String, path: String = "$",
                        _ body: @escaping (ObjectReader) throws(SimulationError) -> T) throws(SimulationError) -> T {
        let slot = ReadingSlot(path: path) { reader throws(SimulationError) in try body(reader) }
        do {
            var info: [CodingUserInfoKey: any Sendable] = [:]
            if let key = ReadingSlot.key { info[key] = slot }
            _ = try StrictJSONDecoder(userInfo: info).decode(RootObject.self, from: data, source: source)
        } catch {
            if let failure = slot.error { throw failure }
            throw converted(error, fix: "write valid JSON (no comments, trailing commas or repeated keys)")
        }
        guard let result = slot.result as? T else {
            throw .invalidScenario(path: path, problem: "the document could not be read", fix: "check that it is a JSON object")
        }
        return result
    }

    /// Declares the keys this object may have. The decoder reports any other key once the
    /// document is read (``read(_:source:path:_:)``) as `SimulationError.unknownKey` at the
    /// key's line:column, suggesting the nearest declared key; a missing required key one
    /// typo away from a stray key is reported as that stray key.
    func declareKeys(_ allowed: [String]) {
        for key in allowed { _ = container.contains(Key(key)) }
    }

    func childPath(_ key: String) -> String { "\(path).\(key)" }

    /// Whether `key` is present with a non-null value.
    func has(_ key: String) -> Bool {
        guard container.contains(Key(key)) else { return false }
        return (try? container.decodeNil(forKey: Key(key))) == false
    }

    /// The raw value at `key`, or `nil` when absent or null.
    func value(_ key: String) throws(SimulationError) -> JSONValue? {
        try decode(JSONValue.self, key)
    }

    // MARK: - Scalars

    func optionalDouble(_ key: String) throws(SimulationError) -> Double? {
        guard let x = try decode(Double.self, key) else { return nil }
        guard x.isFinite else { throw invalid(key, "expected a finite number, got \(x)", "write a finite number") }
        return x
    }

    func double(_ key: String, default fallback: Double? = nil) throws(SimulationError) -> Double {
        if let x = try optionalDouble(key) { return x }
        if let fallback { return fallback }
        throw missing(key, "a number")
    }

    /// A number checked against `range`; `expected` completes "expected …" in the message.
    func double(_ key: String, default fallback: Double? = nil, in range: ClosedRange<Double>, expected: String) throws(SimulationError) -> Double {
        let x = try double(key, default: fallback)
        guard range.contains(x) else { throw outOfRange(key, "\(x)", expected) }
        return x
    }

    func optionalInt(_ key: String) throws(SimulationError) -> Int? {
        guard let x = try optionalDouble(key) else { return nil }
        guard x == x.rounded(), abs(x) < 9e15 else { throw invalid(key, "expected an integer, got \(x)", "write a whole number") }
        return Int(x)
    }

    func int(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>, expected: String) throws(SimulationError) -> Int {
        guard let x = try optionalInt(key) ?? fallback else { throw missing(key, "an integer") }
        guard range.contains(x) else { throw outOfRange(key, "\(x)", expected) }
        return x
    }

    func optionalString(_ key: String) throws(SimulationError) -> String? {
        try decode(String.self, key)
    }

    func string(_ key: String, default fallback: String? = nil) throws(SimulationError) -> String {
        if let s = try optionalString(key) { return s }
        if let fallback { return fallback }
        throw missing(key, "a string")
    }

    /// A string that must be one of `choices`.
    func choice(_ key: String, _ choices: [String], default fallback: String? = nil) throws(SimulationError) -> String {
        let s = try string(key, default: fallback)
        guard choices.contains(s) else {
            var fix = "use one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))"
            if let nearest = Self.nearest(to: s, among: choices) { fix = "did you mean \"\(nearest)\"? " + fix }
            throw invalid(key, "unknown value '\(s)'", fix)
        }
        return s
    }

    func bool(_ key: String, default fallback: Bool) throws(SimulationError) -> Bool {
        try decode(Bool.self, key) ?? fallback
    }

    // MARK: - Containers

    func optionalObject(_ key: String) throws(SimulationError) -> ObjectReader? {
        guard has(key) else { return nil }
        do {
            return try ObjectReader(decoder: container.superDecoder(forKey: Key(key)), path: childPath(key))
        } catch {
            throw Self.converted(error, fix: "write {\"key\": value, …}")
        }
    }

    func object(_ key: String) throws(SimulationError) -> ObjectReader {
        guard let o = try optionalObject(key) else { throw missing(key, "an object") }
        return o
    }

    func optionalArray(_ key: String) throws(SimulationError) -> [JSONValue]? {
        try decode([JSONValue].self, key)
    }

    func objects(_ key: String) throws(SimulationError) -> [ObjectReader] {
        guard has(key) else { throw missing(key, "an array of objects") }
        var result: [ObjectReader] = []
        do {
            var elements = try container.nestedUnkeyedContainer(forKey: Key(key))
            while !elements.isAtEnd {
                let p = "\(childPath(key))[\(result.count)]"
                result.append(try ObjectReader(decoder: elements.superDecoder(), path: p))
            }
        } catch {
            throw Self.converted(error, fix: "write [{…}, …]")
        }
        return result
    }

    func optionalDoubles(_ key: String, count: Int? = nil) throws(SimulationError) -> [Double]? {
        guard let a = try decode([Double].self, key) else { return nil }
        if let count, a.count != count { throw invalid(key, "expected \(count) values, got \(a.count)", "give exactly \(count)") }
        for (i, x) in a.enumerated() where !x.isFinite {
            throw invalid(key, index: i, "expected a finite number, got \(x)", "write a finite number")
        }
        return a
    }

    func doubles(_ key: String, count: Int? = nil) throws(SimulationError) -> [Double] {
        guard let a = try optionalDoubles(key, count: count) else { throw missing(key, "an array of numbers") }
        return a
    }

    /// An array of `rows` arrays of `columns` numbers, row-major.
    func matrix(_ key: String, rows: Int, columns: Int) throws(SimulationError) -> [Double] {
        guard let a = try decode([[Double]].self, key) else { throw missing(key, "an array of \(rows) arrays of \(columns) numbers") }
        guard a.count == rows else { throw invalid(key, "expected \(rows) rows, got \(a.count)", "give exactly \(rows)") }
        for (i, row) in a.enumerated() where row.count != columns || !row.allSatisfy(\.isFinite) {
            throw invalid(key, index: i, "expected \(columns) finite numbers, got \(row.count) values", "give exactly \(columns)")
        }
        return a.flatMap { $0 }
    }

    // MARK: - Errors

    func missing(_ key: String, _ what: String) -> SimulationError {
        do {
            _ = try container.decodeNil(forKey: Key(key))
        } catch AttuneCoreError.unknownKey(let path, let typo, let suggestion, let location) {
            // The object has a key one typo away from the missing one: name the typo.
            return .unknownKey(path: path, key: typo, suggestion: suggestion, location: location)
        } catch {}
        return .invalidScenario(path: childPath(key), problem: "missing required key '\(key)'", fix: "add it with \(what)",
                                location: position(of: nil))
    }

    func outOfRange(_ key: String, _ value: String, _ expected: String) -> SimulationError {
        invalid(key, "\(value) is out of range", "expected \(expected)")
    }

    /// A problem with the value at `key` (element `index` of it when given), located at that
    /// value, or at this object when the key is absent.
    func invalid(_ key: String, index: Int? = nil, _ problem: String, _ fix: String) -> SimulationError {
        let p = childPath(key) + (index.map { "[\($0)]" } ?? "")
        return .invalidScenario(path: p, problem: problem, fix: fix, location: position(of: key, index: index))
    }

    /// A problem with this object as a whole.
    func invalidObject(_ problem: String, _ fix: String) -> SimulationError {
        .invalidScenario(path: path, problem: problem, fix: fix, location: position(of: nil))
    }

    // MARK: - Decoding and locating

    /// Decodes the value at `key` as `T`, or `nil` when absent or null.
    private func decode<T: Decodable>(_ type: T.Type, _ key: String) throws(SimulationError) -> T? {
        guard has(key) else { return nil }
        do {
            return try container.decode(type, forKey: Key(key))
        } catch {
            throw Self.converted(error, fix: "")
        }
    }

    /// The line:column of the value at `key` (of its element `index`), or of this object.
    private func position(of key: String?, index: Int? = nil) -> SourceLocation? {
        do {
            if let key, container.contains(Key(key)) {
                if let index {
                    var elements = try container.nestedUnkeyedContainer(forKey: Key(key))
                    for _ in 0..<index where !elements.isAtEnd { _ = try elements.superDecoder() }
                    _ = try elements.decode(Marker.self)
                } else {
                    _ = try container.decode(Marker.self, forKey: Key(key))
                }
            } else {
                _ = try decoder.singleValueContainer().decode(Marker.self)
            }
        } catch AttuneCoreError.invalidJSON(_, _, let location) {
            return location
        } catch {}
        return nil
    }

    /// An `AttuneCoreError` (or any error) as a `SimulationError`, keeping path and location.
    static func converted(_ error: any Error, fix: String) -> SimulationError {
        switch error {
        case let error as SimulationError:
            return error
        case AttuneCoreError.invalidJSON(let path, let message, let location):
            return .invalidScenario(path: path, problem: message, fix: fix, location: location)
        case AttuneCoreError.unknownKey(let path, let key, let suggestion, let location):
            return .unknownKey(path: path, key: key, suggestion: suggestion, location: location)
        default:
            return .invalidScenario(path: "$", problem: String(describing: error), fix: fix)
        }
    }

    /// The allowed key nearest to `key` by edit distance, when close enough to be a typo.
    static func nearest(to key: String, among allowed: [String]) -> String? {
        var best: (String, Int)?
        for candidate in allowed {
            let distance = key.editDistance(to: candidate)
            if distance <= max(2, key.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    // MARK: - Plumbing

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Thrown at a value so that the decoder reports where it is.
    private struct Marker: Decodable {
        struct Request: Error {}
        init(from decoder: any Decoder) throws { throw Request() }
    }
}

/// What ``ObjectReader/read(_:source:path:_:)`` hands the root `init(from:)`, and what it
/// gets back. Used on one thread for one document.
private final class ReadingSlot: @unchecked Sendable {
    static let key = CodingUserInfoKey(rawValue: "attune.simulation.reading")
    let path: String
    let body: (ObjectReader) throws(SimulationError) -> Any
    var result: Any?
    var error: SimulationError?

    init(path: String, body: @escaping (ObjectReader) throws(SimulationError) -> Any) {
        self.path = path
        self.body = body
    }
}

/// The document's root object, read by the caller's closure.
private struct RootObject: Decodable {
    init(from decoder: any Decoder) throws {
        guard let key = ReadingSlot.key, let slot = decoder.userInfo[key] as? ReadingSlot else { return }
        do {
            slot.result = try slot.body(ObjectReader(decoder: decoder, path: slot.path))
        } catch {
            slot.error = error
            throw error
        }
    }
}
