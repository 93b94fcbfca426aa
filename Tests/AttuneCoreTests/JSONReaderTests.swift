import AttuneCore
import Foundation
import Testing

/// A document shape with every kind the reader reads: strings, numbers, integers, booleans,
/// optionals, arrays and a free-keyed object.
private struct Sample: Codable, Equatable {
    var id: String
    var values: [Double]
    var count: Int?
    var flag: Bool?
    var tags: [String]?
    var weights: [String: Double]?

    static func read(_ reader: inout JSONReader) throws(JSONReader.Deviation) -> Sample {
        var id: String?, values: [Double]?, count: Int?, flag: Bool?, tags: [String]?, weights: [String: Double]?
        var seen = Set<String>()
        try reader.readObject { reader, key throws(JSONReader.Deviation) in
            guard let name = key.string, seen.insert(name).inserted else { throw JSONReader.Deviation() }
            if key == "id" {
                id = try reader.readString()
            } else if key == "values" {
                var v: [Double] = []
                try reader.readDoubles(into: &v)
                values = v
            } else if key == "count" {
                count = try reader.readNull() ? nil : reader.readInt()
            } else if key == "flag" {
                flag = try reader.readNull() ? nil : reader.readBool()
            } else if key == "tags" {
                tags = try reader.readNull() ? nil : reader.readStrings()
            } else if key == "weights" {
                if try !reader.readNull() {
                    var w: [String: Double] = [:]
                    try reader.readObject { reader, key throws(JSONReader.Deviation) in
                        guard let name = key.string else { throw JSONReader.Deviation() }
                        guard w.updateValue(try reader.readDouble(), forKey: name) == nil else { throw JSONReader.Deviation() }
                    }
                    weights = w
                }
            } else {
                throw JSONReader.Deviation()
            }
        }
        guard let id, let values else { throw JSONReader.Deviation() }
        return Sample(id: id, values: values, count: count, flag: flag, tags: tags, weights: weights)
    }
}

private func strictError(_ bytes: [UInt8]) -> AttuneCoreError? {
    failure { try StrictJSONDecoder().decode(Sample.self, from: Data(bytes), source: "body") }
}

private func combinedError(_ bytes: [UInt8]) -> AttuneCoreError? {
    failure { try StrictJSONDecoder().decode(Sample.self, from: bytes, source: "body", reading: Sample.read) }
}

// Outside the test macros: the compiler does not lower typed-throws closures inside them.
private func readSample(_ bytes: [UInt8]) -> Sample? { JSONReader.read(bytes, Sample.read) }
private func readDouble(_ text: String) -> Double? {
    JSONReader.read(Array(text.utf8)) { reader throws(JSONReader.Deviation) in try reader.readDouble() }
}
private func readInt(_ text: String) -> Int? {
    JSONReader.read(Array(text.utf8)) { reader throws(JSONReader.Deviation) in try reader.readInt() }
}

@Suite struct JSONReaderTests {
    static let malformedTexts: [String] = [
        "", " ", "{", "}", "[]", "null", #"{"id": "a", "values": [1, 2,]}"#, #"{"id": "a", "values": [1],}"#,
        #"{"id": "a", "values": [1]} x"#, #"{"id": "a", "values": [1]}{}"#, #"{"id": "a", "id": "b", "values": []}"#,
        #"{"id": "a", "values": [NaN]}"#, #"{"id": "a", "values": [01]}"#, #"{"id": "a", "values": [1.]}"#,
        #"{"id": "a", "values": [.5]}"#, #"{"id": "a", "values": [1e]}"#, #"{"id": "a", "values": [-]}"#,
        #"{"id": "a", "values": [+1]}"#, #"{"id": "a", "values": [1e400]}"#, #"{"id": "a", "values": ["1"]}"#,
        #"{"id": "a", "values": [null]}"#, #"{"id": "a", "values": null}"#, #"{"id": 7, "values": []}"#,
        #"{"values": []}"#, #"{"id": "a"}"#, #"{"id": "a", "values": [], "count": 2.5}"#,
        #"{"id": "a", "values": [], "count": "2"}"#, #"{"id": "a", "values": [], "count": 99999999999999999999}"#,
        #"{"id": "a", "values": [], "flag": tru}"#, #"{"id": "a", "values": [], "flag": 1}"#,
        #"{"id": "a", "values": [], "tags": ["x", 1]}"#, #"{"id": "a", "values": [], "weights": {"x": 1, "x": 2}}"#,
        #"{"id": "a", "values": [], "weights": {"x": "1"}}"#, #"{"id": "a", "values": [], "extra": 1}"#,
        #"{"id": "a", "valuess": []}"#, #"{"id": "a" "values": []}"#, #"{"id" "a", "values": []}"#, #"{id: "a", "values": []}"#,
        #"{"id": "a", "values": [1 2]}"#, #"{"id": "\x", "values": []}"#, #"{"id": "\u12", "values": []}"#,
        #"{"id": "\ud800", "values": []}"#, #"{"id": "a", "values": [[1]]}"#, #"{"id": "a", "values": []"#,
    ]

    static func spliced(_ head: String, _ bytes: [UInt8], _ tail: String) -> [UInt8] {
        var body: [UInt8] = Array(head.utf8)
        body.append(contentsOf: bytes)
        body.append(contentsOf: Array(tail.utf8))
        return body
    }

