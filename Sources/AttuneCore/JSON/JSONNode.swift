/// A parsed JSON value with the byte offset of its first token, so that errors found while
/// decoding can point at a line and column.
struct JSONNode {
    /// The value.
    enum Kind {
        case null
        case bool(Bool)
        /// The number's literal text, converted on demand so that integers stay exact.
        case number(String)
        case string(String)
        case array([JSONNode])
        case object(JSONObject)
    }

    var kind: Kind
    /// Byte offset of the value's first character in the document.
    var offset: Int

    /// A phrase for messages: `the string "0.1"`, `a number`, `an object`.
    var summary: String {
        switch kind {
        case .null: return "null"
        case .bool(let value): return "the boolean \(value)"
        case .number(let text): return "the number \(text)"
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "the string \(JSONPath.quoted(shown))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// An object's members in document order, with a key index for large objects.
struct JSONObject {
    /// One `"key": value` pair.
    struct Member {
        var key: String
        /// Byte offset of the key's opening quote.
        var keyOffset: Int
        var value: JSONNode
    }

    var members: [Member]
    /// Position of each key in `members`, built only for objects with many members.
    private var index: [String: Int]?

    init(members: [Member]) {
        self.members = members
        if members.count > 12 {
            var index = [String: Int](minimumCapacity: members.count)
            for (position, member) in members.enumerated() { index[member.key] = position }
            self.index = index
        }
    }

    /// The member with the given key.
    func member(_ key: String) -> Member? {
        if let index {
            return index[key].map { members[$0] }
        }
        return members.first { $0.key == key }
    }
}
