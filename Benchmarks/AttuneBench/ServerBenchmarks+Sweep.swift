import Engine
import Foundation
import Server

/// Latency by offered rate: open-loop decisions (K = 10, d = 20, durable) at rising rates
/// against a fresh in-process server, until the server falls behind. The summary gives the
/// highest rate whose p99 stays within ``latencyTargetNanoseconds``: the capacity a campaign
/// system can plan with on this machine, whatever the fixed target rate. The default
/// adaptive loops (poll for the sweep's connections) and epoll loops alone are swept, each on
/// a fresh server.
extension ServerBenchmarks {
    /// The p99 a rate must keep to count (the target: 5 ms).
    static let latencyTargetNanoseconds = 5e6

    static func rateSweep(directory: String, seconds: Double, connections: Int, _ writer: ResultWriter) throws(BenchError) {
        for threading in [HTTPServer.Threading.adaptive, .eventLoops(2)] {
            try rateSweep(threading: threading, directory: directory, seconds: seconds, connections: connections, writer)
        }
    }

    static func rateSweep(threading: HTTPServer.Threading, directory: String, seconds: Double, connections: Int,
                          _ writer: ResultWriter) throws(BenchError) {
        let engine = try durableEngine(directory: directory)
        defer { engine.shutdown() }
        let server: HTTPServer
        do { server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)), threading: threading) } catch {
            throw .io(path: directory, reason: "cannot start the server: \(error)")
        }
        defer { server.stop() }
        let request = openLoopRequests(thread: 11)
        // The server's first seconds (files growing from empty, first checkpoint) are not
        // steady state: a warm-up at the first rate, not reported.
        _ = PacedLoadGenerator.run(port: server.port, connections: connections, rate: 2_000, seconds: min(seconds, 5), request: request)
        var best: (rate: Double, p99: Double)?
        // The highest rate up to which every rate met the target: a disk stall at a low rate
        // makes the plain best rate above it an overstatement.
        var steady: Double?
        var everyRateMet = true
        // The first rate that missed the target, with the host's steal share during it.
        var firstMiss: (rate: Double, steal: Double?)?
        var rate = 2_000.0
        while rate <= targetRate {
            ResultWriter.progress("attune-bench server: latency at \(Int(rate)) decisions/s offered, \(threading.name), \(connections) connections, \(seconds) s")
            let before = engine.statistics
            let cpuBefore = LoadGenerator.processCPUSeconds()
            let ticksBefore = LoadGenerator.MachineTicks.now()
            guard let result = PacedLoadGenerator.run(port: server.port, connections: connections, rate: rate, seconds: seconds,
                                                      request: request) else {
                throw .io(path: "127.0.0.1:\(server.port)", reason: "cannot open \(connections) connections")
            }
            let sorted = result.latencies.sorted()
            let throughput = Double(sorted.count) / result.seconds
            var record = BenchmarkRecord()
            record["task"] = .string("server latency by offered rate")
            record["size"] = .string("rate=\(Int(rate))")
            record["server_threads"] = .string(threading.name)
            record["allocator"] = .string(allocator)
            record["generator"] = .string("in-process epoll thread, open loop")
            record["connections"] = .int(connections)
            record["offered_per_s"] = .double(rate)
            latencyFields(&record, requests: sorted.count, errors: result.errors, throughput: throughput, sortedNanoseconds: sorted)
            cpuFields(&record, units: sorted.count, seconds: result.seconds, serverCPU: LoadGenerator.processCPUSeconds() - cpuBefore - result.cpuSeconds,
                      clientCPU: result.cpuSeconds, since: ticksBefore)
            commitFields(&record, before: before, after: engine.statistics, seconds: result.seconds)
            writer.emit(record)
            let p99 = quantile(sorted, 0.99)
            if p99 <= latencyTargetNanoseconds, result.errors == 0 {
                best = (rate, p99)
                if everyRateMet { steady = rate }
            } else {
                everyRateMet = false
                if firstMiss == nil {
                    var steal: Double?
                    if case .double(let share)? = record["steal_fraction"] { steal = share }
                    firstMiss = (rate, steal)
                }
            }
            // Far past the target, the next rates would only measure a growing backlog.
            if p99 > 10 * latencyTargetNanoseconds || throughput < 0.9 * rate { break }
            rate += 1_000
        }
        var summary = BenchmarkRecord()
        summary["task"] = .string("server latency target")
        summary["size"] = .string("p99 <= \(Int(latencyTargetNanoseconds / 1e6)) ms, open loop, \(connections) connections")
        summary["server_threads"] = .string(threading.name)
        summary["allocator"] = .string(allocator)
        summary["max_rate_within_target_per_s"] = .double(best?.rate ?? 0)
        summary["p99_ns_at_that_rate"] = .double(best?.p99 ?? .nan)
        summary["max_rate_every_lower_within_target_per_s"] = .double(steady ?? 0)
        summary["target_rate_per_s"] = .double(targetRate)
        if let firstMiss {
            summary["first_rate_missing_target_per_s"] = .double(firstMiss.rate)
            if let steal = firstMiss.steal { summary["steal_fraction_at_first_miss"] = .double(steal) }
        }
        writer.emit(summary)
    }
}
