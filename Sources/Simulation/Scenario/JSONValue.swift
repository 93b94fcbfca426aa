import AttuneCore
import Foundation

/// A parsed JSON value, kept as a `Sendable` tree so that scenario parts (inline policy
/// specifications) can travel to worker threads and be re-encoded exactly.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a JSON document with the strict RFC 8259 parser of `AttuneCore` (no comments,
    /// trailing commas, `NaN` or duplicate keys).
    /// - Parameter source: the document's name in messages (a file path).
    /// - Throws: `SimulationError.invalidScenario` with the JSONPath and line:column of the
    ///   problem when the bytes are not JSON.
    public init(parsing data: Data, source: String = "scenario") throws(SimulationError) {
        do {
            self = try StrictJSONDecoder(unknownKeys: .ignore).decode(JSONValue.self, from: data, source: source)
        } catch {
            throw ObjectReader.converted(error, fix: "write valid JSON (no comments, trailing commas or repeated keys)")
        }
    }

    /// The value as Foundation objects, for `JSONSerialization`.
    var foundation: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let x): return x
        case .string(let s): return s
        case .array(let a): return a.map(\.foundation)
        case .object(let o): return o.mapValues(\.foundation)
        }
    }

    /// The value serialized as JSON bytes with sorted keys.
    public func encoded() -> Data {
        (try? JSONSerialization.data(withJSONObject: foundation, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
    }

    /// A short name of the value's type for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// MARK: - Decoding any JSON value

extension JSONValue: Decodable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes whatever value is there: objects and arrays recursively, then null, booleans,
    /// numbers and strings.
    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(members)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let b = try? value.decode(Bool.self) {
            self = .bool(b)
        } else if let x = try? value.decode(Double.self) {
            self = .number(x)
        } else {
            self = .string(try value.decode(String.self))
        }
    }
}
