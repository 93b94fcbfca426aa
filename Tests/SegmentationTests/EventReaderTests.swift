import Foundation
import Testing

@testable import Segmentation

@Suite("Event ingestion")
struct EventReaderTests {
    @Test("JSON line with every field and unknown nested fields")
    func fullJSONLine() throws {
        var parser = JSONLineParser()
        let line = #"{"customer_id":"c\u00e91","extra":{"a":[1,2,{"b":"}"}]},"timestamp":"2024-03-01T12:00:00+01:00","#
            + #""channel":"store","type":"purchase","value":42.5,"items":3,"category":"shoes","duration_s":1e2,"#
            + #""query":"red \"fast\" shoes","sku":"S-1","text":"great","rating":5,"discount":true,"x":null}"#
        let e = try parser.parse(line, line: 7)
        #expect(e.customerID == "cé1")
        #expect(e.timestamp == 1_709_290_800)  // 11:00:00Z
        #expect(e.channel == .store)
        #expect(e.type == .purchase)
        #expect(e.value == 42.5)
        #expect(e.quantity == 3)
        #expect(e.category == "shoes")
        #expect(e.durationSeconds == 100)
        #expect(e.query == "red \"fast\" shoes")
        #expect(e.sku == "S-1")
        #expect(e.rating == 5)
        #expect(e.discount == 1)
    }

    @Test("Numbers parse exactly like the standard library", arguments: [
        "0", "-0.5", "42.125", "1e-7", "123456789012345678", "0.1", "3.14159265358979323846", "2.5E+3", "9007199254740993",
    ])
    func numbers(text: String) {
        let parsed = Array(text.utf8).withUnsafeBufferPointer { NumberParser.parse($0) }
        #expect(parsed == Double(text))
    }

    @Test("Timestamps: ISO 8601 forms and epoch numbers agree", arguments: [
        ("2024-03-01T12:34:56Z", 1_709_296_496.0),
        ("2024-03-01 12:34:56", 1_709_296_496.0),
        ("2024-03-01T14:34:56+02:00", 1_709_296_496.0),
        ("2024-03-01T07:04:56-0530", 1_709_296_496.0),
        ("2024-03-01T12:34:56.25Z", 1_709_296_496.25),
        ("2024-03-01", 1_709_251_200.0),
        ("1709296496", 1_709_296_496.0),
        ("1709296496250", 1_709_296_496.25),
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T00:00:00Z", 951_782_400),
    ])
    func timestamps(text: String, expected: Double) {
        #expect(Timestamp.parse(text) == expected)
    }

