import AttuneCore
import Foundation
import Linalg
import Testing

@testable import Segmentation

@Suite("Real time: live profiles, behaviour changes, drift")
struct RealTimeTests {
    @Test("Live assignment after every event equals a batch assignment of the final profiles")
    func liveEqualsBatch() throws {
        let events = EventFixtures.events(customers: 45, seed: 6)
        var table = ProfileTable()
        for e in events { table.update(with: e) }
        let schema = try table.makeSchema(maximumCategories: 6)
        let (ids, raw) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 6)
        let model = try SegmentationFitter(try .init(k: 3, initializations: 3, bootstrapRuns: 0)).fit(raw: raw, featureNames: schema.names, schema: schema, using: &rng)
        var live = try RealTimeSegmenter(model: model)
        var moves = 0
        for e in events {
            let update = try live.ingest(e, now: table.latestTimestamp)
            moves += update.changes.filter { if case .segmentChanged = $0 { true } else { false } }.count
        }
        let batch = try model.assign(raw: raw)
        for (i, id) in ids.enumerated() { #expect(live.segment(of: id) == batch[i]) }
        #expect(moves > 0)  // early profiles look different from late ones
    }

    @Test("A purchase far above the usual order value is a spend jump; silence is an engagement drop")
    func behaviourChanges() throws {
        let day = 86_400.0, t0 = 1_704_067_200.0
        var table = ProfileTable()
        var events: [Event] = []
        for i in 0..<12 {
            events.append(Event(customerID: "a", timestamp: t0 + Double(i) * 2 * day, channel: .web, type: .purchase, value: 20))
            events.append(Event(customerID: "b", timestamp: t0 + Double(i) * 2 * day, channel: .web, type: .purchase, value: 20 + Double(i)))
        }
        for e in events { table.update(with: e) }
        let schema = try table.makeSchema()
        let (_, raw) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 1)
        let model = try SegmentationFitter(try .init(k: 1, initializations: 1, bootstrapRuns: 0)).fit(raw: raw, featureNames: schema.names, schema: schema, using: &rng)
        var live = try RealTimeSegmenter(model: model)
        for e in events { _ = try live.ingest(e) }
        let jump = try live.ingest(Event(customerID: "a", timestamp: t0 + 30 * day, channel: .web, type: .purchase, value: 100))
        #expect(jump.changes == [.spendJump(customerID: "a", value: 100, previousAverage: 20)])
        let normal = try live.ingest(Event(customerID: "b", timestamp: t0 + 30 * day, channel: .web, type: .purchase, value: 40))
        #expect(normal.changes.isEmpty)
        // Events on days 0, 2, …, 22 and 30; at day 70 the window of days 11–40 holds 7 of them.
        #expect(live.engagementDrops(asOf: t0 + 25 * day).isEmpty)
        let drops = live.engagementDrops(asOf: t0 + 70 * day)
        #expect(drops.count == 2)
        #expect(drops.first == .engagementDrop(customerID: "a", last30Days: 0, previous30Days: 7))
    }

    @Test("PSI: hand-computed value, ~0 for the same population, large for a shifted one")
    func psi() throws {
        #expect(abs(DriftMonitor.psi(reference: [0.5, 0.5], current: [0.25, 0.75]) - (-0.25 * log(0.5) + 0.25 * log(1.5))) < 1e-15)
        var rng = SeededGenerator(seed: 3)
        func sample(shift: Double) throws -> Matrix {
            try Matrix(rows: 4_000, columns: 2, elements: (0..<8_000).map { $0 % 2 == 0 ? rng.nextStandardNormal() + shift : rng.nextUniform() })
        }
        let monitor = try DriftMonitor(reference: try sample(shift: 0), names: ["spend", "noise"])
        let same = try monitor.report(current: try sample(shift: 0))
        #expect(same.maximum < 0.02)
        #expect(!same.shouldRefit)
        let shifted = try monitor.report(current: try sample(shift: 1))
        #expect(shifted.features.first?.feature == "spend")
        #expect(shifted.maximum > 0.5)
        #expect(shifted.shouldRefit)
        #expect(shifted.features.last.map { $0.psi < 0.02 } == true)
        #expect(throws: SegmentationError.self) { try monitor.report(current: Matrix(rows: 3, columns: 3)) }
    }
}

@Suite("Segment movement between periods")
struct SegmentMovementTests {
    @Test("Customers whose behaviour switched kind are reported with the features that moved")
    func movement() throws {
        let events = EventFixtures.events(customers: 60, seed: 12)
        var table = ProfileTable()
        for e in events { table.update(with: e) }
        let schema = try table.makeSchema(maximumCategories: 6)
        let (ids, raw) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
        var rng = SeededGenerator(seed: 12)
        let model = try SegmentationFitter(try .init(k: 3, initializations: 3, bootstrapRuns: 0)).fit(raw: raw, featureNames: schema.names, schema: schema, using: &rng)
        // Next period: customers 0 and 1 swap their feature rows, everyone else is unchanged.
        var next = raw
        for j in 0..<raw.columns {
            next[0, j] = raw[1, j]
            next[1, j] = raw[0, j]
        }
        let movement = try SegmentMovement.compare(previous: (ids, raw), current: (ids, next), model: model)
        let labels = try model.assign(raw: raw)
        #expect(movement.common == 60)
        #expect(movement.moves.map(\.customerID) == (labels[0] != labels[1] ? [ids[0], ids[1]] : []))
        #expect(movement.transitions.flatMap { $0 }.reduce(0, +) == 60)
        if let first = movement.moves.first {
            #expect(first.from == labels[0] && first.to == labels[1])
            #expect(first.reasons.count == 3)
            #expect(abs(first.reasons[0].scaledChange) >= abs(first.reasons[2].scaledChange))
        }
        #expect(movement.stability <= 1)
        let same = try SegmentMovement.compare(previous: (ids, raw), current: (ids, raw), model: model)
        #expect(same.moves.isEmpty && same.stability == 1)
    }
}
