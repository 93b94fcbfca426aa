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

    /// Parses a JSON document.
    /// - Throws: `SimulationError.invalidScenario` at `$` when the bytes are not JSON.
    public init(parsing data: Data) throws(SimulationError) {
        let any: Any
        do {
            any = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .invalidScenario(path: "$", problem: "the document is not valid JSON (\(error.localizedDescription))",
                                   fix: "check brackets, commas and quotes")
        }
        self = JSONValue(foundation: any)
    }

    init(foundation any: Any) {
        switch any {
        case let dictionary as [String: Any]:
            self = .object(dictionary.mapValues(JSONValue.init(foundation:)))
        case let array as [Any]:
            self = .array(array.map(JSONValue.init(foundation:)))
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            // Foundation parses `true`/`false` as NSNumber too; booleans carry the `c` type code,
            // while parsed integers and reals carry `q`/`i`/`d`.
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        default:
            self = .null
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
