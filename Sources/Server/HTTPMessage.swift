/// An HTTP request as the router sees it: no sockets, so handlers are tested in memory.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query string, e.g. `/v1/decisions`.
    public var path: String
    /// The raw query string (after `?`), if any.
    public var query: String?
    /// The `Authorization` header, if any.
    public var authorization: String?
    /// The body bytes.
    public var body: [UInt8]
    /// Whether the body exceeded the server's size limit (and was dropped).
    public var isBodyTooLarge: Bool

    /// Creates a request.
    public init(method: String, path: String, query: String? = nil, authorization: String? = nil,
                body: [UInt8] = [], isBodyTooLarge: Bool = false) {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
        self.body = body
        self.isBodyTooLarge = isBodyTooLarge
    }

    /// A request with a UTF-8 body.
    public init(method: String, path: String, body: String, authorization: String? = nil) {
        self.init(method: method, path: path, authorization: authorization, body: Array(body.utf8))
    }
}

/// An HTTP response: status, content type and body.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// The body as text (tests and logs).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
