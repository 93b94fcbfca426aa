import Foundation

extension JSONReader {
    /// Reads a whole document with `body`: the value, or `nil` when the reader deviates, the
    /// document nests deeper than `maximumDepth`, or something follows the value.
    ///
    /// Use it when the slow path is yours to choose (a server that checks limits before
    /// decoding strictly); otherwise ``StrictJSONDecoder/decode(_:from:source:reading:)``.
    /// - Parameters:
    ///   - bytes: The document, UTF-8.
    ///   - maximumDepth: The deepest nesting of arrays and objects accepted.
    ///   - body: Reads the document's one value.
    /// - Complexity: O(n) in the document's size plus the work of `body`.
    public static func read<T>(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 512,
                               _ body: (inout JSONReader) throws(Deviation) -> T) -> T? {
        let buffer = bytes.bindMemory(to: UInt8.self)
        var reader = JSONReader(bytes: buffer)
        do throws(Deviation) {
            let value = try body(&reader)
            try reader.finish()
            return reader.deepest <= maximumDepth ? value : nil
        } catch {
            return nil
        }
    }

    /// As ``read(_:maximumDepth:_:)-(UnsafeRawBufferPointer,_,_)`` over an array of bytes.
    /// - Complexity: O(n) in the document's size plus the work of `body`.
    public static func read<T>(_ bytes: [UInt8], maximumDepth: Int = 512,
                               _ body: (inout JSONReader) throws(Deviation) -> T) -> T? {
        bytes.withUnsafeBytes { read($0, maximumDepth: maximumDepth, body) }
    }
}

extension StrictJSONDecoder {
    /// Decodes one JSON document with a hand-written ``JSONReader`` pass first, and with the
    /// strict decoder only when the reader deviates: the value and the errors are the strict
    /// decoder's (same JSONPath, same location, same message), the common case costs one
    /// forward scan.
    ///
    /// `body` must accept only documents that decode to `T` and return the value the strict
    /// decoder would (unknown keys and repeated keys are deviations; `null` for an optional
    /// property is `nil`).
    /// - Parameters:
    ///   - type: The type to decode; its `Decodable` conformance is the reference.
    ///   - bytes: The document, UTF-8.
    ///   - source: The document's name in error locations.
    ///   - body: The fast reading of the document's one value.
    /// - Returns: The decoded value.
    /// - Throws: As ``decode(_:from:source:)-(_,Data,_)`` when the reader deviates and the
    ///   document does not decode.
    /// - Complexity: O(n) in the document's size.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], source: String = "input",
                                     reading body: (inout JSONReader) throws(JSONReader.Deviation) -> T) throws(AttuneCoreError) -> T {
        if let value = JSONReader.read(bytes, body) { return value }
        return try decode(type, from: Data(bytes), source: source)
    }
}
