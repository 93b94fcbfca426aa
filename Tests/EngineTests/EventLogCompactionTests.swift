import AttuneCore
import Dispatch
@testable import Engine
import Foundation
import Segmentation
import Synchronization
import Testing

@Suite("Customer event log compaction")
struct EventLogCompactionTests {
    /// One page view of `customer` at `start + step` seconds.
    static func line(_ customer: String, step: Int) -> String {
        #"{"customer_id":"\#(customer)","timestamp":\#(Int(CustomerFixtures.start) + step),"channel":"web","type":"page_view","duration_s":\#(step % 50 + 1)}"#
    }

    /// `line` as the log keeps it: with the server's receive time as a last key.
    static func logged(_ line: String, receivedAt: Double) -> String {
        String(line.dropLast()) + #","received_at":\#(receivedAt)}"#
    }

    /// Every held customer's profile.
    static func profiles(_ customers: CustomerSegments) -> [String: CustomerProfile] {
        customers.state.withLock { live in
            var result: [String: CustomerProfile] = [:]
            var ids: [String] = []
            for i in 0..<1_000 { ids.append("c\(i)") }
            for id in ids { if let p = live.segmenter.profile(of: id) { result[id] = p } }
            return result
        }
    }

    static func lineCount(_ path: String) throws -> Int {
        try Data(contentsOf: URL(fileURLWithPath: path)).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// Customers come back after being evicted (a cap of 20 among 60): after each of several
    /// compactions the log holds exactly the current profiles' events, in order, and it
    /// replays to exactly the profiles held.
    @Test(arguments: [UInt64(3), 11])
    func theCompactedLogReplaysToTheProfilesHeld(seed: UInt64) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        let limits = try CustomerSegments.Limits(maxCustomers: 20)
        var rng = SeededGenerator(seed: seed)
        let customers = try CustomerSegments(model: model, eventLog: path, limits: limits)
        var current: [String: [String]] = [:]   // each customer's lines since its profile began
        var step = 0
        for round in 0..<4 {
            for _ in 0..<400 {
                let id = "c\(Int(rng.nextUniform() * 60))"
                if customers.segment(of: id) == nil { current[id] = [] }
                let line = Self.line(id, step: step)
                step += 1
                _ = try customers.ingest(jsonLines: Array(line.utf8), now: CustomerFixtures.start)
                current[id, default: []].append(Self.logged(line, receivedAt: CustomerFixtures.start))
            }
            let held = Self.profiles(customers)
            #expect(held.count == 20)
            let before = customers.eventLogBytes
            let report = try #require(try customers.compactEventLog())
            let expected = Set(held.keys.flatMap { current[$0, default: []] })
            let logged = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(Set(logged) == expected && logged.count == expected.count, "round \(round)")
            // In order: steps increase along the log.
            #expect(logged == logged.sorted { Self.step(of: $0) < Self.step(of: $1) })
            #expect(report.linesKept == expected.count && report.bytesBefore == before && customers.eventLogBytes == report.bytesAfter)
        }
        #expect(customers.evictedProfiles > 300)
        let replayed = try CustomerSegments(model: model, eventLog: path, limits: limits)
        #expect(Self.profiles(replayed) == Self.profiles(customers))
    }

    static func step(of line: String) -> Int {
        let digits = line.split(separator: ",")[1].filter(\.isNumber)
        return (Int(digits) ?? 0) - Int(CustomerFixtures.start)
    }

