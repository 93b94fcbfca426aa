import Foundation
import Testing
import AttuneCore

/// Any JSON value, decoded through the strict decoder's containers.
private indirect enum AnyJSON: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: JSONKey.self) {
            var members: [String: AnyJSON] = [:]
            for key in container.allKeys { members[key.stringValue] = try container.decode(AnyJSON.self, forKey: key) }
            self = .object(members)
        } else if var container = try? decoder.unkeyedContainer() {
            var elements: [AnyJSON] = []
            while !container.isAtEnd { elements.append(try container.decode(AnyJSON.self)) }
            self = .array(elements)
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else { self = .string(try container.decode(String.self)) }
        }
    }

    /// The value with booleans as the numbers 0 and 1, as `JSONSerialization` reports them.
    var normalized: AnyJSON {
        switch self {
        case .bool(let value): return .number(value ? 1 : 0)
        case .array(let elements): return .array(elements.map(\.normalized))
        case .object(let members): return .object(members.mapValues(\.normalized))
        default: return self
        }
    }

    /// The same value as read by `JSONSerialization`.
    init?(foundation value: Any) {
        switch value {
        case is NSNull: self = .null
        // Foundation's booleans are NSNumbers on every platform; compare them as 0 and 1.
        case let number as NSNumber: self = .number(number.doubleValue)
        case let text as String: self = .string(text)
        case let array as [Any]:
            var elements: [AnyJSON] = []
            for element in array {
                guard let converted = AnyJSON(foundation: element) else { return nil }
                elements.append(converted)
            }
            self = .array(elements)
        case let dictionary as [String: Any]:
            var members: [String: AnyJSON] = [:]
            for (key, element) in dictionary {
                guard let converted = AnyJSON(foundation: element) else { return nil }
                members[key] = converted
            }
            self = .object(members)
        default: return nil
        }
    }

    struct JSONKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

@Suite struct JSONParserFuzzTests {
    static let seedDocument = #"{"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"y\\u00e9\n", "d": []}, "e": 0.125, "f": {}}"#

    @Test func agreesWithFoundationOnAValidDocument() throws {
        let ours = try StrictJSONDecoder().decode(AnyJSON.self, from: Self.seedDocument)
        let theirs = AnyJSON(foundation: try JSONSerialization.jsonObject(with: Data(Self.seedDocument.utf8), options: [.fragmentsAllowed]))
        #expect(ours.normalized == theirs)
    }

    @Test func mutatedDocumentsNeverCrashAndAreNoLooserThanFoundation() {
        let original = Array(Self.seedDocument.utf8)
        let alphabet = Array(#"{}[]:,"\ -+.eE0123456789tfnu"#.utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xFF]
        var generator = SeededGenerator(seed: 2026)
        var accepted = 0
        for _ in 0..<3_000 {
            var bytes = original
            let edits = 1 + Int(generator.next() % 3)
            for _ in 0..<edits {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let data = Data(bytes)
            let foundation = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            do {
                let ours = try StrictJSONDecoder().decode(AnyJSON.self, from: data, source: "fuzz")
                accepted += 1
                // Whatever the strict parser accepts, Foundation accepts, with the same value.
                #expect(foundation.flatMap(AnyJSON.init(foundation:)) == ours.normalized, "\(String(decoding: bytes, as: UTF8.self))")
            } catch {
                guard case .invalidJSON(_, _, let location?) = error else {
                    Issue.record("expected a located invalidJSON, got \(error)")
                    continue
                }
                #expect(location.line >= 1 && location.column >= 1)
            }
        }
        #expect(accepted > 0)
    }
}
