import AttuneCore
import Foundation
import Testing
@testable import Evaluation

@Suite struct DecisionLogReaderTests {
    // MARK: - Attune JSON Lines

    @Test func readsAttuneLinesWithIdsIndicesAndUnknownFields() throws {
        let text = """
            {"event_id":"e1","context":[0.5,1],"actions":["red","blue"],"action":"blue","propensity":0.25,"probabilities":[0.75,0.25],"reward":2,"extra":{"x":[1,2]}}
            {"event_id":7,"context":[1.5,-1],"actions":["blue","green"],"action":0,"propensity":0.5,"reward":0,"target_probabilities":[0.5,0.5],"segment":3}

            {"context":[0,0],"action":0,"propensity":1,"reward":null,"actions":["red"]}
            """
        let log = try DecisionLog.parse(text, format: .attune)
        #expect(log.count == 2)
        #expect(log.unjoinedCount == 1)
        #expect(log.actionIDs == ["red", "blue", "green"])
        #expect(log.chosenAction(0) == 1)  // "blue"
        #expect(log.chosenAction(1) == 1)  // position 0 of ["blue","green"]
        #expect(log.contexts == [0.5, 1, 1.5, -1])
        #expect(log.rewards == [2, 0])
        #expect(log.segments == [nil, "3"])
        #expect(log.lineNumbers == [1, 2])
        // Only some rounds carry each distribution: neither is kept.
        #expect(!log.hasTargetProbabilities)
        #expect(log.loggingProbabilities.isEmpty)
    }

    @Test func namedFeaturesBecomeColumnsWithZerosForAbsentOnes() throws {
        let text = """
            {"features":{"age":30,"visits":2},"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}
            {"features":{"visits":5,"spend":9.5},"action":1,"propensity":0.5,"reward":0,"probabilities":[0.5,0.5]}
            """
        let log = try DecisionLog.parse(text, format: .attune)
        #expect(log.featureNames == ["age", "visits", "spend"])
        #expect(log.contexts == [30, 2, 0, 0, 5, 9.5])
        #expect(log.loggingProbabilities == [0.5, 0.5, 0.5, 0.5])
    }