    /// Four threads append while the log is compacted over and over: every acknowledged event
    /// is in the log once, and a restart rebuilds the same profiles.
    @Test func eventsAppendedDuringACompactionAreKept() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        let customers = try CustomerSegments(model: model, eventLog: path)
        let failures = Atomic<Int>(0)
        let writersDone = Atomic<Int>(0)
        let group = DispatchGroup()
        for writer in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                for step in 0..<600 {
                    let body = (0..<3).map { Self.line("c\(writer * 100 + step % 25)", step: step * 3 + $0) }.joined(separator: "\n")
                    if (try? customers.ingest(jsonLines: Array(body.utf8), now: CustomerFixtures.start)) == nil { failures.add(1, ordering: .relaxed) }
                }
                writersDone.add(1, ordering: .relaxed)
                group.leave()
            }
        }
        var compactions = 0
        while writersDone.load(ordering: .relaxed) < 4 {
            if try customers.compactEventLog() != nil { compactions += 1 }
        }
        group.wait()
        #expect(failures.load(ordering: .relaxed) == 0 && compactions >= 2)
        #expect(try Self.lineCount(path) == 4 * 600 * 3)
        let replayed = try CustomerSegments(model: model, eventLog: path)
        #expect(replayed.replayedEvents == 4 * 600 * 3)
        #expect(Self.profiles(replayed) == Self.profiles(customers))
        #expect(!FileManager.default.fileExists(atPath: path + CustomerSegments.compactionSuffix))
    }

    /// With a small threshold the log compacts itself in the background and stays bounded.
    @Test func theLogCompactsItselfWhenItGrows() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        let limits = try CustomerSegments.Limits(maxCustomers: 5, logCompactionBytes: 8_192)
        let customers = try CustomerSegments(model: model, eventLog: path, limits: limits)
        for step in 0..<3_000 {
            _ = try customers.ingest(jsonLines: Array(Self.line("c\(step % 97)", step: step).utf8), now: CustomerFixtures.start)
        }
        // The last background compaction may still run: wait for it.
        let deadline = Date().addingTimeInterval(10)
        while customers.compacting.load(ordering: .relaxed) && Date() < deadline { usleep(1_000) }
        #expect(customers.eventLogCompactions >= 5 && customers.eventLogCompactionFailure == nil)
        // 3,000 events of about 130 bytes, but only five customers' last few events stay needed.
        #expect(customers.eventLogBytes < 20_000, "\(customers.eventLogBytes) bytes")
        let replayed = try CustomerSegments(model: model, eventLog: path, limits: limits)
        #expect(Self.profiles(replayed) == Self.profiles(customers))
    }

    /// A compaction cut short by a crash leaves its file behind: the next start removes it and
    /// replays the log it was replacing.
    @Test func aCompactionCutShortLeavesTheLogWhole() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/customer-events.jsonl"
        let model = try CustomerFixtures.model()
        let lines = (0..<40).map { Self.line("c\($0 % 7)", step: $0) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try (lines.prefix(3).joined(separator: "\n")).write(toFile: path + CustomerSegments.compactionSuffix, atomically: true, encoding: .utf8)
        let customers = try CustomerSegments(model: model, eventLog: path)
        #expect(customers.replayedEvents == 40 && customers.profileCount == 7)
        #expect(!FileManager.default.fileExists(atPath: path + CustomerSegments.compactionSuffix))
    }

    /// The replay's line reader: offsets, blank lines, a line longer than its 1 MiB buffer,
    /// lines across buffer boundaries and a last line without a newline, as a split of the
    /// whole file gives them.
    @Test func theLogIsReadLineByLineWithOffsets() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/lines"
        var rng = SeededGenerator(seed: 5)
        var text = "first\n\n"
        for i in 0..<30_000 { text += String(repeating: "x", count: Int(rng.nextUniform() * 80)) + "\(i)\n" }
        text += String(repeating: "long", count: 400_000) + "\n" + "torn"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var seen: [(String, Int)] = []
        let (size, endsWithNewline) = try CustomerSegments.forEachLine(ofFile: path) { line, offset in
            seen.append((String(decoding: line, as: UTF8.self), offset))
        }
        let bytes = Array(text.utf8)
        var expected: [(String, Int)] = []
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            if i > start { expected.append((String(decoding: bytes[start..<i], as: UTF8.self), start)) }
            start = i + 1
        }
        expected.append(("torn", start))
        #expect(size == bytes.count && !endsWithNewline)
        #expect(seen.count == expected.count && seen.map(\.0) == expected.map(\.0) && seen.map(\.1) == expected.map(\.1))
    }
}
