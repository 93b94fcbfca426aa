#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation
import Server
import Testing

/// Adaptive event loops: which loops get a connection, and the connection limit across both.
@Suite("Adaptive event loops")
struct AdaptiveLoopsTests {
    /// A keep-alive connection that has had one `GET /healthz` answered; -1 when refused or closed.
    static func openAnswered(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        var reply = [UInt8](repeating: 0, count: 1024)
        guard connected, send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            close(fd)
            return -1
        }
        let received = recv(fd, &reply, reply.count, 0)
        guard received > 0, String(decoding: reply.prefix(received), as: UTF8.self).hasPrefix("HTTP/1.1 200") else {
            close(fd)
            return -1
        }
        return fd
    }

    /// Polls `condition` for up to 5 s.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test func theFirstConnectionsGoToPollLoopsTheRestToEpollAndClosedOnesAreCounted() throws {
        let engine = try Engine(specifications: [Support.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0)),
                                    threading: .adaptiveLoops(2, pollConnections: 3))
        defer { server.stop() }
        var open: [Int32] = []
        defer { open.forEach { close($0) } }
        for _ in 0..<3 { open.append(Self.openAnswered(port: server.port)) }
        #expect(server.openConnections == (poll: 3, epoll: 0))
        for _ in 0..<4 { open.append(Self.openAnswered(port: server.port)) }
        #expect(!open.contains(-1))
        #expect(server.openConnections == (poll: 3, epoll: 4))
        // A poll connection closed makes room there: the next connection takes it.
        close(open.removeFirst())
        #expect(Self.eventually { server.openConnections == (poll: 2, epoll: 4) })
        open.append(Self.openAnswered(port: server.port))
        #expect(server.openConnections == (poll: 3, epoll: 4))
        open.forEach { close($0) }
        open.removeAll()
        #expect(Self.eventually { server.openConnections == (poll: 0, epoll: 0) }, "still open: \(server.openConnections)")
    }

    /// libmicrohttpd 0.9.75 stalls an epoll loop that gets exactly 128 events from one
    /// `epoll_wait`: no loop may hold more than 126 connections (and its eventfd). Beyond that,
    /// spare epoll loops take the rest, and every connection is answered when all send at once.
    @Test(arguments: [HTTPServer.Threading.eventLoops(1), .adaptiveLoops(1, pollConnections: 10)])
    func noEpollLoopHoldsMoreThan126ConnectionsAndAllAreServedAtOnce(threading: HTTPServer.Threading) throws {
        let engine = try Engine(specifications: [Support.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0, connectionLimit: 400)),
                                    threading: threading)
        defer { server.stop() }
        var open: [Int32] = []
        defer { open.forEach { close($0) } }
        for _ in 0..<300 { open.append(Self.openAnswered(port: server.port)) }
        #expect(!open.contains(-1))
        let perLoop = server.connectionsPerLoop
        let pollLoops = server.threading.name.contains("poll +") ? 1 : 0
        #expect(perLoop.reduce(0, +) == 300)
        #expect(perLoop.dropFirst(pollLoops).allSatisfy { $0 <= 126 }, "\(perLoop)")
        // The first epoll loop is filled before the spare ones.
        #expect(perLoop[pollLoops] == 126, "\(perLoop)")
        // Every connection sends at once, then every reply is read.
        let request = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        for fd in open where fd >= 0 { _ = send(fd, request, request.count, Int32(MSG_NOSIGNAL)) }
        var answered = 0
        var reply = [UInt8](repeating: 0, count: 1024)
        let started = Date()
        for fd in open where fd >= 0 {
            let received = recv(fd, &reply, reply.count, 0)
            if received > 0, String(decoding: reply.prefix(received), as: UTF8.self).hasPrefix("HTTP/1.1 200") { answered += 1 }
        }
        #expect(answered == 300)
        #expect(Date().timeIntervalSince(started) < 4, "replies took \(Date().timeIntervalSince(started)) s")
    }

    @Test(arguments: [HTTPServer.Threading.adaptiveLoops(1, pollConnections: 2), .eventLoops(2), .pollLoops(2)])
    func theConnectionLimitHoldsAcrossBothKindsOfLoops(threading: HTTPServer.Threading) throws {
        let engine = try Engine(specifications: [Support.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0, connectionLimit: 5)),
                                    threading: threading)
        defer { server.stop() }
        var open: [Int32] = []
        defer { open.forEach { close($0) } }
        for _ in 0..<5 { open.append(Self.openAnswered(port: server.port)) }
        #expect(!open.contains(-1))
        let counts = server.openConnections
        #expect(counts.poll + counts.epoll == 5)
        // The sixth is closed unanswered; the server still serves the others.
        #expect(Self.openAnswered(port: server.port) == -1)
        close(open.removeLast())
        var reopened: Int32 = -1
        #expect(Self.eventually {
            reopened = Self.openAnswered(port: server.port)
            return reopened >= 0
        })
        if reopened >= 0 { open.append(reopened) }
    }

    @Test func noPollPlacesSendEveryConnectionToEpollAndANegativeCountIsRefused() throws {
        let engine = try Engine(specifications: [Support.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        let router = Router(engine: engine, configuration: ServerConfiguration(port: 0))
        let server = try HTTPServer(router: router, threading: .adaptiveLoops(2, pollConnections: 0))
        defer { server.stop() }
        let open = (0..<3).map { _ in Self.openAnswered(port: server.port) }
        defer { open.forEach { close($0) } }
        #expect(!open.contains(-1))
        #expect(server.openConnections == (poll: 0, epoll: 3))
        #expect(throws: APIError.self) { _ = try HTTPServer(router: router, threading: .adaptiveLoops(2, pollConnections: -1)) }
    }

    @Test func stopReturnsWithConnectionsOpenOnBothKindsAfterManyCameAndWent() throws {
        let engine = try Engine(specifications: [Support.specification()], store: SQLiteEventStore(path: ":memory:"))
        defer { engine.shutdown() }
        let server = try HTTPServer(router: Router(engine: engine, configuration: ServerConfiguration(port: 0, connectionLimit: 64)),
                                    threading: .adaptiveLoops(2, pollConnections: 4))
        // Connections opened and closed by the hundred, several at a time, then some left open.
        for _ in 0..<40 {
            let batch = (0..<6).map { _ in Self.openAnswered(port: server.port) }
            #expect(!batch.contains(-1))
            batch.forEach { close($0) }
        }
        // Clients that send a decision and leave before its reply.
        for i in 0..<60 {
            let fd = Self.openAnswered(port: server.port)
            let body = #"{"context": {"x": 0.5}, "event_id": "gone-\#(i)"}"#
            let request = Array("POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            _ = send(fd, request, request.count, Int32(MSG_NOSIGNAL))
            close(fd)
        }
        // Each of those stays open until its decision is committed and libmicrohttpd sees the
        // client gone; one still open would take a poll place from the connections below.
        #expect(Self.eventually { server.openConnections == (poll: 0, epoll: 0) }, "still open: \(server.openConnections)")
        let open = (0..<10).map { _ in Self.openAnswered(port: server.port) }
        defer { open.forEach { close($0) } }
        #expect(Self.eventually { server.openConnections == (poll: 4, epoll: 6) }, "open: \(server.openConnections)")
        let stopped = DispatchSemaphore(value: 0)
        Thread {
            server.stop()
            stopped.signal()
        }.start()
        #expect(stopped.wait(timeout: .now() + 20) == .success, "stop did not return")
    }
}
