import AttuneCore
import Foundation
import Linalg
import Segmentation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Event ingestion of the segmentation suite: JSON Lines parsing, per-customer profile
// updates, and live re-assignment. Every task is timed three times and the median reported;
// next to the wall figure each line carries the process CPU seconds and the events per CPU
// second (the per-core rate, which other load on a shared machine disturbs far less), and the
// 1-minute load average at the time.
extension SegmentationBenchmarks {
    static func ingestion(events n: Int, customers: Int, seed: UInt64, directory: URL, writer: ResultWriter) throws(BenchError) {
        let path = directory.appendingPathComponent("events.jsonl")
        let bytes = try writeEvents(count: n, customers: customers, seed: seed, to: path)
        let reader = EventReader(format: .jsonLines)
        // The file is in the page cache after the first read: all runs measure parsing, not disk.
        var table = ProfileTable()
        let full = measure { table = ProfileTable(); _ = try? reader.read(path: path.path, into: &table) }
        emit("JSONL parse + profile update (EventReader.read(path:into:)) events=\(n) customers=\(table.count)", events: n, bytes: bytes, full, writer)
        var checked = 0
        let parseOnly = measure { checked = (try? reader.check(path: path.path))?.eventCount ?? 0 }
        emit("JSONL parse only (EventReader.check) events=\(checked)", events: checked, bytes: bytes, parseOnly, writer)
        var parsed = 0
        let toEvents = measure { parsed = 0; _ = try? reader.read(path: path.path) { _ in parsed += 1 } }
        emit("JSONL parse to Event values events=\(parsed)", events: parsed, bytes: bytes, toEvents, writer)

        // Profile updates alone, from events already in memory.
        var events: [Event] = []
        events.reserveCapacity(n)
        _ = try? reader.read(path: path.path) { events.append($0) }
        var fresh = ProfileTable()
        let update = measure { fresh = ProfileTable(); for e in events { fresh.update(with: e) } }
        emit("profile update (ProfileTable.update(with: Event): id lookup + accumulators) events=\(events.count)", events: events.count, bytes: nil, update, writer)
        var profiles = [CustomerProfile](repeating: CustomerProfile(searchBuckets: 8), count: 1_024)
        let single = measure {
            for i in profiles.indices { profiles[i] = CustomerProfile(searchBuckets: 8) }
            for (k, e) in events.enumerated() { profiles[k & 1_023].update(with: e) }
        }
        emit("CustomerProfile.update (one profile, no lookup) events=\(events.count)", events: events.count, bytes: nil, single, writer)

        // Live re-assignment: profile update + feature vector + nearest centre, per event.
        guard let schema = try? fresh.makeSchema() else { return }
        let (_, raw) = fresh.featureMatrix(schema: schema, asOf: fresh.latestTimestamp)
        var rng = SeededGenerator(seed: seed)
        guard let options = try? SegmentationFitter.Options(k: 8, initializations: 2, bootstrapRuns: 0),
              let model = try? SegmentationFitter(options).fit(raw: raw, featureNames: schema.names, schema: schema, using: &rng),
              let live = try? RealTimeSegmenter(model: model)
        else { return }
        let liveEvents = events.prefix(200_000)
        let liveRun = measure {
            var segmenter = live
            for e in liveEvents { _ = try? segmenter.ingest(e) }
        }
        emit("live ingest (profile update + \(schema.count) features + k-means re-assignment k=8) events=\(liveEvents.count)",
             events: liveEvents.count, bytes: nil, liveRun, writer)
    }

    /// Wall and CPU seconds of one run.
    struct Run {
        var wall: Double
        var cpu: Double
    }

    /// The median (by wall time) of three runs of `body`.
    static func measure(_ body: () -> Void) -> Run {
        var runs: [Run] = []
        for _ in 0..<3 {
            let wall = timed(body)
            runs.append(Run(wall: wall, cpu: lastCPUSeconds.withLock { $0 }))
        }
        runs.sort { $0.wall < $1.wall }
        return runs[1]
    }

    static func emit(_ task: String, events: Int, bytes: Int?, _ run: Run, _ writer: ResultWriter) {
        var record = BenchmarkRecord()
        record["task"] = .string(task)
        record["size"] = .int(events)
        record["median_ns"] = .double(run.wall * 1e9 / Double(max(1, events)))
        record["events_per_second"] = .double(Double(events) / run.wall)
        record["cpu_seconds"] = .double(run.cpu)
        record["cpu_ns_per_event"] = .double(run.cpu * 1e9 / Double(max(1, events)))
        record["events_per_cpu_second"] = .double(Double(events) / max(run.cpu, 1e-9))
        if let bytes { record["mb_per_cpu_second"] = .double(Double(bytes) / 1_048_576 / max(run.cpu, 1e-9)) }
        var load = [Double](repeating: 0, count: 3)
        if getloadavg(&load, 3) == 3 { record["load_average_1min"] = .double(load[0]) }
        writer.emit(record)
    }
}
