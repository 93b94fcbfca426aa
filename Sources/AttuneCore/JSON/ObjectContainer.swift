/// The keyed container over a JSON object. Every key asked for (decoded, tested with
/// `contains`, or opened as a nested container) is recorded, so that keys nobody asked for
/// can be reported as unknown once decoding is done.
struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let object: JSONObject

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool {
        record(key)
        return object.member(key.stringValue) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try member(key).value.isNull
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let node = try member(key).value
        guard let value = node.boolValue() else { throw mismatch(node, type, key) }
        return value
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let node = try member(key).value
        guard let value = node.stringValue() else { throw mismatch(node, type, key) }
        return value
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let node = try member(key).value
        guard let value = node.doubleValue() else { throw mismatch(node, type, key) }
        return value
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let node = try member(key).value
        guard let value = node.floatValue() else { throw mismatch(node, type, key) }
        return value
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let node = try member(key).value
        return try decoder.decodeChild(type, node: node, component: .key(key.stringValue), key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        record(key)
        guard let member = object.member(key.stringValue), !member.value.isNull else { return nil }
        return try decoder.decodeChild(type, node: member.value, component: .key(key.stringValue), key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.childDecoder(node: member(key).value, component: .key(key.stringValue), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.childDecoder(node: member(key).value, component: .key(key.stringValue), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(forKey: "super")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try superDecoder(forKey: key.stringValue)
    }

    // MARK: - Helpers

    private func superDecoder(forKey name: String) throws -> any Decoder {
        decoder.state.record(name, inObjectAt: decoder.node.offset)
        let node = object.member(name)?.value ?? JSONNode(kind: .null, offset: decoder.node.offset)
        return decoder.childDecoder(node: node, component: .key(name), key: JSONKey(name))
    }

    private func record(_ key: Key) {
        decoder.state.record(key.stringValue, inObjectAt: decoder.node.offset)
    }

    /// The member for `key`, recording the request; a missing key is an error.
    private func member(_ key: Key) throws -> JSONObject.Member {
        record(key)
        guard let member = object.member(key.stringValue) else {
            throw decoder.state.missingKey(key.stringValue, in: object, objectOffset: decoder.node.offset, path: decoder.path)
        }
        return member
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        let node = try member(key).value
        guard let value = node.integerValue(type) else { throw mismatch(node, type, key) }
        return value
    }

    private func mismatch(_ node: JSONNode, _ type: Any.Type, _ key: Key) -> AttuneCoreError {
        decoder.state.error(node.mismatch(expecting: type), path: decoder.path + [.key(key.stringValue)], at: node.offset)
    }
}

/// A coding key for paths the decoder makes up itself (`super`, array positions).
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        self.init(index: intValue)
    }
}
