import AttuneCore
import Foundation
import Linalg

@testable import Segmentation

/// Seeded synthetic shoppers of three kinds (bargain web browsers, loyal store buyers,
/// e-mail-driven app users), in time order.
enum EventFixtures {
    static let start = 1_700_000_000.0

    static func events(customers: Int, seed: UInt64) -> [Event] {
        var rng = SeededGenerator(seed: seed)
        var events: [Event] = []
        let categories = ["shoes", "bags", "toys", "garden", "books", "food", "tools"]
        let queries = ["red shoes", "cheap bag sale", "lego set", "garden hose", "best novel 2024", "organic coffee"]
        let reviews = ["great quality, fast delivery", "terrible, arrived broken", "not good at all", "amazing, love it", "ok"]
        for c in 0..<customers {
            let kind = c % 3
            let id = "cust-\(c)"
            var t = start + rng.nextUniform() * 86_400 * 10
            let count = 15 + Int(rng.nextUniform() * 25)
            for _ in 0..<count {
                t += rng.nextUniform() * 86_400 * Double(1 + kind * 3)
                // Each kind shops at its own time of day, mostly in its own two categories.
                let midnight = (t / 86_400).rounded(.down) * 86_400
                t = max(t, midnight + Double(7 + kind * 5) * 3_600 + rng.nextUniform() * 3_600)
                let u = rng.nextUniform()
                let ownCategory = rng.nextUniform() < 0.85
                let category = ownCategory
                    ? categories[2 * kind + (rng.nextUniform() < 0.5 ? 0 : 1)]
                    : categories[Int(rng.nextUniform() * Double(categories.count)) % categories.count]
                var e: Event
                switch (kind, u) {
                case (_, ..<0.25):
                    let channel: Channel = kind == 1 ? .store : (kind == 2 ? .app : .web)
                    e = Event(customerID: id, timestamp: t, channel: channel, type: .purchase,
                              value: 10 + rng.nextUniform() * Double(20 + kind * 80), quantity: Double(1 + Int(rng.nextUniform() * 4)),
                              category: category, discount: kind == 0 && rng.nextUniform() < 0.7 ? 5 : nil)
                case (0, _), (1, ..<0.5):
                    e = Event(customerID: id, timestamp: t, channel: .web, type: .pageView, category: category,
                              durationSeconds: rng.nextUniform() * 120)
                case (1, _):
                    e = Event(customerID: id, timestamp: t, channel: .store, type: .storeVisit)
                default:
                    let types: [EventType] = [.emailSent, .emailOpen, .emailClick, .appSession, .search, .review]
                    let type = types[Int(rng.nextUniform() * Double(types.count)) % types.count]
                    e = Event(customerID: id, timestamp: t, channel: type == .appSession || type == .search ? .app : .email, type: type)
                    if type == .search { e.query = queries[Int(rng.nextUniform() * 6) % 6] }
                    if type == .review {
                        e.text = reviews[Int(rng.nextUniform() * 5) % 5]
                        e.rating = Double(1 + Int(rng.nextUniform() * 5))
                    }
                    if type == .appSession { e.durationSeconds = 60 + rng.nextUniform() * 600 }
                }
                events.append(e)
            }
        }
        return events.sorted { $0.timestamp < $1.timestamp }
    }

    /// The events as JSON Lines text.
    static func jsonLines(_ events: [Event]) -> String {
        var out = ""
        for e in events {
            var fields = [
                "\"customer_id\":\"\(e.customerID)\"", "\"timestamp\":\(e.timestamp)",
                "\"channel\":\"\(e.channel.rawValueName)\"", "\"type\":\"\(e.type.name)\"",
            ]
            if let v = e.value { fields.append("\"value\":\(v)") }
            if let v = e.quantity { fields.append("\"quantity\":\(v)") }
            if let v = e.category { fields.append("\"category\":\"\(v)\"") }
            if let v = e.durationSeconds { fields.append("\"duration_s\":\(v)") }
            if let v = e.query { fields.append("\"query\":\"\(v)\"") }
            if let v = e.text { fields.append("\"text\":\"\(v)\"") }
            if let v = e.rating { fields.append("\"rating\":\(v)") }
            if let v = e.discount { fields.append("\"discount\":\(v)") }
            out += "{" + fields.joined(separator: ",") + "}\n"
        }
        return out
    }

    /// `n` points from `k` well-separated spherical Gaussians in `d` dimensions, with their labels.
    static func mixture(n: Int, k: Int, d: Int, separation: Double, seed: UInt64) -> (Matrix, [Int]) {
        var rng = SeededGenerator(seed: seed)
        var centres = [[Double]]()
        for _ in 0..<k { centres.append((0..<d).map { _ in rng.nextStandardNormal() * separation }) }
        var x = Matrix(rows: n, columns: d)
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let c = i % k
            labels[i] = c
            for j in 0..<d { x[i, j] = centres[c][j] + rng.nextStandardNormal() }
        }
        return (x, labels)
    }
}
