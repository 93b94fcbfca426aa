import Foundation

/// The event fields the readers know, shared by the JSON Lines and CSV parsers, and the
/// validation every event goes through whichever format it came from.
enum EventField: UInt8, CaseIterable {
    case customerID, timestamp, channel, type, value, quantity, category, duration
    case query, sku, text, rating, discount

    /// The field named by `bytes` (`items` is accepted for `quantity`), or `nil` for a field
    /// the readers ignore. Allocation-free.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> EventField? {
        @inline(__always) func equals(_ name: StaticString) -> Bool {
            guard name.utf8CodeUnitCount == bytes.count, let base = bytes.baseAddress else { return false }
            return memcmp(name.utf8Start, base, bytes.count) == 0
        }
        switch bytes.count {
        case 3: if equals("sku") { return .sku }
        case 4:
            if equals("type") { return .type }
            if equals("text") { return .text }
        case 5:
            if equals("value") { return .value }
            if equals("query") { return .query }
            if equals("items") { return .quantity }
        case 6: if equals("rating") { return .rating }
        case 7: if equals("channel") { return .channel }
        case 8:
            if equals("quantity") { return .quantity }
            if equals("category") { return .category }
            if equals("discount") { return .discount }
        case 9: if equals("timestamp") { return .timestamp }
        case 10: if equals("duration_s") { return .duration }
        case 11: if equals("customer_id") { return .customerID }
        default: break
        }
        return nil
    }

    /// The spelling in event files.
    var name: String {
        switch self {
        case .customerID: "customer_id"
        case .timestamp: "timestamp"
        case .channel: "channel"
        case .type: "type"
        case .value: "value"
        case .quantity: "quantity"
        case .category: "category"
        case .duration: "duration_s"
        case .query: "query"
        case .sku: "sku"
        case .text: "text"
        case .rating: "rating"
        case .discount: "discount"
        }
    }
}

