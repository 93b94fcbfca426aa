import CEventPoll
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An open-loop load generator on one epoll thread, in the manner of wrk2: `connections`
/// keep-alive connections share a fixed schedule of `rate` requests per second, and latency
/// counts from each request's scheduled time, so a request held up behind a slow reply is
/// charged its wait (no coordinated omission). One thread keeps the client's CPU per request
/// near wrk's, which matters when client and server share two cores.
enum PacedLoadGenerator {
    /// Runs the schedule for `seconds`. `request(connection, i)` gives the bytes of connection
    /// `connection`'s `i`-th request (a whole HTTP/1.1 request).
    /// - Returns: Latencies in nanoseconds of the replies received, non-200 replies and broken
    ///   connections as errors, the elapsed time and this thread's CPU time; `nil` when the
    ///   connections cannot be opened.
    static func run(port: Int, connections: Int, rate: Double, seconds: Double,
                    request: (Int, Int) -> [UInt8]) -> LoadGenerator.Result? {
        drive(port: port, connections: connections, rate: rate, seconds: seconds, request: request)
    }

    private struct Connection {
        var fd: Int32
        var sent = 0
        /// Scheduled time of the request awaiting its reply (ns since start), if any.
        var awaiting: UInt64?
        var buffer: [UInt8] = []
        var broken = false
    }

    private static func drive(port: Int, connections count: Int, rate: Double, seconds: Double,
                              request: (Int, Int) -> [UInt8]) -> LoadGenerator.Result? {
        let epoll = attune_poll_create()
        guard epoll >= 0 else { return nil }
        defer { close(epoll) }
        var connections: [Connection] = []
        defer { for c in connections { close(c.fd) } }
        for i in 0..<count {
            guard let fd = LoadConnection.connectLoopback(port: port) else { return nil }
            connections.append(Connection(fd: fd))
            attune_poll_add(epoll, fd, UInt64(i))
        }
        let interval = 1e9 / rate
        var latencies: [Double] = []
        latencies.reserveCapacity(Int(rate * seconds * 1.1))
        var errors = 0
        var ready = [UInt64](repeating: 0, count: 256)
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let cpu0 = LoadGenerator.threadCPUSeconds()
        let start = monotonicNanoseconds()
        let end = UInt64(seconds * 1e9)
        // The k-th request of the whole schedule is due at k · interval and goes to connection
        // k mod count; a connection still awaiting a reply sends its next one once it arrives.
        var nextIndex = 0
        var backlog: [[Int]] = Array(repeating: [], count: count)
        var backlogCount = 0
        while true {
            let now = monotonicNanoseconds() - start
            while nextIndex < Int(Double(now) / interval) + 1, UInt64(Double(nextIndex) * interval) < end {
                backlog[nextIndex % count].append(nextIndex)
                backlogCount += 1
                nextIndex += 1
            }
            for c in connections.indices where connections[c].awaiting == nil && !backlog[c].isEmpty && !connections[c].broken {
                let k = backlog[c].removeFirst()
                backlogCount -= 1
                let bytes = request(c, connections[c].sent)
                connections[c].sent += 1
                if sendAll(connections[c].fd, bytes) {
                    connections[c].awaiting = UInt64(Double(k) * interval)
                } else {
                    connections[c].broken = true
                    errors += 1
                }
            }
            let pending = connections.contains { $0.awaiting != nil }
            if UInt64(Double(nextIndex) * interval) >= end, !pending, backlogCount == 0 { break }
            if monotonicNanoseconds() - start > end + 10_000_000_000 { break }  // replies overdue by 10 s: give up
            // Sleep until the next request is due or a reply arrives.
            let dueIn = max(0, Double(nextIndex) * interval - Double(monotonicNanoseconds() - start))
            let n = ready.withUnsafeMutableBufferPointer { attune_poll_wait(epoll, $0.baseAddress, Int32($0.count), Int64(dueIn)) }
            guard n > 0 else { continue }
            for e in 0..<Int(n) {
                let c = Int(ready[e])
                let received = chunk.withUnsafeMutableBytes { recv(connections[c].fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if received <= 0 {
                    if received < 0, errno == EAGAIN || errno == EINTR { continue }
                    if connections[c].awaiting != nil { errors += 1 }
                    connections[c].awaiting = nil
                    connections[c].broken = true
                    attune_poll_remove(epoll, connections[c].fd)
                    backlogCount -= backlog[c].count
                    backlog[c].removeAll()
                    continue
                }
                connections[c].buffer.append(contentsOf: chunk[..<received])
                while let (status, length) = reply(in: connections[c].buffer) {
                    connections[c].buffer.removeFirst(length)
                    if let scheduled = connections[c].awaiting {
                        latencies.append(Double(monotonicNanoseconds() - start) - Double(scheduled))
                        if status != 200 { errors += 1 }
                    }
                    connections[c].awaiting = nil
                }
            }
        }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        return LoadGenerator.Result(latencies: latencies, errors: errors, seconds: min(elapsed, seconds),
                                    cpuSeconds: LoadGenerator.threadCPUSeconds() - cpu0)
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// The status and total length of the first complete reply in `buffer`, if one is complete.
    private static func reply(in buffer: [UInt8]) -> (Int, Int)? {
        guard buffer.count >= 16 else { return nil }
        var headerEnd: Int?
        var i = 12
        while i + 3 < buffer.count {
            if buffer[i] == 13, buffer[i + 1] == 10, buffer[i + 2] == 13, buffer[i + 3] == 10 {
                headerEnd = i + 4
                break
            }
            i += 1
        }
        guard let end = headerEnd else { return nil }
        var status = 0
        for j in 9..<12 { status = status * 10 + Int(buffer[j]) - 48 }
        let key = Array("content-length:".utf8)
        var length = 0
        var line = 0
        while line < end {
            // Header names are case-insensitive: compare with ASCII letters lowered.
            var matches = line + key.count <= end
            if matches {
                for (j, k) in key.enumerated() where buffer[line + j] | 0x20 != k {
                    matches = false
                    break
                }
            }
            if matches {
                var j = line + key.count
                while j < end, buffer[j] == 32 { j += 1 }
                while j < end, buffer[j] >= 48, buffer[j] <= 57 { length = length * 10 + Int(buffer[j]) - 48; j += 1 }
                break
            }
            while line < end, buffer[line] != 10 { line += 1 }
            line += 1
        }
        return buffer.count >= end + length ? (status, end + length) : nil
    }
}
