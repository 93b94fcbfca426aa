/// The unkeyed container over a JSON array.
struct ArrayContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let elements: [JSONNode]
    private(set) var currentIndex = 0

    init(decoder: NodeDecoder, elements: [JSONNode]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func decodeNil() throws -> Bool {
        let node = try current()
        if node.isNull { currentIndex += 1 }
        return node.isNull
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar(type) { $0.boolValue() } }
    mutating func decode(_ type: String.Type) throws -> String { try scalar(type) { $0.stringValue() } }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar(type) { $0.doubleValue() } }
    mutating func decode(_ type: Float.Type) throws -> Float { try scalar(type) { $0.floatValue() } }
    mutating func decode(_ type: Int.Type) throws -> Int { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar(type) { $0.integerValue(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar(type) { $0.integerValue(type) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let node = try current()
        let value = try decoder.decodeChild(type, node: node, component: .index(currentIndex), key: JSONKey(index: currentIndex))
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try childDecoder().container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try childDecoder().unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try childDecoder()
        currentIndex += 1
        return decoder
    }

    // MARK: - Helpers

    private func childDecoder() throws -> NodeDecoder {
        decoder.childDecoder(node: try current(), component: .index(currentIndex), key: JSONKey(index: currentIndex))
    }

    private func current() throws -> JSONNode {
        guard currentIndex < elements.count else {
            throw decoder.state.error("the array has \(elements.count) elements; expected more", path: decoder.path, at: decoder.node.offset)
        }
        return elements[currentIndex]
    }

    private mutating func scalar<T>(_ type: T.Type, _ convert: (JSONNode) -> T?) throws -> T {
        let node = try current()
        guard let value = convert(node) else {
            throw decoder.state.error(node.mismatch(expecting: type), path: decoder.path + [.index(currentIndex)], at: node.offset)
        }
        currentIndex += 1
        return value
    }
}

/// The single-value container over any node.
struct ValueContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.node.isNull }

    func decode(_ type: Bool.Type) throws -> Bool { try scalar(type) { $0.boolValue() } }
    func decode(_ type: String.Type) throws -> String { try scalar(type) { $0.stringValue() } }
    func decode(_ type: Double.Type) throws -> Double { try scalar(type) { $0.doubleValue() } }
    func decode(_ type: Float.Type) throws -> Float { try scalar(type) { $0.floatValue() } }
    func decode(_ type: Int.Type) throws -> Int { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: Int8.Type) throws -> Int8 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: Int16.Type) throws -> Int16 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: Int32.Type) throws -> Int32 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: Int64.Type) throws -> Int64 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: UInt.Type) throws -> UInt { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar(type) { $0.integerValue(type) } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar(type) { $0.integerValue(type) } }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decodeValue(type)
    }

    private func scalar<T>(_ type: T.Type, _ convert: (JSONNode) -> T?) throws -> T {
        guard let value = convert(decoder.node) else {
            throw decoder.state.error(decoder.node.mismatch(expecting: type), path: decoder.path, at: decoder.node.offset)
        }
        return value
    }
}
