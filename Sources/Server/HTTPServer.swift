import CHTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP server: libmicrohttpd with one thread per connection (a request thread blocks only
/// on its group commit), feeding complete requests to a `Router`.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `handle` is written once in `init` and freed once in `stop`, both serialized by the caller.
    private var handle: OpaquePointer?
    private let box: Unmanaged<RouterBox>
    /// The router requests go to.
    public let router: Router
    /// The port bound (useful when the configuration asked for port 0).
    public let port: Int

    /// Binds and starts serving.
    /// - Throws: `APIError` with code `bind_failed` when the address is not an IPv4 address or the
    ///   port is taken.
    public init(router: Router) throws(APIError) {
        let configuration = router.configuration
        guard (0...65_535).contains(configuration.port) else {
            throw APIError(status: 500, code: "bind_failed", message: "port \(configuration.port) is outside 0...65535")
        }
        self.router = router
        box = Unmanaged.passRetained(RouterBox(router))
        let started = attune_http_start(configuration.host, UInt16(configuration.port), configuration.maxBodyBytes,
                                        UInt32(configuration.connectionLimit), UInt32(configuration.timeoutSeconds),
                                        handleRequest, box.toOpaque())
        guard let started else {
            box.release()
            throw APIError(status: 500, code: "bind_failed",
                           message: "cannot listen on \(configuration.host):\(configuration.port): give an IPv4 address and a free port")
        }
        handle = started
        port = Int(attune_http_port(started))
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
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
    init(_ router: Router) { self.router = router }
}


// Called by libmicrohttpd on its connection threads: a free function, not main-actor isolated.
private let handleRequest: attune_http_handler = { context, request, response in
    guard let context, let request, let response else { return }
    let router = Unmanaged<RouterBox>.fromOpaque(context).takeUnretainedValue().router
    let r = request.pointee
    let body = r.body_length > 0 && r.body != nil
        ? Array(UnsafeRawBufferPointer(start: r.body, count: r.body_length)) : []
    let httpRequest = HTTPRequest(
        method: String(cString: r.method), path: String(cString: r.path), query: r.query.map { String(cString: $0) },
        authorization: r.authorization.map { String(cString: $0) }, body: body, isBodyTooLarge: r.body_too_large != 0)
    let reply = router.handle(httpRequest)
    let bytes = malloc(max(reply.body.count, 1))
    if let bytes {
        reply.body.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(bytes, base, raw.count) }
        }
        response.pointee.body = bytes.assumingMemoryBound(to: CChar.self)
        response.pointee.body_length = reply.body.count
        response.pointee.status = Int32(reply.status)
    } else {
        response.pointee.status = 503
    }
    // Static strings: their storage lives as long as the program.
    let type: StaticString = reply.contentType.hasPrefix("text/plain") ? "text/plain; version=0.0.4; charset=utf-8" : "application/json"
    response.pointee.content_type = UnsafeRawPointer(type.utf8Start).assumingMemoryBound(to: CChar.self)
}
