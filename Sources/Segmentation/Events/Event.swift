import Foundation

/// The touchpoint a customer event came through.
///
/// Spelled in input files as the lowercase raw value; any other spelling reads as ``other``.
public enum Channel: UInt8, Sendable, Hashable, Codable, CaseIterable {
    /// The web shop.
    case web
    /// The mobile app.
    case app
    /// E-mail campaigns.
    case email
    /// Social networks.
    case social
    /// A physical store.
    case store
    /// Anything else (call centre, kiosk, …).
    case other

    /// The channel named by `bytes` (ASCII, case-sensitive), or ``other``.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Channel {
        @inline(__always) func equals(_ name: StaticString) -> Bool {
            guard name.utf8CodeUnitCount == bytes.count, let base = bytes.baseAddress else { return false }
            return memcmp(name.utf8Start, base, bytes.count) == 0
        }
        switch bytes.count {
        case 3:
            if equals("web") { return .web }
            if equals("app") { return .app }
        case 5:
            if equals("email") { return .email }
            if equals("store") { return .store }
        case 6:
            if equals("social") { return .social }
        default: break
        }
        return .other
    }
}

/// What a customer event records.
///
/// Spelled in input files as the `snake_case` raw value; unknown types read as ``other`` and
/// count only towards activity (channel mix, time profiles, tenure, trend).
public enum EventType: UInt8, Sendable, Hashable, Codable, CaseIterable {
    /// A page was shown (`page_view`; `duration_s` is the dwell time).
    case pageView
    /// A link or product was clicked (`click`).
    case click
    /// A search was run (`search`; `query` holds the text).
    case search
    /// An item was put in the cart (`cart_add`).
    case cartAdd
    /// An order was placed (`purchase`; `value`, `quantity`, `category`, `discount`).
    case purchase
    /// A campaign e-mail was sent (`email_sent`).
    case emailSent
    /// A campaign e-mail was opened (`email_open`).
    case emailOpen
    /// A link in an e-mail was clicked (`email_click`).
    case emailClick
    /// The customer unsubscribed from e-mail (`email_unsubscribe`).
    case emailUnsubscribe
    /// An app session (`app_session`; `duration_s` is its length).
    case appSession
    /// A like, share or comment on social media (`social_engagement`).
    case socialEngagement
    /// A visit to a physical store (`store_visit`).
    case storeVisit
    /// A product review (`review`; `text` and `rating`).
    case review
    /// Any other type.
    case other

    /// The spelling used in event files.
    public var name: String {
        switch self {
        case .pageView: "page_view"
        case .click: "click"
        case .search: "search"
        case .cartAdd: "cart_add"
        case .purchase: "purchase"
        case .emailSent: "email_sent"
        case .emailOpen: "email_open"
        case .emailClick: "email_click"
        case .emailUnsubscribe: "email_unsubscribe"
        case .appSession: "app_session"
        case .socialEngagement: "social_engagement"
        case .storeVisit: "store_visit"
        case .review: "review"
        case .other: "other"
        }
    }

    /// The type named `string`, or ``other``.
    public init(name string: String) {
        var s = string
        self = s.withUTF8 { EventType.parse($0) }
    }

    /// The type named by `bytes`, or ``other``. Allocation-free.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> EventType {
        @inline(__always) func equals(_ name: StaticString) -> Bool {
            guard name.utf8CodeUnitCount == bytes.count, let base = bytes.baseAddress else { return false }
            return memcmp(name.utf8Start, base, bytes.count) == 0
        }
        switch bytes.count {
        case 5: if equals("click") { return .click }
        case 6:
            if equals("search") { return .search }
            if equals("review") { return .review }
        case 8:
            if equals("purchase") { return .purchase }
            if equals("cart_add") { return .cartAdd }
        case 9: if equals("page_view") { return .pageView }
        case 10:
            if equals("email_open") { return .emailOpen }
            if equals("email_sent") { return .emailSent }
        case 11:
            if equals("email_click") { return .emailClick }
            if equals("app_session") { return .appSession }
            if equals("store_visit") { return .storeVisit }
        case 17:
            if equals("email_unsubscribe") { return .emailUnsubscribe }
            if equals("social_engagement") { return .socialEngagement }
        default: break
        }
        return .other
    }
}

/// One customer touchpoint event, as read from JSON Lines or CSV (DESIGN.md, "Events").
///
/// Type-specific fields are optional; a reader fills only those present. Amounts are in the
/// shop's currency unit, durations in seconds, timestamps in seconds since the Unix epoch (UTC).
public struct Event: Sendable, Hashable {
    /// The customer's identifier (non-empty).
    public var customerID: String
    /// When the event happened, in seconds since 1970-01-01T00:00:00Z.
    public var timestamp: Double
    /// The touchpoint (`channel`); ``Channel/other`` when absent or unknown.
    public var channel: Channel
    /// What happened (`type`).
    public var type: EventType
    /// Monetary value (`value`, ≥ 0): the order total of a purchase.
    public var value: Double?
    /// Number of items (`quantity` or `items`, ≥ 0) of a purchase or cart add.
    public var quantity: Double?
    /// Product category (`category`).
    public var category: String?
    /// Time spent (`duration_s`, ≥ 0 seconds): page dwell or session length.
    public var durationSeconds: Double?
    /// Search text (`query`).
    public var query: String?
    /// Product identifier (`sku`).
    public var sku: String?
    /// Review text (`text`).
    public var text: String?
    /// Review rating (`rating`, 1–5 in the usual scale; any finite value is kept).
    public var rating: Double?
    /// Discount applied to a purchase (`discount`, ≥ 0 currency units, or `true`/`false`).
    public var discount: Double?

    /// Creates an event; optional fields default to absent.
    public init(
        customerID: String, timestamp: Double, channel: Channel = .other, type: EventType,
        value: Double? = nil, quantity: Double? = nil, category: String? = nil,
        durationSeconds: Double? = nil, query: String? = nil, sku: String? = nil,
        text: String? = nil, rating: Double? = nil, discount: Double? = nil
    ) {
        self.customerID = customerID
        self.timestamp = timestamp
        self.channel = channel
        self.type = type
        self.value = value
        self.quantity = quantity
        self.category = category
        self.durationSeconds = durationSeconds
        self.query = query
        self.sku = sku
        self.text = text
        self.rating = rating
        self.discount = discount
    }
}
