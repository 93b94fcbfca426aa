import Linalg

/// The profiles of every customer seen in an event stream, keyed by customer id, with the
/// global category counts that decide a schema's top categories.
///
/// Memory grows with the number of customers (and the distinct categories each touched),
/// never with the number of events. The per-event path allocates nothing and creates no
/// `String`: customer ids and categories are interned from their bytes (``ByteKeyTable``),
/// per-customer category counts sit in one integer-keyed table and search-term buckets in
/// one flat array, so a profile row holds only fixed-size accumulators.
///
/// ```
/// var table = ProfileTable()
/// try EventReader(format: .jsonLines).read(path: "events.jsonl", into: &table)
/// let schema = try table.makeSchema(maximumCategories: 8)
/// let (ids, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
/// ```
public struct ProfileTable: Sendable {
    /// The number of hashed search-term buckets every profile keeps.
    public let searchBuckets: Int
    /// Customer ids in order of first appearance.
    public private(set) var customerIDs: [String] = []
    /// The fixed-size accumulators, parallel to ``customerIDs`` (category and search-term
    /// counters live in the tables below).
    private var rows: [CustomerProfile] = []
    private var customers = ByteKeyTable()
    private var categories = ByteKeyTable()
    /// Category-carrying events per category id, over all customers.
    private var categoryTotals: [Int] = []
    /// (row, category id) → events, for the categories beyond the four a row keeps inline.
    private var customerCategories = PairCountTable()
    /// `searchBuckets` counters per row.
    private var searchCounts: [Int32] = []
    /// The latest event time seen (epoch seconds); `-∞` while empty.
    public private(set) var latestTimestamp = -Double.infinity
    /// A sum of the rows read ahead of a batch, kept so the reads are not optimised away.
    private var rowsTouched = 0

    /// Creates an empty table whose profiles hash search terms into `searchBuckets` buckets.
    public init(searchBuckets: Int = 8) {
        self.searchBuckets = max(1, searchBuckets)
    }

    /// The number of customers.
    public var count: Int { rows.count }