    @Test("Calendar arithmetic matches Foundation on many dates")
    func calendarAgainstFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for (y, m, d) in [(1970, 1, 1), (1999, 12, 31), (2000, 3, 1), (2024, 2, 29), (2100, 3, 1), (1900, 2, 28), (2038, 1, 19)] {
            let date = try #require(calendar.date(from: DateComponents(year: y, month: m, day: d)))
            #expect(Double(Timestamp.daysFromCivil(year: y, month: m, day: d)) * 86_400 == date.timeIntervalSince1970)
        }
    }

    @Test("Bad events give the documented errors", arguments: [
        (#"{"timestamp":1,"type":"click"}"#, "customer_id"),
        (#"{"customer_id":"","timestamp":1,"type":"click"}"#, "customer_id"),
        (#"{"customer_id":"a","timestamp":"yesterday","type":"click"}"#, "timestamp"),
        (#"{"customer_id":"a","timestamp":"2024-02-30","type":"click"}"#, "timestamp"),
        (#"{"customer_id":"a","type":"click"}"#, "timestamp"),
        (#"{"customer_id":"a","timestamp":1}"#, "type"),
        (#"{"customer_id":"a","timestamp":1,"type":"purchase","value":-3}"#, "value"),
        (#"{"customer_id":"a","timestamp":1,"type":"purchase","quantity":-1}"#, "quantity"),
        (#"{"customer_id":"a","timestamp":1,"type":"purchase","value":NaN}"#, "value"),
        (#"{"customer_id":"a","timestamp":1,"type":"purchase","value":"abc"}"#, "value"),
        (#"{"customer_id":"a","timestamp":1,"type":"purchase","value":[1]}"#, "value"),
    ])
    func badJSONEvents(line: String, field: String) {
        var parser = JSONLineParser()
        do {
            _ = try parser.parse(line, line: 3)
            Issue.record("accepted \(line)")
        } catch {
            guard case .malformedEvent(let problem) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(problem.line == 3)
            #expect(problem.field == field)
        }
    }

    @Test("Malformed JSON syntax is rejected", arguments: [
        #"{"customer_id":"a","timestamp":1,"type":"click""#,
        #"{"customer_id":"a" "timestamp":1,"type":"click"}"#,
        #"{"customer_id":"a","timestamp":1,"type":"click"} x"#,
        #"["customer_id"]"#,
        #"{"customer_id":"a\q","timestamp":1,"type":"click"}"#,
        #"{"customer_id":"a","timestamp":1,"type":"click","z":tru}"#,
        #"{"customer_id":"a","timestamp":1,"type":"click","z":{"k" 1}}"#,
    ])
    func badSyntax(line: String) {
        var parser = JSONLineParser()
        #expect(throws: SegmentationError.self) { try parser.parse(line, line: 1) }
    }

    @Test("CSV with quotes, embedded newline, unknown columns and empty cells")
    func csv() throws {
        let text = "\u{FEFF}customer_id,timestamp,type,channel,value,note,text\r\n"
            + "c1,2024-03-01T00:00:00Z,purchase,web,10.5,\"x, y\",\r\n"
            + "\n"
            + "c2,1709251200,review,app,,,\"line one\nline \"\"two\"\"\"\n"
            + "c3,1709251200,click,web,,,\n"
        let (events, report) = try EventReader(format: .csv).events(in: text)
        #expect(report.eventCount == 3)
        #expect(events.map(\.customerID) == ["c1", "c2", "c3"])
        #expect(events[0].value == 10.5)
        #expect(events[0].text == nil)
        #expect(events[1].text == "line one\nline \"two\"")
        #expect(events[1].value == nil)
        #expect(events[2].timestamp == 1_709_251_200)
    }

    @Test("CSV header without a required column is refused")
    func csvHeader() {
        #expect(throws: SegmentationError.invalidHeader(reason: "missing the required column type")) {
            try CSVLineParser(header: "customer_id,timestamp,value")
        }
    }

    @Test("Skip policy drops bad lines and lists the first ten with line numbers")
    func skipPolicy() throws {
        var lines: [String] = []
        for i in 0..<30 {
            lines.append(i % 2 == 0
                ? #"{"customer_id":"c\#(i)","timestamp":\#(i),"type":"click"}"#
                : #"{"customer_id":"c\#(i)","timestamp":"bad","type":"click"}"#)
        }
        let (events, report) = try EventReader(format: .jsonLines, onError: .skip).events(in: lines.joined(separator: "\n"))
        #expect(events.count == 15)
        #expect(report.problemCount == 15)
        #expect(report.problems.count == 10)
        #expect(report.problems.map(\.line) == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
    }

    @Test("Fail policy throws with the first problems and the total")
    func failPolicy() {
        let text = [
            #"{"customer_id":"a","timestamp":1,"type":"click"}"#,
            #"{"customer_id":"a","timestamp":1,"type":"click","value":-1}"#,
            #"not json"#,
        ].joined(separator: "\n")
        do {
            _ = try EventReader(format: .jsonLines, onError: .fail).events(in: text)
            Issue.record("did not fail")
        } catch {
            guard case .malformedEvents(let problems, let total) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(total == 2)
            #expect(problems.map(\.line) == [2, 3])
            #expect(error.description.contains("--on-error skip"))
        }
    }

    @Test("Streaming with a tiny chunk gives the same events as one big chunk")
    func chunking() throws {
        var text = ""
        for i in 0..<200 {
            text += #"{"customer_id":"customer-\#(i % 17)","timestamp":\#(1_700_000_000 + i * 3600),"type":"purchase","value":\#(Double(i) / 4),"category":"cat\#(i % 5)"}"# + "\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("segmentation-chunks-\(UInt64.random(in: 0...UInt64.max)).jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var small: [Event] = []
        var large: [Event] = []
        try EventReader(format: .jsonLines, chunkSize: 64).read(path: path) { small.append($0) }
        try EventReader(format: .jsonLines).read(path: path) { large.append($0) }
        #expect(small.count == 200)
        #expect(small == large)
        #expect(small[199].value == 49.75)
    }

    @Test("A missing file is reported with its path")
    func missingFile() {
        #expect(throws: SegmentationError.self) {
            try EventReader(format: .jsonLines).read(path: "/nonexistent/events.jsonl") { _ in }
        }
    }
}
