/// One parsed event whose text fields are still bytes of the input line (or of the reader's
/// per-line arena, for strings that carried escapes): what the readers hand to the profile
/// table, so the per-event path creates no `String`.
///
/// The buffers are valid only during the call that receives the view; ``event`` copies them
/// into an owned ``Event``.
struct EventView {
    /// The customer's identifier (non-empty).
    var customerID: UnsafeBufferPointer<UInt8>
    /// Seconds since the epoch.
    var timestamp: Double
    var channel: Channel
    var type: EventType
    var value: Double?
    var quantity: Double?
    var durationSeconds: Double?
    var rating: Double?
    var discount: Double?
    /// Text fields; `nil` when absent or empty.
    var category: UnsafeBufferPointer<UInt8>?
    var query: UnsafeBufferPointer<UInt8>?
    var sku: UnsafeBufferPointer<UInt8>?
    var text: UnsafeBufferPointer<UInt8>?

    /// The owned event.
    var event: Event {
        func string(_ b: UnsafeBufferPointer<UInt8>?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
        return Event(
            customerID: String(decoding: customerID, as: UTF8.self), timestamp: timestamp, channel: channel, type: type,
            value: value, quantity: quantity, category: string(category), durationSeconds: durationSeconds,
            query: string(query), sku: string(sku), text: string(text), rating: rating, discount: discount)
    }

    /// Calls `body` with the view of an owned event (the table's path for ``Event`` values).
    static func with<R>(_ e: Event, _ body: (EventView) -> R) -> R {
        var id = e.customerID
        return id.withUTF8 { idBytes in
            withOptionalUTF8(e.category) { category in
                withOptionalUTF8(e.query) { query in
                    withOptionalUTF8(e.text) { text in
                        body(EventView(
                            customerID: idBytes, timestamp: e.timestamp, channel: e.channel, type: e.type, value: e.value,
                            quantity: e.quantity, durationSeconds: e.durationSeconds, rating: e.rating, discount: e.discount,
                            category: category, query: query, sku: nil, text: text))
                    }
                }
            }
        }
    }

    private static func withOptionalUTF8<R>(_ s: String?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        // An empty string stays present (an empty category still counts, as in the batch path).
        guard var s else { return body(nil) }
        return s.withUTF8 { body($0) }
    }
}

/// Scratch memory for one line: decoded strings with escapes and numeric identifiers are
/// written here, at increasing offsets, so every text field of the line stays valid at once.
///
/// A decoded string is never longer than its source, and the sources of different fields do
/// not overlap, so `line length + ` ``EventArena/reserve`` bytes always suffice.
struct EventArena {
    /// Bytes kept beyond the line length, for a numeric customer id spelled as text.
    static let reserve = 48

    let base: UnsafeMutablePointer<UInt8>?
    let capacity: Int
    var used = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress
        capacity = buffer.baseAddress == nil ? 0 : buffer.count
    }

    /// Appends `c` (dropped if the arena is full, which the sizing rule excludes).
    @inline(__always) mutating func append(_ c: UInt8) {
        guard used < capacity, let base else { return }
        base[used] = c
        used += 1
    }

    /// Appends the bytes `b`.
    mutating func append(contentsOf b: UnsafeBufferPointer<UInt8>) {
        for c in b { append(c) }
    }

    /// The bytes written since `start`.
    func slice(from start: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base.map { $0 + start }, count: base == nil ? 0 : used - start)
    }
}

/// An event view under construction: fields arrive in any order, validation happens at the end.
struct EventViewBuilder {
    var customerID: UnsafeBufferPointer<UInt8>?
    var timestamp: Double?
    var channel: Channel = .other
    var type: EventType?
    var value: Double?
    var quantity: Double?
    var category: UnsafeBufferPointer<UInt8>?
    var duration: Double?
    var query: UnsafeBufferPointer<UInt8>?
    var sku: UnsafeBufferPointer<UInt8>?
    var text: UnsafeBufferPointer<UInt8>?
    var rating: Double?
    var discount: Double?

    /// Sets a numeric field after checking it is finite and, where the field is a
    /// non-negative quantity, not negative. A numeric customer id is spelled into `arena`.
    mutating func setNumber(_ number: Double, for field: EventField, line: Int, arena: inout EventArena) throws(SegmentationError) {
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
            let start = arena.used
            if number == number.rounded(), abs(number) < 1e15 {
                EventViewBuilder.spell(Int64(number), into: &arena)
            } else {
                for c in String(number).utf8 { arena.append(c) }
            }
            customerID = arena.slice(from: start)
        default:
            throw .malformedEvent(.init(line: line, field: field.name, reason: "expected text, got the number \(number)"))
        }
    }

    /// Writes the decimal digits of `n` without creating a string.
    static func spell(_ n: Int64, into arena: inout EventArena) {
        if n < 0 { arena.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for k in stride(from: count - 1, through: 0, by: -1) { arena.append(d[k]) }
        }
    }

    /// Sets a text field; numeric fields given as text are parsed.
    mutating func setText(_ bytes: UnsafeBufferPointer<UInt8>, for field: EventField, line: Int, arena: inout EventArena) throws(SegmentationError) {
        switch field {
        case .customerID: customerID = bytes
        case .timestamp:
            guard let t = Timestamp.parse(bytes) else {
                throw .malformedEvent(.init(
                    line: line, field: field.name,
                    reason: "unparsable timestamp \"\(String(decoding: bytes, as: UTF8.self))\"; use ISO 8601 (2024-03-01T12:00:00Z) or epoch seconds"))
            }
            timestamp = t
        case .channel: channel = Channel.parse(bytes)
        case .type: type = EventType.parse(bytes)
        case .category: category = bytes.isEmpty ? nil : bytes
        case .query: query = bytes.isEmpty ? nil : bytes
        case .sku: sku = bytes.isEmpty ? nil : bytes
        case .text: text = bytes.isEmpty ? nil : bytes
        case .discount where bytes.elementsEqual("true".utf8) || bytes.elementsEqual("false".utf8):
            discount = bytes.count == 4 ? 1 : 0
        case .value, .quantity, .duration, .rating, .discount:
            if bytes.isEmpty { return }
            guard let number = NumberParser.parse(bytes) else {
                throw .malformedEvent(.init(
                    line: line, field: field.name,
                    reason: "expected a number, got \"\(String(decoding: bytes, as: UTF8.self))\""))
            }
            try setNumber(number, for: field, line: line, arena: &arena)
        }
    }

    /// The finished view.
    /// - Throws: ``SegmentationError/malformedEvent(_:)`` when `customer_id`, `timestamp` or
    ///   `type` is missing or empty.
    func build(line: Int) throws(SegmentationError) -> EventView {
        guard let customerID, !customerID.isEmpty else {
            throw .malformedEvent(.init(line: line, field: "customer_id", reason: "missing or empty; every event needs the customer it belongs to"))
        }
        guard let timestamp else {
            throw .malformedEvent(.init(line: line, field: "timestamp", reason: "missing"))
        }
        guard let type else {
            throw .malformedEvent(.init(line: line, field: "type", reason: "missing; give the event type (page_view, purchase, …)"))
        }
        return EventView(
            customerID: customerID, timestamp: timestamp, channel: channel, type: type, value: value,
            quantity: quantity, durationSeconds: duration, rating: rating, discount: discount,
            category: category, query: query, sku: sku, text: text)
    }
}