    /// Category-carrying events per category, over all customers.
    /// - Complexity: O(categories).
    public var categoryCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for (id, c) in categoryTotals.enumerated() { counts[categories.string(id)] = c }
        return counts
    }

    /// The full profiles, parallel to ``customerIDs``.
    /// - Complexity: O(customers × categories).
    public var profiles: [CustomerProfile] { rows.indices.map(profile(row:)) }

    /// The profile of `customerID`, if seen.
    /// - Complexity: O(categories + search buckets).
    public func profile(of customerID: String) -> CustomerProfile? {
        var id = customerID
        return id.withUTF8 { customers.id(of: $0) }.map(profile(row:))
    }

    private func profile(row: Int) -> CustomerProfile {
        var p = rows[row]
        p.tableCategories = .init()
        p.searchTermCounts = (0..<searchBuckets).map { Int(searchCounts[row * searchBuckets + $0]) }
        for id in 0..<categories.count {
            let c = categoryCount(row: row, id: id)
            if c > 0 { p.categoryCounts[categories.string(id)] = c }
        }
        return p
    }

    /// Folds `event` into its customer's profile (creating it on first sight).
    /// - Complexity: O(1) expected plus the event's text length.
    public mutating func update(with event: Event) {
        EventView.with(event) { update($0) }
    }

    /// The per-event path.
    /// - Complexity: O(1) expected plus the event's text length, no allocation once the
    ///   customer and category are known.
    @inline(__always)
    mutating func update(_ event: EventView) {
        update(event, row: row(of: event.customerID))
    }

    /// The readers' path: a batch of consecutive events in file order. All customers of the
    /// batch are looked up first and their rows read once, then the events are applied: the
    /// lookups (and then the rows) of different events are independent loads that the
    /// processor overlaps, where one event at a time would wait for each cache miss in turn.
    /// - Complexity: O(batch) expected plus the events' text length.
    mutating func update(_ batch: UnsafeBufferPointer<EventView>) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: batch.count) { found in
            for (i, event) in batch.enumerated() { found[i] = row(of: event.customerID) }
            var touched = 0
            rows.withUnsafeBufferPointer { r in
                // The lines every event writes: the head of the row, both halves of the
                // day counters, and the engagement counters after them.
                for i in 0..<batch.count {
                    let row = found[i]
                    touched &+= r[row].eventCount &+ Int(r[row].dayCounts[0]) &+ Int(r[row].dayCounts[40]) &+ r[row].pageViews
                }
            }
            rowsTouched &+= touched
            for (i, event) in batch.enumerated() { update(event, row: found[i]) }
        }
    }

    /// The row of `customerID`, created on first sight.
    @inline(__always)
    private mutating func row(of customerID: UnsafeBufferPointer<UInt8>) -> Int {
        let (row, inserted) = customers.insert(customerID)
        if inserted {
            customerIDs.append(String(decoding: customerID, as: UTF8.self))
            rows.append(CustomerProfile(countersKeptByOwner: ()))
            searchCounts.append(contentsOf: repeatElement(0, count: searchBuckets))
        }
        return row
    }

    @inline(__always)
    private mutating func update(_ event: EventView, row: Int) {
        rows[row].record(event)
        if let category = event.category {
            let (id, new) = categories.insert(category)
            if new { categoryTotals.append(0) }
            categoryTotals[id] += 1
            if !rows[row].countTableCategory(id) { customerCategories.increment(row, id) }
        }
        if let query = event.query {
            let buckets = searchBuckets, base = row * buckets
            var terms = 0
            TextFeatures.forEachToken(query) { term in
                searchCounts[base + TextFeatures.bucket(of: term, buckets: buckets)] &+= 1
                terms += 1
            }
            rows[row].searchTermTotal += terms
        }
        if event.timestamp > latestTimestamp { latestTimestamp = event.timestamp }
    }

    /// Events of category `id` for customer `row`.
    private func categoryCount(row: Int, id: Int) -> Int {
        rows[row].tableCategoryCount(id) ?? customerCategories.value(row, id)
    }

    /// A schema with the `maximumCategories` most frequent categories (ties by name) and this
    /// table's search buckets.
    /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` when
    ///   `maximumCategories` is negative.
    public func makeSchema(maximumCategories: Int = 8) throws(SegmentationError) -> FeatureSchema {
        guard maximumCategories >= 0 else {
            throw .invalidParameter(name: "maximumCategories", value: "\(maximumCategories)", expected: "an integer ≥ 0")
        }
        let top = categoryCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(maximumCategories).map(\.key)
        return try FeatureSchema(topCategories: Array(top), searchBuckets: searchBuckets)
    }

    /// The feature matrix (one row per customer, in ``customerIDs`` order) at `asOf`.
    /// - Complexity: O(customers · features).
    public func featureMatrix(schema: FeatureSchema, asOf: Double) -> (customerIDs: [String], features: Matrix) {
        let d = schema.count
        var m = Matrix(rows: rows.count, columns: d)
        let topIDs: [Int?] = schema.topCategories.map { name in
            var s = name
            return s.withUTF8 { categories.id(of: $0) }
        }
        let buckets = searchBuckets
        m.elements.withUnsafeMutableBufferPointer { e in
            for (i, p) in rows.enumerated() {
                guard let base = e.baseAddress else { return }
                p.writeFeatures(
                    schema: schema, asOf: asOf, into: UnsafeMutableBufferPointer(start: base + i * d, count: d),
                    categoryCount: { k in topIDs[k].map { categoryCount(row: i, id: $0) } ?? 0 },
                    searchCount: { b in b < buckets ? Int(searchCounts[i * buckets + b]) : 0 })
            }
        }
        return (customerIDs, m)
    }
}
