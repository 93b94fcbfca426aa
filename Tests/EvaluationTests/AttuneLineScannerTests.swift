import AttuneCore
import Foundation
import Testing
@testable import Evaluation

/// The fast path of Attune's log reader against the general JSON parser: the same columns on
/// a varied generated log, the same errors (line, field and message) on malformed lines.
@Suite struct AttuneLineScannerTests {
    // MARK: - A varied log

    /// Lines of every shape the fast path reads, and a few it leaves to the general parser
    /// (escapes, `{"id": …}` candidates, duplicated keys, deep nesting), with unusual spacing,
    /// exponents, unicode and CRLF endings.
    static func variedLog(lines: Int, seed: UInt64) -> (text: String, leftToGeneralParser: Set<Int>) {
        var g = SeededGenerator(seed: seed)
        var out: [String] = []
        var general = Set<Int>()
        let spaces = ["", " ", "  ", "\t", " \t "]
        func space() -> String { spaces[Int(g.nextUniform() * Double(spaces.count))] }
        // Probabilities keep at least 9 significant digits (they must sum to 1 within 1e-6).
        func number(_ v: Double, precise: Bool = false) -> String {
            switch Int(g.nextUniform() * 6) {
            case 0: return String(format: "%.9g", v)
            case 1: return String(format: "%.17g", v)
            case 2: return String(format: precise ? "%.12e" : "%.6e", v)
            case 3: return String(format: precise ? "%.12E" : "%.3E", v)
            case 4: return String(v)
            default: return v == 0 ? "-0" : String(format: "%.12f", v)
            }
        }
        func array(_ texts: [String]) -> String {
            "[" + space() + texts.joined(separator: space() + "," + space()) + space() + "]"
        }
        let segments = [#""café""#, #""東京""#, #""🚀 launch""#, "7", "2.5", "null", #""""#]
        for i in 1...lines {
            let k = 3
            var p = (0..<k).map { _ in 0.05 + g.nextUniform() }
            let total = p.reduce(0, +)
            p = p.map { $0 / total }
            p[k - 1] = 1 - p[0] - p[1]
            var t = (0..<k).map { _ in g.nextUniform() + 0.01 }
            let tt = t.reduce(0, +)
            t = t.map { $0 / tt }
            t[k - 1] = 1 - t[0] - t[1]
            let a = Int(g.nextUniform() * Double(k))
            let context = (0..<4).map { _ in (g.nextUniform() - 0.5) * pow(10, Double(Int(g.nextUniform() * 12) - 6)) }
            let pTexts = p.map { number($0, precise: true) }
            var fields: [(String, String)] = [
                ("context", array(context.map { number($0) })),
                ("action", String(a)),
                ("propensity", pTexts[a]),
                ("probabilities", array(pTexts)),
            ]
            let shape = Int(g.nextUniform() * 10)
            if shape != 0 { fields.append(("reward", g.nextUniform() < 0.1 ? "null" : number(Double(Int(g.nextUniform() * 3)) / 2))) }
            if g.nextUniform() < 0.7 { fields.append(("target_probabilities", array(t.map { number($0, precise: true) }))) } else if g.nextUniform() < 0.3 {
                fields.append(("target_probabilities", "null"))
            }
            if g.nextUniform() < 0.5 { fields.append(("segment", segments[Int(g.nextUniform() * Double(segments.count))])) }
            if g.nextUniform() < 0.5 { fields.append(("event_id", g.nextUniform() < 0.5 ? #""ev-\#(i)-ü""# : String(i))) }
            if g.nextUniform() < 0.3 { fields.append(("timestamp", #""2026-11-26T10:00:00Z""#)) }
            if g.nextUniform() < 0.3 { fields.append(("model_version", g.nextUniform() < 0.5 ? "3" : #""v3""#)) }
            if g.nextUniform() < 0.3 {
                fields.append(("extra", #"{"nested": [1, 2.5e3, {"deep": [true, false, null]}], "s": "ø"}"#))
            }
            if g.nextUniform() < 0.2 { fields.append(("actions", #"["red", "green", "blue"]"#)) }
            if g.nextUniform() < 0.1 {
                // Candidates by id: the chosen one named by its id.
                fields.removeAll { $0.0 == "actions" || $0.0 == "action" }
                fields.append(("actions", #"["x", 20, "z"]"#))
                fields.append(("action", ["\"x\"", "\"20\"", "\"z\""][a]))
            }
            // Shapes left to the general parser.
            switch Int(g.nextUniform() * 40) {
            case 0: fields.append(("note", #""line \"quoted\" \u00e9""#)); general.insert(i)
            case 1: fields.removeAll { $0.0 == "actions" || $0.0 == "action" }
                fields.append(("actions", #"[{"id": "red"}, {"id": "green"}, {"id": "blue"}]"#))
                fields.append(("action", String(a)))
                general.insert(i)
            case 2:  // a repeated key (the last one wins)
                if fields.contains(where: { $0.0 == "reward" }) { general.insert(i) }
                fields.append(("reward", "1"))
            case 3: fields.append(("deep", String(repeating: "[", count: 20) + String(repeating: "]", count: 20))); general.insert(i)
            case 4: fields.append(("segment", #""tab\tbed""#)); general.insert(i)
            default: break
            }
            for _ in 0..<fields.count where g.nextUniform() < 0.3 {
                let x = Int(g.nextUniform() * Double(fields.count)), y = Int(g.nextUniform() * Double(fields.count))
                fields.swapAt(x, y)
            }
            let body = fields.map { space() + "\"\($0.0)\"" + space() + ":" + space() + $0.1 }.joined(separator: space() + ",")
            var line = space() + "{" + body + space() + "}" + space()
            if i % 11 == 0 { line += "\r" }
            out.append(line)
            if i % 97 == 0 { out.append(space()) }  // blank lines
        }
        return (out.joined(separator: "\n") + "\n", general)
    }

    @Test func fastReaderGivesTheGeneralReadersColumns() throws {
        let (text, leftToGeneral) = Self.variedLog(lines: 2500, seed: 41)
        let fast = try DecisionLog.parse(text, format: .attune, source: "v", defaultCandidateCount: nil, parsing: .fast)
        let general = try DecisionLog.parse(text, format: .attune, source: "v", defaultCandidateCount: nil, parsing: .general)
        #expect(fast == general)
        #expect(fast.contexts.map(\.bitPattern) == general.contexts.map(\.bitPattern))
        #expect(fast.count > 2000)
        #expect(fast.unjoinedCount > 0)
        #expect(Set(fast.segments.compactMap { $0 }) == ["café", "東京", "🚀 launch", "7", "2.5", "", "tab\tbed"])

        // The same file read in parallel pieces, with chunks small enough that lines straddle them.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-scan-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for (threads, chunk) in [(1, 1 << 20), (2, 4096), (4, 300)] {
            var read = try DecisionLog.read(path: path, format: .attune, defaultCandidateCount: nil, parsing: .fast,
                                            threads: threads, chunkBytes: chunk)
            read.source = "v"
            #expect(read == general, "threads \(threads), chunk \(chunk)")
        }

        // Line by line, with event ids: the fast path took every usual line and gave the same round.
        var fastReader = AttuneLogReader(source: "v", parsing: .fast)
        var generalReader = AttuneLogReader(source: "v", parsing: .general)
        var scanned = 0
        var number = 0
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var bytes = Array(line)
            if bytes.last == 0x0D { bytes.removeLast() }
            bytes.append(0)
            let count = bytes.count - 1
            let (fastRound, generalRound, tookFastPath) = try bytes.withUnsafeBufferPointer {
                b throws(EvaluationError) -> (LoggedRound?, LoggedRound?, Bool) in
                let view = UnsafeBufferPointer(rebasing: b[0..<count])
                var columns = AttuneLineScanner.Columns()
                let took = !AttuneLogReader.isBlank(view) && AttuneLineScanner.scan(view, into: &columns) != nil
                return (try fastReader.round(from: view, line: number), try generalReader.round(from: view, line: number), took)
            }
            #expect(fastRound == generalRound, "line \(number)")
            if tookFastPath { scanned += 1 }
        }
        #expect(scanned == fast.count + fast.unjoinedCount - leftToGeneral.count)
    }

    // MARK: - Malformed lines

    /// Lines the reader must refuse; the fast path leaves each to the general parser, so the
    /// error (line, field, message) is the same as before it existed.
    static let malformedLines: [(line: String, field: String)] = [
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]"#, ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],}"#, ""),
        (#"{"context":[01],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[1.],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[1e],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[-],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":tru,"probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":NaN,"probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]} x"#, ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"segment":"a\qb","probabilities":[0.5,0.5]}"#, ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"segment":"unterminated,"probabilities":[0.5,0.5]}"#, ""),
        ("{\"context\":[1],\"action\":0,\"propensity\":0.5,\"reward\":1,\"segment\":\"a\u{01}b\",\"probabilities\":[0.5,0.5]}", ""),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"x":"#
            + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}", ""),
        (#"[1, 2]"#, ""),
        (#"{"context":[1],"action":0,"propensity":"0.5","reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":null,"reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":0,"reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":true,"probabilities":[0.5,0.5]}"#, "reward"),
        (#"{"context":[1,"x"],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context[1]"),
        (#"{"context":[1],"action":0.5,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"action":false,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"segment":[1],"probabilities":[0.5,0.5]}"#, "segment"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"event_id":{},"probabilities":[0.5,0.5]}"#, "event_id"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"timestamp":true,"probabilities":[0.5,0.5]}"#, "timestamp"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"actions":["a",true]}"#, "actions[1]"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":{"a":1}}"#, "probabilities"),
        (#"{"context":[1],"features":{"a":1},"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "features"),
        (#"{"context":null,"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context"),
        (#"{"context":[1],"action":0,"propensity":0,"reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":1.5,"reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":0.4,"reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1e999,"probabilities":[0.5,0.5]}"#, "reward"),
        (#"{"context":[1e400],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context[0]"),
        (#"{"context":[1],"action":2,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"action":"c","propensity":0.5,"reward":1,"actions":["a","b"]}"#, "action"),
        (#"{"context":[1],"action":"a","propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"actions":["a","a"]}"#, "actions"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"actions":[]}"#, "actions"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1}"#, "actions"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.6]}"#, "probabilities"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,-0.5,1]}"#, "probabilities[1]"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[1]}"#, "target_probabilities"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[0.7,0.7]}"#, "target_probabilities"),
        (#"{"context":[1, 2],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context"),
    ]

    @Test(arguments: malformedLines)
    func malformedLineGivesTheGeneralParsersError(line: String, field: String) throws {
        // Line 1 is good and blank line 2 is skipped, so the bad line is line 3.
        let text = #"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"# + "\n \n" + line + "\n"
        func error(_ parsing: LineParsing) -> EvaluationError? {
            do {
                _ = try DecisionLog.parse(text, format: .attune, source: "m.jsonl", defaultCandidateCount: nil, parsing: parsing)
                return nil
            } catch {
                return error
            }
        }
        let general = try #require(error(.general))
        guard case .badLine(let source, let number, let f, _) = general else {
            Issue.record("expected badLine, got \(general)")
            return
        }
        #expect(source == "m.jsonl" && number == 3 && f == field)
        #expect(error(.fast) == general)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-bad-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try DecisionLog.read(path: path, format: .attune, defaultCandidateCount: nil, parsing: .fast, threads: 2, chunkBytes: 64)
        } throws: { thrown in
            guard case .badLine(_, let l, let f2, let reason) = thrown as? EvaluationError,
                  case .badLine(_, _, _, let expected) = general else { return false }
            return l == 3 && f2 == field && reason == expected
        }
    }

    @Test func aLineLongerThanTheChunkGrowsTheBuffer() throws {
        let long = (0..<500).map { String(Double($0) / 7) }.joined(separator: ",")
        let text = #"{"context":[\#(long)],"action":1,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"# + "\n"
            + #"{"context":[\#(long)],"action":0,"propensity":0.5,"reward":0,"probabilities":[0.5,0.5]}"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-long-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let log = try DecisionLog.read(path: path, format: .attune, defaultCandidateCount: nil, parsing: .fast, threads: 2, chunkBytes: 100)
        #expect(log.count == 2)
        #expect(log.contextDimension == 500)
        #expect(log.contexts[499] == 499.0 / 7)
        #expect(log.lineNumbers == [1, 2])
    }
}
