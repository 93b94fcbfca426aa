import CHTTPServer
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP server: libmicrohttpd feeding complete requests to a `Router`.
///
/// Threading modes:
/// - `.adaptiveLoops(n, pollConnections: k)` (the default: n = 2, k = 64): event loops. A
///   request that waits for its group commit is suspended and its connection resumed by the
///   journal thread once the entry is durable, so no thread blocks per request. The server
///   accepts connections itself and hands the first k open ones to n loops waiting with
///   poll(2), any beyond to n loops waiting with epoll:
///   - epoll costs, per deferred request, two `epoll_ctl` calls (libmicrohttpd takes a
///     suspended connection out of the epoll set and puts it back on resumption) and a second
///     `recv` (an edge-triggered socket is read until it is empty), and nothing per idle
///     connection;
///   - poll costs neither, but scans every connection of its loop at each wake-up.
///
///   With 48 busy connections (3 alternating rounds of 2 runs), the loops spent 37.4 µs per
///   decision adaptive (34.4–39.8), 38.5 µs with poll only and 41.3 µs (38.5–45.1) with epoll
///   only; with 900 idle connections
///   opened before 48 busy ones, 96–170 µs with poll only against 42–49 µs for epoll and
///   41–49 µs adaptive. A client's first connections, the busy ones of its pool, get poll; a
///   crowd of idle ones cannot slow it. Each loop is a libmicrohttpd daemon of its own, and a
///   new connection goes to the loop of its kind with the fewest open.
/// - `.eventLoops(n)`: epoll loops only. `.pollLoops(n)`: poll loops only.
/// - `.threadPerConnection`: one thread per connection, blocking on its group commit.
///
/// `attune-bench server` measures these modes; on 2 cores the event loops serve more decisions
/// per CPU second than threads, because a request costs no thread wake-ups besides the socket's.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `handle` is written once in `init` and freed once in `stop`, both serialized by the caller.
    private var handle: OpaquePointer?
    private let box: Unmanaged<RouterBox>
    /// The router requests go to.
    public let router: Router
    /// The port bound (useful when the configuration asked for port 0).
    public let port: Int
    /// How connections are served.
    public let threading: Threading

    /// How libmicrohttpd serves connections.
    public enum Threading: Sendable, Equatable {
        /// One thread per connection; a request blocks its thread until its entry is committed.
        case threadPerConnection
        /// This many event-loop threads (epoll); requests waiting for a commit are suspended.
        case eventLoops(Int)
        /// This many event-loop threads waiting with poll(2) (see the type's documentation).
        case pollLoops(Int)
        /// This many poll loops for the first `pollConnections` open connections and as many
        /// epoll loops for the others (see the type's documentation).
        case adaptiveLoops(Int, pollConnections: Int)

        /// The default: 2 poll loops for the first 64 connections, 2 epoll loops beyond.
        public static let adaptive = Threading.adaptiveLoops(2, pollConnections: 64)

        /// A short name for logs and bench reports: `2 event loops`, `2 poll loops`,
        /// `2 poll + 2 epoll loops, poll for the first 64 connections`, `thread per connection`.
        public var name: String {
            switch self {
            case .threadPerConnection: return "thread per connection"
            case .eventLoops(let n): return "\(n) event loop\(n == 1 ? "" : "s")"
            case .pollLoops(let n): return "\(n) poll loop\(n == 1 ? "" : "s")"
            case .adaptiveLoops(let n, let k): return "\(n) poll + \(n) epoll loop\(n == 1 ? "" : "s"), poll for the first \(k) connections"
            }
        }
    }

    /// Open connections served by the poll loops and by the epoll loops (both 0 with a thread
    /// per connection). A connection counts from its acceptance until libmicrohttpd closes it.
    public var openConnections: (poll: Int, epoll: Int) {
        guard let handle else { return (0, 0) }
        var polled: UInt32 = 0, epolled: UInt32 = 0
        attune_http_open_connections(handle, &polled, &epolled)
        return (Int(polled), Int(epolled))
    }

    /// Open connections of each event loop, poll loops first (empty with a thread per
    /// connection). An epoll loop holds at most 126: beyond that, spare epoll loops take them
    /// (libmicrohttpd 0.9.75 stalls an epoll loop that has 128 events ready at once).
    public var connectionsPerLoop: [Int] {
        guard let handle else { return [] }
        var counts = [UInt32](repeating: 0, count: 256)
        let loops = Int(attune_http_loop_connections(handle, &counts, UInt32(counts.count)))
        return counts.prefix(min(loops, counts.count)).map(Int.init)
    }

    /// Binds and starts serving.
    /// - Parameters:
    ///   - router: Where requests go.
    ///   - threading: `.adaptive` by default (see the type's documentation).
    /// - Throws: `APIError` with code `bind_failed` when the address is not an IPv4 address or the
    ///   port is taken, the thread count is not in 1...64, or adaptive loops get a negative
    ///   number of poll connections (0 sends every connection to the epoll loops).
    public init(router: Router, threading: Threading = .adaptive) throws(APIError) {
        let configuration = router.configuration
        guard (0...65_535).contains(configuration.port) else {
            throw APIError(status: 500, code: "bind_failed", message: "port \(configuration.port) is outside 0...65535")
        }
        var threads: UInt32 = 0
        var pollConnections: UInt32 = 0
        switch threading {
        case .threadPerConnection:
            break
        case .eventLoops(let n), .pollLoops(let n), .adaptiveLoops(let n, _):
            guard (1...64).contains(n) else {
                throw APIError(status: 500, code: "bind_failed", message: "\(n) event-loop threads: give 1 to 64")
            }
            threads = UInt32(n)
            switch threading {
            case .pollLoops: pollConnections = UInt32(clamping: configuration.connectionLimit)
            case .adaptiveLoops(_, let k):
                guard k >= 0 else {
                    throw APIError(status: 500, code: "bind_failed", message: "\(k) poll connections: give 0 or more")
                }
                pollConnections = UInt32(clamping: k)
            default: break
            }
        }
        self.router = router
        self.threading = threading
        box = Unmanaged.passRetained(RouterBox(router, deferring: threads > 0))
        let started = attune_http_start(configuration.host, UInt16(configuration.port), configuration.maxBodyBytes,
                                        UInt32(configuration.connectionLimit), UInt32(configuration.timeoutSeconds), threads,
                                        pollConnections, handleRequest, box.toOpaque())
        guard let started else {
            box.release()
            throw APIError(status: 500, code: "bind_failed",
                           message: "cannot listen on \(configuration.host):\(configuration.port): give an IPv4 address and a free port")
        }
        handle = started
        port = Int(attune_http_port(started))
        if threads > 0 {
            // A commit's connections are resumed together, after its last reply is stored.
            router.engine.replyBatching = ReplyBatching(begin: { attune_http_begin_batch() }, end: { attune_http_end_batch() })
        }
    }

    /// Stops accepting connections and waits for in-flight requests to finish (the engine must
    /// still be running, so that requests waiting for a commit get it).
    public func stop() {
        guard let h = handle else { return }
        handle = nil
        attune_http_stop(h)
        box.release()
    }

    deinit { stop() }
}

