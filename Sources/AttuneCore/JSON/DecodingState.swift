import Foundation

/// What one decoding run shares between its decoders and containers: which keys each object
/// was asked for (to find unknown keys afterwards), how offsets map to locations, and the
/// caller's options. Used on one thread for one document.
final class DecodingState {
    /// The keys asked of one object, in the order first asked (so suggestions are stable).
    struct RequestedKeys {
        var ordered: [String] = []
        var set: Set<String> = []

        mutating func insert(_ key: String) {
            if set.insert(key).inserted { ordered.append(key) }
        }
    }

    let options: StrictJSONDecoder
    let locate: (Int) -> SourceLocation
    /// Object offset → keys asked of it by any keyed container opened on it.
    var requested: [Int: RequestedKeys] = [:]

    init(options: StrictJSONDecoder, locate: @escaping (Int) -> SourceLocation) {
        self.options = options
        self.locate = locate
    }

    func record(_ key: String, inObjectAt offset: Int) {
        requested[offset, default: RequestedKeys()].insert(key)
    }

    func registerObject(at offset: Int) {
        if requested[offset] == nil { requested[offset] = RequestedKeys() }
    }

    // MARK: - Errors

    func error(_ message: String, path: [JSONPathComponent], at offset: Int) -> AttuneCoreError {
        .invalidJSON(path: JSONPath.render(path), message: message, location: locate(offset))
    }

    /// A required key is absent from `object`. When the object has a key that was not asked
    /// for and is one typo away from the missing one, the message names it.
    func missingKey(_ key: String, in object: JSONObject, objectOffset: Int, path: [JSONPathComponent]) -> AttuneCoreError {
        let asked = requested[objectOffset]?.set ?? []
        let strangers = object.members.filter { !asked.contains($0.key) }
        let limit = Swift.max(1, key.count / 4)
        if key.count >= 3,
           let typo = strangers.min(by: { $0.key.editDistance(to: key) < $1.key.editDistance(to: key) }),
           typo.key.count >= 3, typo.key.editDistance(to: key) <= limit {
            return .unknownKey(path: JSONPath.render(path + [.key(typo.key)]), key: typo.key,
                               suggestion: key, location: locate(typo.keyOffset))
        }
        return error("missing required key '\(key)'; add it", path: path + [.key(key)], at: objectOffset)
    }

    // MARK: - Unknown keys

    /// The first key, in document order, of an object decoded through a keyed container
    /// that no container asked for.
    func firstUnknownKey(in node: JSONNode, path: inout [JSONPathComponent]) -> AttuneCoreError? {
        switch node.kind {
        case .object(let object):
            guard let asked = requested[node.offset] else { return nil }
            for member in object.members {
                guard asked.set.contains(member.key) else {
                    path.append(.key(member.key))
                    defer { path.removeLast() }
                    return .unknownKey(path: JSONPath.render(path), key: member.key,
                                       suggestion: member.key.nearest(among: asked.ordered),
                                       location: locate(member.keyOffset))
                }
                path.append(.key(member.key))
                defer { path.removeLast() }
                if let error = firstUnknownKey(in: member.value, path: &path) { return error }
            }
            return nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                path.append(.index(index))
                defer { path.removeLast() }
                if let error = firstUnknownKey(in: element, path: &path) { return error }
            }
            return nil
        default:
            return nil
        }
    }
}