    static let badAttuneLines: [(String, String)] = [
        (#"{"context":[1],"action":0,"propensity":0,"reward":1,"probabilities":[1]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":1.5,"reward":1,"probabilities":[1]}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":"0.5","reward":1}"#, "propensity"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1e999,"probabilities":[0.5,0.5]}"#, "reward"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"target_probabilities":[0.5,0.6]}"#, "target_probabilities"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"target_probabilities":[1,0,0]}"#, "target_probabilities"),
        (#"{"context":[1],"action":0,"propensity":0.4,"reward":1,"probabilities":[0.5,0.5]}"#, "propensity"),
        (#"{"context":[1],"action":2,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"action":"zz","propensity":0.5,"reward":1,"actions":["a","b"]}"#, "action"),
        (#"{"context":[1,"x"],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context[1]"),
        (#"{"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context"),
        (#"{"context":[1],"action":0.5,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "action"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,-0.5,1]}"#, "probabilities[1]"),
        (#"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5],"#, ""),
        (#"{"context":[1, 2],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#, "context"),
    ]

    @Test(arguments: badAttuneLines)
    func badAttuneLineNamesLineAndField(line: String, field: String) {
        // The first line is good, so the bad one is line 2 (the last case breaks the dimension).
        let text = #"{"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"# + "\n" + line
        #expect {
            _ = try DecisionLog.parse(text, format: .attune, source: "t.jsonl")
        } throws: { error in
            guard case EvaluationError.badLine(let source, let l, let f, _) = error else { return false }
            return source == "t.jsonl" && l == 2 && f == field
        }
    }

    @Test func messageSaysWhereAndWhat() {
        let text = #"{"context":[1],"action":0,"propensity":0,"reward":1,"probabilities":[1]}"#
        do {
            _ = try DecisionLog.parse(text, format: .attune, source: "log.jsonl")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("log.jsonl:1: propensity:"))
            #expect(error.description.contains("(0, 1]"))
        }
    }

    // MARK: - DSJSON

    @Test func dsjsonSignOrderingAndOneBasedIndices() throws {
        // Chosen action is a[0] = 3 (1-based) → index 2; p follows a's order; cost −1 → reward 1.
        let line = #"{"_label_cost":-1,"_label_probability":0.6,"_label_Action":3,"_labelIndex":2,"a":[3,1,2],"c":{"User":{"age":31,"tier":"gold","new":true},"Loc":[0.5,2],"_multi":[{"_id":"a"},{"_id":"b"},{"_id":"c"}]},"p":[0.6,0.3,0.1],"EventId":"ev1","VWState":{"m":"x"}}"#
        let log = try DecisionLog.parse(line, format: .dsjson)
        #expect(log.rewards == [1])
        #expect(log.actionIDs == ["a", "b", "c"])
        #expect(log.chosenAction(0) == 2)
        #expect(log.propensities == [0.6])
        #expect(log.loggingProbabilities == [0.3, 0.1, 0.6])
        #expect(log.featureNames == ["User.age", "User.tier=gold", "User.new", "Loc[0]", "Loc[1]"])
        #expect(log.contexts == [31, 1, 1, 0.5, 2])
    }

    @Test func dsjsonSkipLearnAndPdrop() throws {
        let text = """
            {"_label_cost":0.5,"_label_probability":0.5,"a":[2,1],"p":[0.5,0.5],"c":{"x":1},"pdrop":0.75}
            {"_label_cost":-1,"_label_probability":0.5,"a":[1,2],"p":[0.5,0.5],"c":{"x":2},"_skipLearn":true}
            {"_label_probability":0.5,"a":[1,2],"p":[0.5,0.5],"c":{"x":3}}
            """
        let log = try DecisionLog.parse(text, format: .dsjson)
        #expect(log.count == 1)
        #expect(log.rewards == [-0.5])
        #expect(log.sampleWeights == [4])
        #expect(log.skippedCount == 1)
        #expect(log.unjoinedCount == 1)
        #expect(log.chosenAction(0) == 1)
    }

    static let badDSJSONLines: [(String, String)] = [
        (#"{"_label_cost":0,"_label_probability":0.5,"_labelIndex":0,"a":[2,1],"p":[0.5,0.5],"c":{}}"#, "_labelIndex"),
        (#"{"_label_cost":0,"_label_probability":0.5,"a":[0,1],"p":[0.5,0.5],"c":{}}"#, "a[0]"),
        (#"{"_label_cost":0,"_label_probability":0.5,"a":[1,1],"p":[0.5,0.5],"c":{}}"#, "a[1]"),
        (#"{"_label_cost":0,"_label_probability":0.5,"a":[1,2],"p":[0.5],"c":{}}"#, "p"),
        (#"{"_label_cost":0,"_label_probability":0.2,"a":[1,2],"p":[0.5,0.5],"c":{}}"#, "propensity"),
        (#"{"_label_cost":"x","_label_probability":0.5,"a":[1,2],"p":[0.5,0.5],"c":{}}"#, "_label_cost"),
        (#"{"_label_cost":0,"_label_probability":0.5,"a":[1,2],"p":[0.5,0.5],"c":{},"pdrop":1}"#, "pdrop"),
        (#"{"_label_cost":0,"_label_probability":0.5,"p":[0.5,0.5],"c":{}}"#, "a"),
    ]

    @Test(arguments: badDSJSONLines)
    func badDSJSONLineNamesField(line: String, field: String) {
        #expect {
            _ = try DecisionLog.parse(line, format: .dsjson)
        } throws: { error in
            guard case EvaluationError.badLine(_, 1, let f, _) = error else { return false }
            return f == field
        }
    }

    // MARK: - CSV

    @Test func readsCSVByColumnName() throws {
        let text = #"""
            reward,context_1,action,note,context_0,propensity,target_probability_0,target_probability_1,segment
            1,2.5,1,"a, quoted ""note""",1.5,0.5,0.25,0.75,vip
            ,0,0,x,0,0.5,1,0,
            0,3,0,y,2,0.5,1,0,
            """#
        let log = try DecisionLog.parse(text, format: .csv)
        #expect(log.count == 2)
        #expect(log.unjoinedCount == 1)
        #expect(log.contexts == [1.5, 2.5, 2, 3])
        #expect(log.targetProbabilities == [0.25, 0.75, 1, 0])
        #expect(log.chosenPositions == [1, 0])
        #expect(log.segments == ["vip", nil])
        #expect(log.lineNumbers == [2, 4])
    }

    @Test func csvBadCellNamesLineAndColumn() {
        let text = "action,propensity,reward,context_0\n0,0.5,1,1\n0,0.5,oops,1\n"
        #expect {
            _ = try DecisionLog.parse(text, format: .csv, defaultCandidateCount: 2)
        } throws: { error in
            guard case EvaluationError.badLine(_, 3, "reward", _) = error else { return false }
            return true
        }
    }

    // MARK: - Numbers

    @Test func numbersParseToTheCorrectlyRoundedDouble() throws {
        // The fast path (≤ 15 digits, |exponent| ≤ 22) and the strtod path must both give
        // exactly what Swift's correctly rounded Double(String) gives.
        var g = AttuneCore.SeededGenerator(seed: 99)
        var texts: [String] = ["0", "-0", "0.0", "1e22", "1e23", "123456789012345", "1234567890123456789012",
                               "0.000000000000000000001", "9007199254740993", "-2.5E-3", "4.9e-324", "1.7976931348623157e308"]
        for _ in 0..<3000 {
            let magnitude = Foundation.pow(10.0, Double(Int(g.nextUniform() * 40) - 20))
            let v = (g.nextUniform() - 0.5) * magnitude
            for format in ["%.3g", "%.9g", "%.15g", "%.17g", "%.6e", "%.12f"] { texts.append(String(format: format, v)) }
        }
        let line = "[" + texts.joined(separator: ",") + "]"
        var bytes = Array(line.utf8)
        bytes.append(0)
        let parsed = try bytes.withUnsafeBufferPointer { b in
            try JSONLineParser.parse(UnsafeBufferPointer(rebasing: b[0..<(b.count - 1)])).numbers("x")
        }
        for (text, value) in zip(texts, parsed) {
            #expect(value.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    // MARK: - Files

    @Test func streamsFilesAndDetectsTheFormat() throws {
        let directory = FileManager.default.temporaryDirectory
        let path = directory.appendingPathComponent("attune-eval-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        // Lines longer than nothing special, no trailing newline, CRLF endings.
        var text = ""
        for i in 0..<3000 {
            text += #"{"context":[\#(i)],"action":\#(i % 2),"propensity":0.5,"reward":\#(i % 3),"probabilities":[0.5,0.5]}"# + "\r\n"
        }
        text += #"{"context":[9],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5]}"#
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try LogFormat.detect(path: path) == .attune)
        let log = try DecisionLog.read(path: path)
        #expect(log.count == 3001)
        #expect(log.contexts[2999] == 2999)
        #expect(log.rewards.reduce(0, +) == Double((0..<3000).map { $0 % 3 }.reduce(0, +) + 1))

        let dsPath = path + ".ds.json"
        try #"{"_label_cost":-1,"_label_probability":0.5,"a":[1,2],"p":[0.5,0.5],"c":{"x":1}}"#.write(toFile: dsPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: dsPath) }
        #expect(try LogFormat.detect(path: dsPath) == .dsjson)
        #expect(throws: EvaluationError.self) { _ = try DecisionLog.read(path: path + ".missing") }
    }

    @Test func supportReportFindsActionsTheLoggerNeverTried() throws {
        let text = """
            {"context":[1],"action":0,"propensity":0.5,"reward":1,"probabilities":[0.5,0.5,0],"target_probabilities":[0,0.5,0.5]}
            {"context":[1],"action":0,"propensity":1,"reward":1,"probabilities":[1,0,0],"target_probabilities":[0.2,0.8,0]}
            """
        let log = try DecisionLog.parse(text, format: .attune)
        let report = try SupportReport(log: log, target: log.targetProbabilities)
        #expect(report.unsupportedActions == ["1", "2"])
        #expect(report.zeroTargetShare == 0.5)
        #expect(report.roundsWithUnsupportedMass == 2)
        #expect(abs((report.unsupportedTargetMass ?? 0) - (0.5 + 0.8) / 2) < 1e-12)
    }

    // MARK: - Files read in parallel batches

    @Test func aFileReadInParallelBatchesEqualsTheSequentialParse() throws {
        let n = DecisionLog.parallelPieceLines * 2 * max(defaultThreadCount(), 1) + 17
        var lines: [String] = []
        for i in 0..<n {
            let a = i % 3
            let reward = i % 7 == 0 ? "null" : "\(Double(i % 5) / 4)"
            lines.append(#"{"context":[\#(i),\#(Double(i) / 3)],"action":\#(a),"propensity":\#(a == 2 ? 0.5 : 0.25),"probabilities":[0.25,0.25,0.5],"reward":\#(reward),"segment":"s\#(i % 4)"}"#)
        }
        let text = lines.joined(separator: "\n") + "\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-parallel-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var sequential = try DecisionLog.parse(text, format: .attune, source: path)
        let parallel = try DecisionLog.read(path: path, format: .attune)
        sequential.source = parallel.source
        #expect(parallel == sequential)
        #expect(parallel.unjoinedCount == (0..<n).filter { $0 % 7 == 0 }.count)
        // Two bad lines in different batches: the first one in file order is reported.
        var bad = lines
        bad[n - 5] = #"{"context":[1,2],"action":0,"propensity":0,"probabilities":[0.25,0.25,0.5],"reward":1}"#
        bad[n - 3000] = #"{"context":[1,2],"action":9,"propensity":0.5,"probabilities":[0.25,0.25,0.5],"reward":1}"#
        try (bad.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try DecisionLog.read(path: path, format: .attune)
        } throws: { error in
            guard case .badLine(_, let line, let field, _) = error as? EvaluationError else { return false }
            return line == n - 3000 + 1 && field == "action"
        }
    }
}