final class RouterBox: Sendable {
    let router: Router
    /// Whether requests are answered through `Router.handle(_:completion:)` (event loops).
    let deferring: Bool
    init(_ router: Router, deferring: Bool) {
        self.router = router
        self.deferring = deferring
    }
}

/// The request's token, handed back to libmicrohttpd from whichever thread completes it.
private struct RequestToken: @unchecked Sendable {
    // @unchecked: an opaque pointer C hands out once per request and takes back exactly once.
    let pointer: UnsafeMutableRawPointer?
}

private func fill(_ response: inout attune_http_response, with reply: HTTPResponse) {
    let bytes = malloc(max(reply.body.count, 1))
    if let bytes {
        reply.body.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(bytes, base, raw.count) }
        }
        response.body = bytes.assumingMemoryBound(to: CChar.self)
        response.body_length = reply.body.count
        response.status = Int32(reply.status)
    } else {
        response.status = 503
    }
    // Static strings: their storage lives as long as the program.
    let type: StaticString = reply.contentType.hasPrefix("text/plain") ? "text/plain; version=0.0.4; charset=utf-8" : "application/json"
    response.content_type = UnsafeRawPointer(type.utf8Start).assumingMemoryBound(to: CChar.self)
}

// Called by libmicrohttpd on its threads: a free function, not main-actor isolated.
private let handleRequest: attune_http_handler = { context, request, response in
    guard let context, let request, let response else { return 0 }
    let box = Unmanaged<RouterBox>.fromOpaque(context).takeUnretainedValue()
    let r = request.pointee
    let body = r.body_length > 0 && r.body != nil
        ? Array(UnsafeRawBufferPointer(start: r.body, count: r.body_length)) : []
    let httpRequest = HTTPRequest(
        method: String(cString: r.method), path: String(cString: r.path), query: r.query.map { String(cString: $0) },
        authorization: r.authorization.map { String(cString: $0) }, body: body, isBodyTooLarge: r.body_too_large != 0)
    guard box.deferring else {
        fill(&response.pointee, with: box.router.handle(httpRequest))
        return 0
    }
    let token = RequestToken(pointer: r.token)
    box.router.handle(httpRequest) { reply in
        var completed = attune_http_response(status: 500, body: nil, body_length: 0, content_type: nil)
        fill(&completed, with: reply)
        attune_http_complete(token.pointer, &completed)
    }
    return ATTUNE_HTTP_PENDING
}
