import AttuneCore
import Foundation
import Testing

@testable import Segmentation

@Suite("Ingestion fast path")
struct IngestionFastPathTests {
    /// Events of the fixture, with text that needs escapes and numeric ids mixed in.
    static func awkwardEvents(seed: UInt64) -> [Event] {
        var events = EventFixtures.events(customers: 24, seed: seed)
        for i in events.indices {
            switch i % 7 {
            case 0: events[i].category = events[i].category.map { "caf\u{e9} \"\($0)\"" }
            case 1: events[i].query = "Red \"Fast\" SHOES\\ \u{1F600} sale"
            case 2: events[i].customerID = "\(1_000 + i % 5)"
            default: break
            }
        }
        return events
    }

    /// JSON Lines with every string escaped as a JSON encoder would (`"`, `\`, non-ASCII as
    /// `\uXXXX` with surrogate pairs), numeric-looking ids as JSON numbers.
    static func escapedJSONLines(_ events: [Event]) -> String {
        func quoted(_ s: String) -> String {
            var out = "\""
            for u in s.utf16 {
                switch u {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x20..<0x7F: out += String(UnicodeScalar(UInt8(u)))
                default: out += String(format: "\\u%04x", u)
                }
            }
            return out + "\""
        }
        var text = ""
        for e in events {
            var fields = [
                "\"customer_id\":" + (Int(e.customerID) != nil ? e.customerID : quoted(e.customerID)),
                "\"timestamp\":\(e.timestamp)", "\"channel\":\(quoted(e.channel.rawValueName))", "\"type\":\(quoted(e.type.name))",
                "\"ignored\":{\"a\":[1,\"x\\\"y\",{\"b\":null}]}",
            ]
            if let v = e.value { fields.append("\"value\":\(v)") }
            if let v = e.quantity { fields.append("\"quantity\":\(v)") }
            if let v = e.category { fields.append("\"category\":\(quoted(v))") }
            if let v = e.durationSeconds { fields.append("\"duration_s\":\(v)") }
            if let v = e.query { fields.append("\"query\":\(quoted(v))") }
            if let v = e.text { fields.append("\"text\":\(quoted(v))") }
            if let v = e.rating { fields.append("\"rating\":\(v)") }
            if let v = e.discount { fields.append("\"discount\":\(v)") }
            text += "{" + fields.joined(separator: ", ") + "}\n"
        }
        return text
    }

    @Test("Reading into a table gives exactly the profiles of the Event path", arguments: [UInt64(4), 5])
    func tableEqualsEventPath(seed: UInt64) throws {
        let events = Self.awkwardEvents(seed: seed)
        let bytes = Array(Self.escapedJSONLines(events).utf8)
        var direct = ProfileTable()
        for e in events { direct.update(with: e) }
        var fast = ProfileTable()
        let report = try EventReader(format: .jsonLines).read(bytes: bytes, into: &fast)
        #expect(report.eventCount == events.count && report.problemCount == 0)
        // The Event path of the reader decodes the same strings.
        let (decoded, _) = try EventReader(format: .jsonLines).events(in: String(decoding: bytes, as: UTF8.self))
        #expect(decoded == events)
        #expect(fast.customerIDs == direct.customerIDs)
        #expect(fast.categoryCounts == direct.categoryCounts)
        let schema = try direct.makeSchema(maximumCategories: 5)
        #expect(try fast.makeSchema(maximumCategories: 5) == schema)
        let a = direct.featureMatrix(schema: schema, asOf: direct.latestTimestamp)
        let b = fast.featureMatrix(schema: schema, asOf: fast.latestTimestamp)
        #expect(a.features.elements == b.features.elements)
        // A table's profile is the standalone profile of the same events.
        for id in Set(events.map(\.customerID)).sorted().prefix(6) {
            var alone = CustomerProfile(searchBuckets: fast.searchBuckets)
            for e in events where e.customerID == id { alone.update(with: e) }
            #expect(fast.profile(of: id) == alone)
        }
        #expect(fast.profile(of: "nobody") == nil)
        // Tiny chunks: batches are handed on whenever the line buffer moves or grows.
        var chunked = ProfileTable()
        try EventReader(format: .jsonLines, chunkSize: 300).read(bytes: bytes, into: &chunked)
        #expect(chunked.customerIDs == direct.customerIDs)
        #expect(chunked.featureMatrix(schema: schema, asOf: direct.latestTimestamp).features.elements == a.features.elements)
    }

