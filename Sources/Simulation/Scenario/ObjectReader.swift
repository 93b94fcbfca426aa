/// Strict, path-tracking access to one JSON object of a scenario.
///
/// Every accessor names the value's JSONPath in its error, and ``finish(allowed:)`` rejects
/// keys the caller did not declare, suggesting the nearest declared key, so a typo in a
/// scenario is never silently ignored.
struct ObjectReader {
    /// JSONPath of this object (`$`, `$.retail.segments[0]`).
    let path: String
    let values: [String: JSONValue]

    /// Wraps `value`, which must be an object.
    /// - Throws: `SimulationError.invalidScenario` when it is not.
    init(_ value: JSONValue, path: String) throws(SimulationError) {
        guard case .object(let o) = value else {
            throw .invalidScenario(path: path, problem: "expected an object, got \(value.typeName)", fix: "write {\"key\": value, …}")
        }
        self.path = path
        self.values = o
    }

    /// Rejects every key not in `allowed`.
    /// - Throws: `SimulationError.unknownKey` for the first unknown key in sorted order.
    func finish(allowed: [String]) throws(SimulationError) {
        for key in values.keys.sorted() where !allowed.contains(key) {
            throw .unknownKey(path: "\(path).\(key)", key: key, suggestion: Self.nearest(to: key, among: allowed))
        }
    }

    func childPath(_ key: String) -> String { "\(path).\(key)" }

    func has(_ key: String) -> Bool {
        if let v = values[key], v != .null { return true }
        return false
    }

    // MARK: - Scalars

    func optionalDouble(_ key: String) throws(SimulationError) -> Double? {
        guard let v = values[key], v != .null else { return nil }
        guard case .number(let x) = v, x.isFinite else {
            throw .invalidScenario(path: childPath(key), problem: "expected a number, got \(v.typeName)", fix: "write a finite number")
        }
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
        guard x == x.rounded(), abs(x) < 9e15 else {
            throw .invalidScenario(path: childPath(key), problem: "expected an integer, got \(x)", fix: "write a whole number")
        }
        return Int(x)
    }

    func int(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>, expected: String) throws(SimulationError) -> Int {
        guard let x = try optionalInt(key) ?? fallback else { throw missing(key, "an integer") }
        guard range.contains(x) else { throw outOfRange(key, "\(x)", expected) }
        return x
    }

    func optionalString(_ key: String) throws(SimulationError) -> String? {
        guard let v = values[key], v != .null else { return nil }
        guard case .string(let s) = v else {
            throw .invalidScenario(path: childPath(key), problem: "expected a string, got \(v.typeName)", fix: "write a quoted string")
        }
        return s
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
            throw .invalidScenario(path: childPath(key), problem: "unknown value '\(s)'",
                                   fix: "use one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return s
    }

    func bool(_ key: String, default fallback: Bool) throws(SimulationError) -> Bool {
        guard let v = values[key], v != .null else { return fallback }
        guard case .bool(let b) = v else {
            throw .invalidScenario(path: childPath(key), problem: "expected true or false, got \(v.typeName)", fix: "write true or false")
        }
        return b
    }

    // MARK: - Containers

    func optionalObject(_ key: String) throws(SimulationError) -> ObjectReader? {
        guard let v = values[key], v != .null else { return nil }
        return try ObjectReader(v, path: childPath(key))
    }

    func object(_ key: String) throws(SimulationError) -> ObjectReader {
        guard let o = try optionalObject(key) else { throw missing(key, "an object") }
        return o
    }

    func optionalArray(_ key: String) throws(SimulationError) -> [JSONValue]? {
        guard let v = values[key], v != .null else { return nil }
        guard case .array(let a) = v else {
            throw .invalidScenario(path: childPath(key), problem: "expected an array, got \(v.typeName)", fix: "write [ … ]")
        }
        return a
    }

    func objects(_ key: String) throws(SimulationError) -> [ObjectReader] {
        guard let a = try optionalArray(key) else { throw missing(key, "an array of objects") }
        var result: [ObjectReader] = []
        for (i, v) in a.enumerated() { result.append(try ObjectReader(v, path: "\(childPath(key))[\(i)]")) }
        return result
    }

    func optionalDoubles(_ key: String, count: Int? = nil) throws(SimulationError) -> [Double]? {
        guard let a = try optionalArray(key) else { return nil }
        return try Self.doubles(a, path: childPath(key), count: count)
    }

    func doubles(_ key: String, count: Int? = nil) throws(SimulationError) -> [Double] {
        guard let a = try optionalDoubles(key, count: count) else { throw missing(key, "an array of numbers") }
        return a
    }

    /// An array of `rows` arrays of `columns` numbers, row-major.
    func matrix(_ key: String, rows: Int, columns: Int) throws(SimulationError) -> [Double] {
        guard let a = try optionalArray(key) else { throw missing(key, "an array of \(rows) arrays of \(columns) numbers") }
        guard a.count == rows else { throw Self.countMismatch(childPath(key), rows, a.count) }
        var result: [Double] = []
        for (i, row) in a.enumerated() {
            let p = "\(childPath(key))[\(i)]"
            guard case .array(let r) = row else {
                throw .invalidScenario(path: p, problem: "expected an array, got \(row.typeName)", fix: "write [ … ]")
            }
            result += try Self.doubles(r, path: p, count: columns)
        }
        return result
    }

    static func doubles(_ a: [JSONValue], path: String, count: Int?) throws(SimulationError) -> [Double] {
        if let count, a.count != count { throw countMismatch(path, count, a.count) }
        var result: [Double] = []
        result.reserveCapacity(a.count)
        for (i, v) in a.enumerated() {
            guard case .number(let x) = v, x.isFinite else {
                throw .invalidScenario(path: "\(path)[\(i)]", problem: "expected a number, got \(v.typeName)", fix: "write a finite number")
            }
            result.append(x)
        }
        return result
    }

    // MARK: - Errors

    func missing(_ key: String, _ what: String) -> SimulationError {
        .invalidScenario(path: childPath(key), problem: "missing required key '\(key)'", fix: "add it with \(what)")
    }

    func outOfRange(_ key: String, _ value: String, _ expected: String) -> SimulationError {
        .invalidScenario(path: childPath(key), problem: "\(value) is out of range", fix: "expected \(expected)")
    }

    func invalid(_ key: String, _ problem: String, _ fix: String) -> SimulationError {
        .invalidScenario(path: childPath(key), problem: problem, fix: fix)
    }

    static func countMismatch(_ path: String, _ expected: Int, _ actual: Int) -> SimulationError {
        .invalidScenario(path: path, problem: "expected \(expected) values, got \(actual)", fix: "give exactly \(expected)")
    }

    /// The allowed key nearest to `key` by edit distance, when close enough to be a typo.
    static func nearest(to key: String, among allowed: [String]) -> String? {
        let a = Array(key)
        var best: (String, Int)?
        for candidate in allowed {
            let b = Array(candidate)
            var previous = Array(0...b.count)
            var current = previous
            for i in 1...max(a.count, 1) where !a.isEmpty {
                current[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                swap(&previous, &current)
            }
            let distance = a.isEmpty ? b.count : previous[b.count]
            if distance <= max(2, a.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }
}
