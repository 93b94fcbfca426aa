import Foundation
import Linalg
import Testing

@testable import Segmentation

@Suite("Customer features")
struct FeatureTests {
    @Test("Incremental profiles give the batch numbers", arguments: [UInt64(1), 2, 3])
    func batchEqualsIncremental(seed: UInt64) throws {
        let events = EventFixtures.events(customers: 30, seed: seed)
        var table = ProfileTable(searchBuckets: 8)
        for e in events { table.update(with: e) }
        let schema = try table.makeSchema(maximumCategories: 4)
        let asOf = table.latestTimestamp + 3_600
        let (ids, matrix) = table.featureMatrix(schema: schema, asOf: asOf)
        #expect(ids.count == 30)
        let grouped = Dictionary(grouping: events, by: \.customerID)
        for (i, id) in ids.enumerated() {
            let batch = BatchFeatures.features(of: try #require(grouped[id]), schema: schema, asOf: asOf)
            for j in 0..<schema.count {
                let a = matrix[i, j], b = batch[j]
                #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(id) \(schema.names[j]): incremental \(a) vs batch \(b)")
            }
        }
    }

    @Test("Features through the JSON Lines reader equal features from the events")
    func throughReader() throws {
        let events = EventFixtures.events(customers: 12, seed: 9)
        var direct = ProfileTable()
        for e in events { direct.update(with: e) }
        var streamed = ProfileTable()
        let report = try EventReader(format: .jsonLines).read(bytes: Array(EventFixtures.jsonLines(events).utf8)) { streamed.update(with: $0) }
        #expect(report.eventCount == events.count)
        let schema = try direct.makeSchema()
        #expect(try streamed.makeSchema() == schema)
        let a = direct.featureMatrix(schema: schema, asOf: direct.latestTimestamp)
        let b = streamed.featureMatrix(schema: schema, asOf: direct.latestTimestamp)
        #expect(a.customerIDs == b.customerIDs)
        for (u, v) in zip(a.features.elements, b.features.elements) { #expect(abs(u - v) <= 1e-9 * max(1, abs(u))) }
    }

    @Test("Hand-computed RFM, gaps, shares and trend")
    func handComputed() throws {
        let day = 86_400.0
        let t0 = 1_704_067_200.0  // 2024-01-01T00:00:00Z, a Monday
        let events = [
            Event(customerID: "a", timestamp: t0, channel: .web, type: .pageView, category: "shoes", durationSeconds: 30),
            Event(customerID: "a", timestamp: t0 + 600, channel: .web, type: .purchase, value: 100, quantity: 2, category: "shoes", discount: 10),
            Event(customerID: "a", timestamp: t0 + 10 * day, channel: .store, type: .purchase, value: 50, quantity: 1, category: "bags"),
            Event(customerID: "a", timestamp: t0 + 40 * day, channel: .store, type: .purchase, value: 150, category: "toys"),
        ]
        var profile = CustomerProfile(searchBuckets: 4)
        for e in events { profile.update(with: e) }
        let schema = try FeatureSchema(topCategories: ["shoes", "bags"], searchBuckets: 4)
        let asOf = t0 + 45 * day
        let x = profile.features(schema: schema, asOf: asOf)
        func f(_ name: String) throws -> Double { x[try #require(schema.index(of: name))] }
        #expect(try f("recency_days") == 5)
        #expect(try f("frequency") == 3)
        #expect(try f("monetary") == 300)
        #expect(try f("aov") == 100)
        // Gaps: (10 d − 600 s) and 30 d.
        let g1 = 10 - 600 / day, g2 = 30.0
        let mean = (g1 + g2) / 2
        #expect(abs(try f("ipt_mean_days") - mean) < 1e-12)
        #expect(abs(try f("ipt_cv") - abs(g2 - g1) / 2 / mean) < 1e-12)
        #expect(try f("basket_size") == 1.5)
        #expect(abs(try f("discount_rate") - 1.0 / 3) < 1e-15)
        #expect(try f("category_share.shoes") == 0.5)
        #expect(try f("category_share.other") == 0.25)
        #expect(try f("channel_share.store") == 0.5)
        #expect(try f("in_store_share") == 200.0 / 300)
        #expect(try f("tenure_days") == 45)
        // Ages in days at asOf: 45, 45, 35, 5 → last 30 days: 1 event, the 30 before: 3.
        #expect(abs(try f("trend_30d") - (1.0 - 3.0) / 4.0) < 1e-15)
        #expect(try f("dow_sin") != 0)  // Mondays and others mixed
        #expect(try f("review_rating") == 3)
        #expect(try f("pages_per_session") == 1)
    }

    @Test("Lexicon sentiment signs and negation", arguments: [
        ("Great quality, amazing fit!", 1.0), ("terrible and broken", -1.0), ("not good", -1.0),
        ("the colour is blue", 0.0), ("good but late", 0.0),
    ])
    func sentiment(text: String, expected: Double) {
        #expect(TextFeatures.sentiment(text) == expected)
    }

    @Test("Schema names are unique and match the column count")
    func schemaNames() throws {
        let schema = try FeatureSchema(topCategories: ["a", "b", "c"], searchBuckets: 5)
        #expect(schema.names.count == schema.count)
        #expect(Set(schema.names).count == schema.count)
        #expect(throws: SegmentationError.self) { try FeatureSchema(topCategories: [], searchBuckets: 0) }
    }

    @Test("Standard and robust scalers center and scale each column")
    func scalers() throws {
        let x = try Matrix(rows: 5, columns: 2, elements: [1, 10, 2, 10, 3, 10, 4, 10, 100, 10])
        let standard = try Scaler(fitting: x, method: .standard)
        let z = try standard.transform(x)
        let col0 = (0..<5).map { z[$0, 0] }
        #expect(abs(col0.reduce(0, +)) < 1e-12)
        #expect(abs(col0.reduce(0) { $0 + $1 * $1 } / 5 - 1) < 1e-12)
        #expect((0..<5).allSatisfy { z[$0, 1] == 0 })  // constant column → 0, not NaN
        let robust = try Scaler(fitting: x, method: .robust)
        #expect(robust.center[0] == 3)
        #expect(robust.scale[0] == 2)  // Q3 = 4, Q1 = 2
        #expect(try robust.transform([5, 10]) == [1, 0])
        #expect(throws: SegmentationError.self) { try robust.transform([1]) }
        #expect(throws: SegmentationError.self) { try robust.transform([.nan, 1]) }
    }
}
