import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Load generator

/// One keep-alive HTTP/1.1 connection to 127.0.0.1 (blocking sockets; one per load thread).
final class LoadConnection {
    struct Reply {
        var status: Int
        var body: [UInt8]
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init?(port: Int) {
        guard let fd = Self.connectLoopback(port: port) else { return nil }
        self.fd = fd
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A TCP connection to 127.0.0.1:`port` with Nagle's algorithm off; `nil` when it fails.
    static func connectLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    deinit { close(fd) }

    /// Sends one request and reads its reply; `nil` when the connection failed.
    func send(_ method: String, _ path: String, _ body: String?) -> Reply? {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        var bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            offset += n
        }
        // Headers, then Content-Length bytes of body; parsed on bytes, the client must stay cheap.
        var headerEnd: Int?
        var searched = 0
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer, from: searched).map { $0 + 4 }
            searched = max(0, buffer.count - 3)
            if headerEnd == nil, !fill() { return nil }
        }
        guard let end = headerEnd, end > 12 else { return nil }
        var status = 0
        for i in 9..<12 { status = status * 10 + Int(buffer[i]) - 48 }
        var length = 0
        if let at = Self.find(Array("Content-Length: ".utf8), in: buffer, from: 0, limit: end) {
            var i = at + 16
            while i < end, buffer[i] >= 48, buffer[i] <= 57 { length = length * 10 + Int(buffer[i]) - 48; i += 1 }
        }
        while buffer.count < end + length { if !fill() { return nil } }
        let reply = Reply(status: status, body: Array(buffer[end..<(end + length)]))
        buffer.removeFirst(end + length)
        return reply
    }

    private var chunk = [UInt8](repeating: 0, count: 16_384)

    private func fill() -> Bool {
        var n: Int
        repeat { n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } } while n < 0 && errno == EINTR
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int, limit: Int? = nil) -> Int? {
        let end = min(limit ?? bytes.count, bytes.count)
        guard end - start >= pattern.count else { return nil }
        outer: for i in start...(end - pattern.count) where bytes[i] == pattern[0] {
            for j in 1..<pattern.count where bytes[i + j] != pattern[j] { continue outer }
            return i
        }
        return nil
    }
}

/// A closed loop: each connection thread sends its next request as soon as the previous reply arrives.
enum LoadGenerator {
    struct Result {
        var latencies: [Double]
        var errors: Int
        var seconds: Double
        /// CPU time of the load threads (user + system), seconds.
        var cpuSeconds: Double
    }

    /// Runs `connections` threads for `seconds`; `step` sends one unit of work and returns its replies
    /// (`nil` when the connection broke, which ends that thread). Latency is per unit, in nanoseconds.
    static func run(port: Int, connections: Int, seconds: Double,
                    step: @escaping @Sendable (LoadConnection, Int, Int) -> [LoadConnection.Reply]?) -> Result {
        let collected = Mutex<(latencies: [Double], errors: Int, cpu: Double)>(([], 0, 0))
        let group = DispatchGroup()
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        for thread in 0..<connections {
            group.enter()
            let worker = Thread {
                var latencies: [Double] = []
                var errors = 0
                if let connection = LoadConnection(port: port) {
                    var i = 0
                    while monotonicNanoseconds() < deadline {
                        let t0 = monotonicNanoseconds()
                        guard let replies = step(connection, thread, i) else { break }
                        latencies.append(Double(monotonicNanoseconds() - t0))
                        errors += replies.filter { $0.status != 200 }.count
                        i += 1
                    }
                }
                let cpu = threadCPUSeconds()
                collected.withLock { $0.latencies += latencies; $0.errors += errors; $0.cpu += cpu }
                group.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        group.wait()
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        let c = collected.withLock { $0 }
        return Result(latencies: c.latencies, errors: c.errors, seconds: elapsed, cpuSeconds: c.cpu)
    }

    /// CPU time (user + system) of the calling thread, seconds.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU time (user + system) of this process, seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// CPU time (user + system) of the waited-for child processes, seconds.
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The machine's CPU time so far, in clock ticks summed over its CPUs, and the part of it
    /// the hypervisor withheld (the `steal` column of /proc/stat). On a virtual machine the
    /// host may stop the whole guest for milliseconds (on the bench machine, at 100 ms
    /// intervals, the more so the more the virtual disk is used): such stops show in the tail
    /// latencies, not in any process's CPU time.
    struct MachineTicks {
        var steal: Double
        var total: Double

        /// The current ticks; `nil` where /proc/stat cannot be read (not Linux, no procfs).
        static func now() -> MachineTicks? {
            guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
            return MachineTicks(procStatLine: text.prefix { $0 != "\n" })
        }

        /// Parses the first line of /proc/stat: `cpu user nice system idle iowait irq softirq
        /// steal …` (guest time is already counted in user and nice).
        init?(procStatLine line: some StringProtocol) {
            let fields = line.split(separator: " ")
            guard fields.first == "cpu", fields.count >= 9 else { return nil }
            let ticks = fields[1...8].compactMap { Double($0) }
            guard ticks.count == 8 else { return nil }
            steal = ticks[7]
            total = ticks.reduce(0, +)
        }

        /// The share of the machine's CPU time since `earlier` that the hypervisor withheld
        /// (0 to 1); `nil` when no tick passed.
        func stealFraction(since earlier: MachineTicks) -> Double? {
            let elapsed = total - earlier.total
            return elapsed > 0 ? (steal - earlier.steal) / elapsed : nil
        }
    }

    /// CPU time (user + system, seconds) of this process's threads, summed by stage of the
    /// request path. The server's threads name themselves (`attune-journal`, `attune-learner`,
    /// …; libmicrohttpd's event loops are `MHD-single`), so the CPU of a phase whose client runs
    /// in another process (`wrk`) splits into event loops, journal, learner and checkpointers.
    struct ThreadTimes {
        /// Seconds by stage (see ``stage(ofThread:)``).
        var seconds: [String: Double]

        /// The threads' times now; `nil` where /proc/self/task cannot be read.
        static func now() -> ThreadTimes? {
            guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
            let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
            guard ticksPerSecond > 0 else { return nil }
            var seconds: [String: Double] = [:]
            for task in tasks {
                // `tid (comm) state …`: the name may hold spaces, so the fields are counted
                // from the last ')'; utime and stime are fields 14 and 15 of the whole line.
                guard let line = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                      let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { continue }
                let name = String(line[line.index(after: open)..<close])
                let fields = line[line.index(after: close)...].split(separator: " ")
                guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
                seconds[stage(ofThread: name), default: 0] += (user + system) / ticksPerSecond
            }
            return ThreadTimes(seconds: seconds)
        }

        /// The stage a thread belongs to, from its name.
        static func stage(ofThread name: String) -> String {
            switch name {
            case _ where name.hasPrefix("MHD"): return "event_loops"
            case "attune-journal": return "journal"
            case "attune-learner": return "learner"
            case "attune-wal-ckpt": return "wal_checkpointer"
            case "attune-ckpt": return "checkpoint_writer"
            case "attune-accept": return "acceptor"
            default: return "other"
            }
        }

        /// Microseconds of CPU per request in each stage since `earlier`, by stage name. A
        /// thread that ended in between takes its time with it: a stage never goes below 0.
        func microsecondsPerRequest(since earlier: ThreadTimes, requests: Int) -> [(stage: String, microseconds: Double)] {
            seconds.keys.sorted().map { stage in
                (stage, max(seconds[stage, default: 0] - earlier.seconds[stage, default: 0], 0) / Double(max(requests, 1)) * 1e6)
            }
        }
    }
}