    @Test("Under the fail policy the table holds exactly the events before the first bad line")
    func failStopsAtFirstBadLine() throws {
        let events = EventFixtures.events(customers: 6, seed: 2)
        var lines = Self.escapedJSONLines(events).split(separator: "\n").map(String.init)
        let bad = 37
        lines[bad] = "{\"customer_id\":\"x\",\"timestamp\":\"soon\",\"type\":\"click\"}"
        var table = ProfileTable()
        #expect(throws: SegmentationError.self) {
            try EventReader(format: .jsonLines, onError: .fail).read(bytes: Array(lines.joined(separator: "\n").utf8), into: &table)
        }
        var expected = ProfileTable()
        for e in events.prefix(bad) { expected.update(with: e) }
        #expect(table.customerIDs == expected.customerIDs)
        let schema = try expected.makeSchema()
        #expect(table.featureMatrix(schema: schema, asOf: 1.8e9).features.elements
            == expected.featureMatrix(schema: schema, asOf: 1.8e9).features.elements)
    }

    @Test("CSV read into a table equals the Event path")
    func csvIntoTable() throws {
        let csv = #"""
            customer_id,timestamp,type,channel,category,query,value
            a,2024-03-01T10:00:00Z,purchase,web,"shoes, ""red""",,19.90
            b,2024-03-01T11:00:00Z,search,app,,"red ""fast"" shoes",
            a,2024-03-02T10:00:00Z,page_view,web,"shoes, ""red""",,

            """#
        let reader = EventReader(format: .csv)
        var fast = ProfileTable()
        try reader.read(bytes: Array(csv.utf8), into: &fast)
        var direct = ProfileTable()
        try reader.read(bytes: Array(csv.utf8)) { direct.update(with: $0) }
        #expect(fast.categoryCounts == ["shoes, \"red\"": 2])
        let schema = try direct.makeSchema()
        #expect(fast.featureMatrix(schema: schema, asOf: 1_709_400_000).features.elements
            == direct.featureMatrix(schema: schema, asOf: 1_709_400_000).features.elements)
    }

    @Test("Byte-keyed interning and pair counters agree with dictionaries")
    func tablesAgainstDictionaries() {
        var rng = SeededGenerator(seed: 11)
        var table = ByteKeyTable()
        var reference: [[UInt8]: Int] = [:]
        for _ in 0..<5_000 {
            // Short keys from a small alphabet collide in prefixes and lengths often.
            let length = Int(rng.nextUniform() * 20)
            let key = (0..<length).map { _ in UInt8(97 + Int(rng.nextUniform() * 3)) }
            let (id, inserted) = key.withUnsafeBufferPointer { table.insert($0) }
            if let known = reference[key] {
                #expect(id == known && !inserted)
            } else {
                #expect(id == reference.count && inserted)
                reference[key] = id
            }
        }
        #expect(table.count == reference.count)
        for (key, id) in reference {
            #expect(key.withUnsafeBufferPointer { table.id(of: $0) } == id)
            #expect(table.string(id) == String(decoding: key, as: UTF8.self))
        }
        #expect([UInt8]("zz".utf8).withUnsafeBufferPointer { table.id(of: $0) } == nil)

        var pairs = PairCountTable()
        var counts: [[Int]: Int] = [:]
        for _ in 0..<20_000 {
            let a = Int(rng.nextUniform() * 300), b = Int(rng.nextUniform() * 40)
            pairs.increment(a, b)
            counts[[a, b], default: 0] += 1
        }
        #expect(pairs.count == counts.count)
        for a in 0..<300 {
            for b in 0..<40 { #expect(pairs.value(a, b) == counts[[a, b]] ?? 0) }
        }
    }

    /// The lexicon scorer written the obvious way: split, lowercase, look words up.
    static func naiveSentiment(_ text: String) -> Double {
        var words: [String] = []
        var current = ""
        for b in text.utf8 {
            let c = (65...90).contains(b) ? b + 32 : b
            if (97...122).contains(c) || (48...57).contains(c) || c == 39 {
                if current.utf8.count < 64 { current.append(Character(UnicodeScalar(c))) }
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var signed = 0.0, total = 0.0, window = 0
        for w in words {
            if TextFeatures.negations.contains(w) {
                window = 2
                continue
            }
            if let weight = TextFeatures.lexicon[w] {
                signed += window > 0 ? -weight : weight
                total += abs(weight)
            }
            if window > 0 { window -= 1 }
        }
        return total > 0 ? signed / total : 0
    }

    @Test("Sentiment on packed bytes equals the naive word-list scorer")
    func sentimentAgainstNaive() {
        var rng = SeededGenerator(seed: 5)
        let vocabulary = Array(TextFeatures.lexicon.keys) + Array(TextFeatures.negations)
            + ["the", "parcel", "GREAT", "Not", "goodgoodgoodgoodgood", "disappointingly", "excellent's", "café", "x"]
        let separators = [" ", ", ", "! ", "...", "\n", " – ", "?"]
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<(1 + Int(rng.nextUniform() * 12)) {
                text += vocabulary[Int(rng.nextUniform() * Double(vocabulary.count)) % vocabulary.count]
                text += separators[Int(rng.nextUniform() * Double(separators.count)) % separators.count]
            }
            #expect(TextFeatures.sentiment(text) == Self.naiveSentiment(text), "\(text)")
        }
    }

    @Test("The table-driven hour encoding matches sin and cos")
    func cyclicalAgainstLibm() {
        var rng = SeededGenerator(seed: 8)
        for k in 0..<5_000 {
            var t = (rng.nextUniform() * 2 - 0.2) * 2e9
            if k % 2 == 0 { t = t.rounded(.down) }
            let c = CustomerProfile.cyclical(t)
            let d = (t / 86_400).rounded(.down)
            let hour = (t - d * 86_400) / 3_600
            var dow = (Int(d) + 3) % 7
            if dow < 0 { dow += 7 }
            #expect(abs(c.hourSin - sin(2 * Double.pi * hour / 24)) < 1e-12)
            #expect(abs(c.hourCos - cos(2 * Double.pi * hour / 24)) < 1e-12)
            #expect(abs(c.dowSin - sin(2 * Double.pi * Double(dow) / 7)) < 1e-15)
            #expect(abs(c.dowCos - cos(2 * Double.pi * Double(dow) / 7)) < 1e-15)
        }
    }

    @Test("Numbers: the integer shortcut and the general parser agree", arguments: [
        "0", "-0", "7", "1717200000", "123456789012345", "1234567890123456", "-42", "007", "12.5", "1e3", "-3",
    ])
    func integerShortcut(text: String) throws {
        var parser = JSONLineParser()
        let line = "{\"customer_id\":\"a\",\"timestamp\":1,\"type\":\"review\",\"rating\":\(text)}"
        let event = try parser.parse(line, line: 1)
        #expect(event.rating == Double(text))
    }
}

@Suite("Ingestion dry run")
struct IngestionDryRunTests {
    @Test("check counts the events and lists the problems like a read, keeping nothing")
    func check() throws {
        let lines = [
            #"{"customer_id":"a","timestamp":1,"type":"click"}"#, #"{"customer_id":"a","timestamp":"later","type":"click"}"#,
            "", #"{"customer_id":"b","timestamp":2,"type":"purchase","value":-1}"#, #"{"customer_id":"b","timestamp":3,"type":"review"}"#,
        ]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-check-\(getpid()).jsonl")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let report = try EventReader(format: .jsonLines, onError: .skip).check(path: url.path)
        #expect(report.eventCount == 2 && report.problemCount == 2)
        #expect(report.problems.map(\.line) == [2, 4])
        #expect(throws: SegmentationError.self) { try EventReader(format: .jsonLines, onError: .fail).check(path: url.path) }
    }
}
