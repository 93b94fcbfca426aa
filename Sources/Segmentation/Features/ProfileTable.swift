import Linalg

/// The profiles of every customer seen in an event stream, keyed by customer id, with the
/// global category counts that decide a schema's top categories.
///
/// Memory grows with the number of customers, never with the number of events.
///
/// ```
/// var table = ProfileTable()
/// try EventReader(format: .jsonLines).read(path: "events.jsonl") { table.update(with: $0) }
/// let schema = try table.makeSchema(maximumCategories: 8)
/// let (ids, x) = table.featureMatrix(schema: schema, asOf: table.latestTimestamp)
/// ```
public struct ProfileTable: Sendable {
    /// The number of hashed search-term buckets every profile keeps.
    public let searchBuckets: Int
    /// Customer ids in order of first appearance.
    public private(set) var customerIDs: [String] = []
    /// The profiles, parallel to ``customerIDs``.
    public private(set) var profiles: [CustomerProfile] = []
    /// Row of each customer id.
    private var rows: [String: Int] = [:]
    /// Category-carrying events per category, over all customers.
    ///
    /// Summed from the profiles on demand rather than kept per event: the per-event path
    /// then hashes the category once (in the profile), not twice.
    /// - Complexity: O(customers × categories per customer).
    public var categoryCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for p in profiles {
            for (category, c) in p.categoryCounts { counts[category, default: 0] += c }
        }
        return counts
    }
    /// The latest event time seen (epoch seconds); `-∞` while empty.
    public private(set) var latestTimestamp = -Double.infinity

    /// Creates an empty table whose profiles hash search terms into `searchBuckets` buckets.
    public init(searchBuckets: Int = 8) {
        self.searchBuckets = max(1, searchBuckets)
    }

    /// The number of customers.
    public var count: Int { profiles.count }

    /// The profile of `customerID`, if seen.
    public func profile(of customerID: String) -> CustomerProfile? {
        rows[customerID].map { profiles[$0] }
    }

    /// Folds `event` into its customer's profile (creating it on first sight).
    /// - Complexity: O(1) expected plus the event's text length.
    public mutating func update(with event: Event) {
        let row: Int
        if let existing = rows[event.customerID] {
            row = existing
        } else {
            row = profiles.count
            rows[event.customerID] = row
            customerIDs.append(event.customerID)
            profiles.append(CustomerProfile(searchBuckets: searchBuckets))
        }
        profiles[row].update(with: event)
        latestTimestamp = max(latestTimestamp, event.timestamp)
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
        var m = Matrix(rows: profiles.count, columns: schema.count)
        var row = [Double](repeating: 0, count: schema.count)
        for (i, p) in profiles.enumerated() {
            p.writeFeatures(schema: schema, asOf: asOf, into: &row)
            for j in 0..<schema.count { m.elements[i * schema.count + j] = row[j] }
        }
        return (customerIDs, m)
    }
}
