// Typed access to the fields of a parsed log line; every failure names the field.

/// A field of a line with the wrong type or value: the field and what was expected.
struct FieldError: Error, Sendable {
    var field: String
    var reason: String
}

extension JSONValue {
    /// The value of `key` in an object (the last occurrence wins, as in most JSON readers).
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    func number(_ field: String) throws(FieldError) -> Double {
        guard case .number(let v) = self else { throw FieldError(field: field, reason: "expected a number, got \(kindName)") }
        return v
    }

    func integer(_ field: String) throws(FieldError) -> Int {
        let v = try number(field)
        guard let k = Self.integralValue(v) else { throw FieldError(field: field, reason: "expected an integer, got \(v)") }
        return k
    }

    func string(_ field: String) throws(FieldError) -> String {
        guard case .string(let s) = self else { throw FieldError(field: field, reason: "expected a string, got \(kindName)") }
        return s
    }

    func bool(_ field: String) throws(FieldError) -> Bool {
        guard case .bool(let b) = self else { throw FieldError(field: field, reason: "expected true or false, got \(kindName)") }
        return b
    }

    func numbers(_ field: String) throws(FieldError) -> [Double] {
        guard case .array(let elements) = self else { throw FieldError(field: field, reason: "expected an array of numbers, got \(kindName)") }
        var result: [Double] = []
        result.reserveCapacity(elements.count)
        for (i, e) in elements.enumerated() {
            guard case .number(let v) = e else {
                throw FieldError(field: "\(field)[\(i)]", reason: "expected a number, got \(e.kindName)")
            }
            result.append(v)
        }
        return result
    }

    /// A string, or a number written as its shortest form (`3` for 3.0): for ids and labels.
    func label(_ field: String) throws(FieldError) -> String {
        switch self {
        case .string(let s): return s
        case .number(let v): return Self.labelText(v)
        default: throw FieldError(field: field, reason: "expected a string or a number, got \(kindName)")
        }
    }

    /// A number as an id or label: its shortest form (`3` for 3.0).
    static func labelText(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 9.0e15 { return String(Int(v)) }
        return String(v)
    }

    /// An integral number as an index (`nil` when it is not integral or too large).
    static func integralValue(_ v: Double) -> Int? {
        guard v == v.rounded(), abs(v) < 9.0e15 else { return nil }
        return Int(v)
    }

    /// `nil` for JSON `null`, the value otherwise.
    var nonNull: JSONValue? {
        if case .null = self { return nil }
        return self
    }
}
