/// One raw touchpoint event, in the event format of `attune segment` (DESIGN.md "Events"):
/// `customer_id`, `timestamp`, `channel`, `type` and type-specific fields.
public struct TouchpointEvent: Sendable, Equatable {
    /// The customer, written as `"c<number>"`.
    public var customer: Int
    /// Seconds since the Unix epoch.
    public var timestamp: Double
    /// `web`, `app`, `email`, `social` or `store`.
    public var channel: String
    /// `page_view`, `search`, `click`, `cart_add`, `purchase`, `email_open`, `email_click`,
    /// `app_session`, `social_engagement`, `store_visit` or `review`.
    public var type: String
    /// Monetary value (purchases, cart adds), in currency units.
    public var value: Double?
    /// Product category.
    public var category: String?
    /// Product or action identifier.
    public var sku: String?
    /// Session length in seconds (app sessions, page views).
    public var durationSeconds: Double?
    /// Search query text.
    public var query: String?

    /// Creates an event.
    public init(customer: Int, timestamp: Double, channel: String, type: String, value: Double? = nil, category: String? = nil,
                sku: String? = nil, durationSeconds: Double? = nil, query: String? = nil) {
        self.customer = customer
        self.timestamp = timestamp
        self.channel = channel
        self.type = type
        self.value = value
        self.category = category
        self.sku = sku
        self.durationSeconds = durationSeconds
        self.query = query
    }

    /// Writes the event as one JSON line.
    func write(to w: JSONLinesWriter) throws(SimulationError) {
        w.write("{\"customer_id\":")
        w.write(string: "c\(customer)")
        w.write(",\"timestamp\":")
        w.write(string: JSONLinesWriter.iso8601(seconds: timestamp))
        w.write(",\"channel\":")
        w.write(string: channel)
        w.write(",\"type\":")
        w.write(string: type)
        if let value { w.write(",\"value\":"); w.write(number: (value * 100).rounded() / 100) }
        if let category { w.write(",\"category\":"); w.write(string: category) }
        if let sku { w.write(",\"sku\":"); w.write(string: sku) }
        if let durationSeconds { w.write(",\"duration_s\":"); w.write(number: durationSeconds.rounded()) }
        if let query { w.write(",\"query\":"); w.write(string: query) }
        w.write("}")
        try w.endLine()
    }
}
