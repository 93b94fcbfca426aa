// Conversions of scalar nodes to Swift values. Each returns nil on a mismatch, and
// `mismatch(expecting:)` explains the mismatch; callers add the path and the location.

extension JSONNode {
    var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    func boolValue() -> Bool? {
        if case .bool(let value) = kind { return value }
        return nil
    }

    func stringValue() -> String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    /// The number as the nearest double; nil for non-numbers and for literals beyond the
    /// double range (`1e400`).
    func doubleValue() -> Double? {
        guard case .number(let text) = kind, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    func floatValue() -> Float? {
        guard let double = doubleValue() else { return nil }
        let value = Float(double)
        return value.isFinite ? value : nil
    }

    /// The number as an exact integer of type `I`: integer literals in range, and literals
    /// such as `3.0` or `1e3` whose value is an integer in range.
    func integerValue<I: FixedWidthInteger>(_ type: I.Type) -> I? {
        guard case .number(let text) = kind else { return nil }
        if let value = I(text, radix: 10) { return value }
        guard let double = Double(text), double.isFinite else { return nil }
        return I(exactly: double)
    }

    /// Why this node is not a value of `type`, as a phrase: `expected an integer, got the
    /// number 2.5`.
    func mismatch(expecting type: Any.Type) -> String {
        let expected = Self.phrase(for: type)
        if case .number(let text) = kind, let bounds = Self.integerBounds(type) {
            if let double = Double(text), double.isFinite, double.rounded() == double {
                return "the number \(text) is out of range for \(expected) (\(bounds))"
            }
            return "expected \(expected), got the number \(text)"
        }
        if case .number(let text) = kind, type == Double.self || type == Float.self {
            return "the number \(text) is out of range for \(expected)"
        }
        return "expected \(expected), got \(summary)"
    }

    static func phrase(for type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "a boolean"
        case is String.Type: return "a string"
        case is Double.Type, is Float.Type: return "a number"
        case is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: return "a non-negative integer"
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type: return "an integer"
        default: return "a value of type \(type)"
        }
    }

    private static func integerBounds(_ type: Any.Type) -> String? {
        func bounds<I: FixedWidthInteger>(_: I.Type) -> String { "\(I.min)...\(I.max)" }
        switch type {
        case is Int.Type: return bounds(Int.self)
        case is Int8.Type: return bounds(Int8.self)
        case is Int16.Type: return bounds(Int16.self)
        case is Int32.Type: return bounds(Int32.self)
        case is Int64.Type: return bounds(Int64.self)
        case is UInt.Type: return bounds(UInt.self)
        case is UInt8.Type: return bounds(UInt8.self)
        case is UInt16.Type: return bounds(UInt16.self)
        case is UInt32.Type: return bounds(UInt32.self)
        case is UInt64.Type: return bounds(UInt64.self)
        default: return nil
        }
    }
}
