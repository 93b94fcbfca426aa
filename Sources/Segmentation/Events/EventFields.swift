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

/// An event under construction: fields arrive in any order, validation happens at the end.
struct EventBuilder {
    var customerID: String?
    var timestamp: Double?
    var channel: Channel = .other
    var type: EventType?
    var value: Double?
    var quantity: Double?
    var category: String?
    var duration: Double?
    var query: String?
    var sku: String?
    var text: String?
    var rating: Double?
    var discount: Double?

    /// Sets a numeric field after checking it is finite and, where the field is a
    /// non-negative quantity, not negative.
    mutating func setNumber(_ number: Double, for field: EventField, line: Int) throws(SegmentationError) {
        guard number.isFinite else {
            throw .malformedEvent(.init(line: line, field: field.name, reason: "\(number) is not a finite number"))
        }
        switch field {
        case .timestamp:
            guard let t = Timestamp.fromEpochNumber(number) else {
                throw .malformedEvent(.init(line: line, field: field.name, reason: "unparsable timestamp \(number)"))
            }
            timestamp = t
        case .value, .quantity, .duration, .discount:
            guard number >= 0 else {
                throw .malformedEvent(.init(line: line, field: field.name, reason: "negative value \(number); amounts, quantities and durations must be ≥ 0"))
            }
            switch field {
            case .value: value = number
            case .quantity: quantity = number
            case .duration: duration = number
            default: discount = number
            }
        case .rating: rating = number
        case .customerID:
            // Numeric identifiers are kept in their shortest round-trip spelling.
            customerID = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default:
            throw .malformedEvent(.init(line: line, field: field.name, reason: "expected text, got the number \(number)"))
        }
    }

    /// Sets a text field; numeric fields given as text are parsed.
    mutating func setText(_ bytes: UnsafeBufferPointer<UInt8>, for field: EventField, line: Int) throws(SegmentationError) {
        switch field {
        case .customerID:
            customerID = String(decoding: bytes, as: UTF8.self)
        case .timestamp:
            guard let t = Timestamp.parse(bytes) else {
                throw .malformedEvent(.init(
                    line: line, field: field.name,
                    reason: "unparsable timestamp \"\(String(decoding: bytes, as: UTF8.self))\"; use ISO 8601 (2024-03-01T12:00:00Z) or epoch seconds"))
            }
            timestamp = t
        case .channel: channel = Channel.parse(bytes)
        case .type: type = EventType.parse(bytes)
        case .category: category = bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        case .query: query = bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        case .sku: sku = bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        case .text: text = bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        case .discount where bytes.elementsEqual("true".utf8) || bytes.elementsEqual("false".utf8):
            discount = bytes.count == 4 ? 1 : 0
        case .value, .quantity, .duration, .rating, .discount:
            if bytes.isEmpty { return }
            guard let number = NumberParser.parse(bytes) else {
                throw .malformedEvent(.init(
                    line: line, field: field.name,
                    reason: "expected a number, got \"\(String(decoding: bytes, as: UTF8.self))\""))
            }
            try setNumber(number, for: field, line: line)
        }
    }

    /// The finished event.
    /// - Throws: ``SegmentationError/malformedEvent(_:)`` when `customer_id`, `timestamp` or
    ///   `type` is missing or empty.
    func build(line: Int) throws(SegmentationError) -> Event {
        guard let customerID, !customerID.isEmpty else {
            throw .malformedEvent(.init(line: line, field: "customer_id", reason: "missing or empty; every event needs the customer it belongs to"))
        }
        guard let timestamp else {
            throw .malformedEvent(.init(line: line, field: "timestamp", reason: "missing"))
        }
        guard let type else {
            throw .malformedEvent(.init(line: line, field: "type", reason: "missing; give the event type (page_view, purchase, …)"))
        }
        return Event(
            customerID: customerID, timestamp: timestamp, channel: channel, type: type, value: value,
            quantity: quantity, category: category, durationSeconds: duration, query: query, sku: sku,
            text: text, rating: rating, discount: discount)
    }
}