    static let rawBodies: [[UInt8]] = [
        spliced(#"{"id": "a"#, [0x09], #"b", "values": []}"#),   // raw tab in a string
        spliced(#"{"id": ""#, [0xFF, 0xFE], #"", "values": []}"#),  // invalid UTF-8
        spliced(#"{"id": ""#, [0xC3], #"", "values": []}"#),        // truncated sequence
    ]

    static let malformed: [[UInt8]] = malformedTexts.map { Array($0.utf8) } + rawBodies

    @Test(arguments: malformed)
    func malformedDocumentsFailWithTheStrictDecodersError(body: [UInt8]) {
        let strict = strictError(body)
        #expect(strict != nil)
        #expect(combinedError(body) == strict)
        let read = readSample(body)
        #expect(read == nil, "the reader accepted \(String(decoding: body, as: UTF8.self))")
    }

    static let valid: [String] = [
        #"{"id": "a", "values": [0.5, -1, 2e-3, 0, -0.0, 1E+2, 123456789012345, 0.1]}"#,
        " \n\t{ \"id\" : \"a\" ,\r\n \"values\" : [ ] } \n",
        #"{"values": [1], "id": "é😀 – ok", "count": -42, "flag": false, "tags": ["x", ""], "weights": {"a b": 1.25, "c": -3}}"#,
        #"{"id": "a", "values": [], "count": null, "flag": null, "tags": null, "weights": null}"#,
        #"{"id": "a", "values": [], "count": 0, "flag": true, "tags": [], "weights": {}}"#,
        #"{"id": "a", "values": [-0, 9007199254740993, 1.7976931348623157e308, 4.9e-324, 2.2250738585072011e-308]}"#,
        #"{"id": "a", "values": [0.123456789012345678901234567890, 123456789012345678901234567890]}"#,
        "\u{FEFF}{\"id\": \"bom\", \"values\": [1]}",
    ]

    @Test(arguments: valid)
    func validDocumentsReadAsTheStrictDecoderDecodesThem(text: String) throws {
        let body = Array(text.utf8)
        let strict = try StrictJSONDecoder().decode(Sample.self, from: Data(body), source: "body")
        let read = readSample(body)
        let fast = try #require(read, "the reader deviated on \(text)")
        #expect(fast == strict)
        #expect(fast.values.map(\.bitPattern) == strict.values.map(\.bitPattern))
        let combined = try StrictJSONDecoder().decode(Sample.self, from: body, source: "body", reading: Sample.read)
        #expect(combined == strict)
    }

    /// Documents the reader leaves to the strict decoder (escapes, `3.0` for an integer):
    /// the combined decode still returns the strict value.
    @Test(arguments: [
        #"{"id": "a\"b\\c\u00e9\ud83d\ude00", "values": []}"#,
        #"{"id": "a", "values": [], "count": 3.0}"#,
        #"{"id": "a", "values": [], "count": 1e3}"#,
        #"{"id": "a", "values": [], "weights": {"x\ny": 1}}"#,
    ])
    func documentsTheReaderLeavesDecodeStrictly(text: String) throws {
        let body = Array(text.utf8)
        let read = readSample(body)
        #expect(read == nil)
        let strict = try StrictJSONDecoder().decode(Sample.self, from: Data(body), source: "body")
        let combined = try StrictJSONDecoder().decode(Sample.self, from: body, source: "body", reading: Sample.read)
        #expect(combined == strict)
    }

    @Test func numbersConvertExactlyAsDoubleParsingDoes() throws {
        var generator = SeededGenerator(seed: 11)
        var literals: [String] = ["0", "-0", "1", "-1", "0.1", "0.3", "1e22", "1e23", "9007199254740992", "9007199254740993",
                                  "123456789012345", "1234567890123456", "0.000001234", "1e-22", "1e-23", "4.9e-324", "1e-400"]
        for _ in 0..<5_000 {
            let digits = Int.random(in: 1...20, using: &generator)
            var mantissa = String(Int.random(in: 1...9, using: &generator))
            for _ in 1..<digits { mantissa += String(Int.random(in: 0...9, using: &generator)) }
            let point = Int.random(in: 0...digits, using: &generator)
            var text = point == digits ? mantissa
                : (point == 0 ? "0." + mantissa : String(mantissa.prefix(point)) + "." + mantissa.dropFirst(point))
            if Bool.random(using: &generator) { text += "e" + String(Int.random(in: -30...30, using: &generator)) }
            if Bool.random(using: &generator) { text = "-" + text }
            literals.append(text)
        }
        for literal in literals {
            let read = readDouble(literal)
            let reference = try #require(Double(literal))
            if reference.isFinite {
                #expect(read?.bitPattern == reference.bitPattern, "\(literal): \(String(describing: read)) vs \(reference)")
            } else {
                #expect(read == nil)
            }
        }
    }

    @Test(arguments: [("0", 0), ("-0", 0), ("42", 42), ("-9", -9), ("999999999999999999", 999_999_999_999_999_999)])
    func integersRead(text: String, value: Int) {
        let read = readInt(text)
        #expect(read == value)
    }

    @Test(arguments: ["3.0", "1e3", "-", "01", "9999999999999999999", "\"3\""])
    func integersTheReaderLeaves(text: String) {
        let read = readInt(text)
        #expect(read == nil)
    }

    @Test func depthIsMeasuredAndLimited() {
        let body = Array(#"{"id": "a", "values": [1], "weights": {"x": 1}}"#.utf8)
        let two = JSONReader.read(body, maximumDepth: 2, Sample.read)
        let one = JSONReader.read(body, maximumDepth: 1, Sample.read)
        #expect(two != nil && one == nil)
    }
}
