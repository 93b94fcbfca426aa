import Foundation

/// The `Decoder` handed to `init(from:)`: one node of the parsed tree, its path, and the
/// run's shared state.
struct NodeDecoder: Decoder {
    let state: DecodingState
    let node: JSONNode
    let path: [JSONPathComponent]
    let codingPath: [any CodingKey]

    var userInfo: [CodingUserInfoKey: Any] { state.options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = node.kind else {
            throw state.error("expected an object, got \(node.summary)", path: path, at: node.offset)
        }
        state.registerObject(at: node.offset)
        return KeyedDecodingContainer(ObjectContainer<Key>(decoder: self, object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = node.kind else {
            throw state.error("expected an array, got \(node.summary)", path: path, at: node.offset)
        }
        return ArrayContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ValueContainer(decoder: self)
    }

    // MARK: - Children

    /// Decodes `node` (a child of this decoder's node, at `component`) as `T`.
    func decodeChild<T: Decodable>(_ type: T.Type, node child: JSONNode, component: JSONPathComponent, key: any CodingKey) throws -> T {
        let decoder = NodeDecoder(state: state, node: child, path: path + [component], codingPath: codingPath + [key])
        return try decoder.decodeValue(type)
    }

    /// A decoder for a child node, for nested containers and `superDecoder`.
    func childDecoder(node child: JSONNode, component: JSONPathComponent, key: any CodingKey) -> NodeDecoder {
        NodeDecoder(state: state, node: child, path: path + [component], codingPath: codingPath + [key])
    }

    /// Decodes this decoder's node as `T`, turning errors thrown by `T`'s own `init(from:)`
    /// into ``AttuneCoreError`` at this node's path.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == URL.self {
            guard let text = node.stringValue(), let url = URL(string: text) as? T else {
                throw state.error("expected a URL string, got \(node.summary)", path: path, at: node.offset)
            }
            return url
        }
        if type == Date.self {
            guard let date = JSONDates.date(from: node) as? T else {
                throw state.error("expected a date (ISO 8601 text such as \"2026-01-31T12:00:00Z\", or epoch seconds), got \(node.summary)",
                                  path: path, at: node.offset)
            }
            return date
        }
        do {
            return try T(from: self)
        } catch let error as AttuneCoreError {
            throw error
        } catch let error as DecodingError {
            throw translate(error, decoding: type)
        } catch {
            // A type's own validation failed (its module's error): report it at this value.
            throw state.error(String(describing: error), path: path, at: node.offset)
        }
    }

    /// A `DecodingError` thrown by a type's own `init(from:)`, located in the tree.
    private func translate<T>(_ error: DecodingError, decoding type: T.Type) -> AttuneCoreError {
        let context: DecodingError.Context
        var message: String
        switch error {
        case .dataCorrupted(let c):
            context = c
            message = c.debugDescription
            if c.codingPath.count == codingPath.count, let text = node.stringValue(),
               let allowed = Self.allowedValues(of: type) {
                message = "invalid value \(JSONPath.quoted(text)): expected one of: \(allowed.joined(separator: ", "))"
                if let nearest = text.nearest(among: allowed) { message += "; did you mean '\(nearest)'?" }
            }
        case .keyNotFound(let key, let c):
            context = c
            message = "missing required key '\(key.stringValue)'; add it"
        case .typeMismatch(let expected, let c):
            context = c
            message = "expected \(JSONNode.phrase(for: expected)): \(c.debugDescription)"
        case .valueNotFound(let expected, let c):
            context = c
            message = "expected \(JSONNode.phrase(for: expected)), got null"
        @unknown default:
            return state.error(String(describing: error), path: path, at: node.offset)
        }
        // Follow the part of the error's coding path below this node through the tree.
        var components = path
        var current = node
        walk: for key in context.codingPath.dropFirst(codingPath.count) {
            switch current.kind {
            case .object(let object):
                components.append(.key(key.stringValue))
                guard let member = object.member(key.stringValue) else { break walk }
                current = member.value
            case .array(let elements):
                let index = key.intValue ?? -1
                components.append(.index(index))
                guard elements.indices.contains(index) else { break walk }
                current = elements[index]
            default:
                break walk
            }
        }
        return state.error(message, path: components, at: current.offset)
    }

    /// The raw values of a `String`-backed `CaseIterable` enumeration, for messages.
    private static func allowedValues<T>(of type: T.Type) -> [String]? {
        guard let iterable = type as? any CaseIterable.Type else { return nil }
        func values<C: CaseIterable>(_ c: C.Type) -> [String] {
            c.allCases.compactMap { ($0 as? any RawRepresentable)?.rawValue as? String }
        }
        let result = values(iterable)
        return result.isEmpty ? nil : result
    }
}

/// Dates in Attune's formats: ISO 8601 text (with or without fractional seconds) or a
/// number of seconds since 1970-01-01T00:00:00Z.
enum JSONDates {
    static func date(from node: JSONNode) -> Date? {
        if let seconds = node.doubleValue() { return Date(timeIntervalSince1970: seconds) }
        guard let text = node.stringValue() else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
