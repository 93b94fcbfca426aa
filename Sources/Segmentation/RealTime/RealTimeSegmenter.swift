import Linalg

/// A notable change in one customer's behaviour, emitted as events arrive.
public enum BehaviourChange: Sendable, Hashable, Codable {
    /// The customer moved from one segment to another (−1 is noise; `nil` for a new customer
    /// is not reported).
    case segmentChanged(customerID: String, from: Int, to: Int)
    /// A purchase worth at least `factor` times the customer's previous average order value.
    case spendJump(customerID: String, value: Double, previousAverage: Double)
    /// Activity in the last 30 days fell to at most a quarter of the 30 days before.
    case engagementDrop(customerID: String, last30Days: Int, previous30Days: Int)
}

/// Keeps every customer's profile current as events arrive, re-assigns the customer to a
/// segment on each event (O(features + k·d)), and reports behaviour changes.
///
/// ```
/// var live = try RealTimeSegmenter(model: model)
/// for event in stream {
///     let update = try live.ingest(event)
///     for change in update.changes { notify(change) }
/// }
/// ```
public struct RealTimeSegmenter: Sendable {
    /// What one event did to its customer.
    public struct Update: Sendable, Hashable {
        /// The customer.
        public var customerID: String
        /// The segment after the event (−1: noise).
        public var segment: Int
        /// The changes it revealed.
        public var changes: [BehaviourChange]
    }

    /// The fitted model.
    public let model: SegmentationModel
    private let schema: FeatureSchema
    /// A purchase at least this many times the previous average order value is a spend jump
    /// (needs at least 3 earlier purchases).
    public var spendJumpFactor = 3.0
    private var profiles: [String: CustomerProfile] = [:]
    private var segments: [String: Int] = [:]
    private var features: [Double]
    private var scaled: [Double]

    /// Creates a live segmenter for a model fitted on events.
    /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` when the model
    ///   was fitted on a feature matrix (it has no event schema).
    public init(model: SegmentationModel) throws(SegmentationError) {
        guard let schema = model.schema else {
            throw .invalidParameter(name: "model", value: "fitted on a feature matrix", expected: "a model fitted on events (it carries the feature schema)")
        }
        self.model = model
        self.schema = schema
        features = [Double](repeating: 0, count: schema.count)
        scaled = [Double](repeating: 0, count: schema.count)
    }

    /// The current profile of `customerID`.
    public func profile(of customerID: String) -> CustomerProfile? { profiles[customerID] }

    /// The current segment of `customerID`.
    public func segment(of customerID: String) -> Int? { segments[customerID] }

    /// The number of customers with a profile.
    public var customerCount: Int { profiles.count }

    /// Drops `customerID`'s profile and segment (a server bounding its memory); the next event
    /// of that customer starts a new profile.
    /// - Returns: Whether the customer had a profile.
    /// - Complexity: O(1) amortized.
    @discardableResult
    public mutating func forget(_ customerID: String) -> Bool {
        segments[customerID] = nil
        return profiles.removeValue(forKey: customerID) != nil
    }

    /// Folds `event` into its customer's profile, re-assigns the customer at the event's time
    /// (or `now`, when later) and reports what changed.
    /// - Throws: ``SegmentationError`` when the features cannot be assigned (not expected for
    ///   a consistent model).
    /// - Complexity: O(features + k·d) for k-means, O(features + cores·d) for DBSCAN.
    public mutating func ingest(_ event: Event, now: Double? = nil) throws(SegmentationError) -> Update {
        let id = event.customerID
        var changes: [BehaviourChange] = []
        if event.type == .purchase, let value = event.value, let before = profiles[id], before.purchaseCount >= 3 {
            let average = before.revenue / Double(before.purchaseCount)
            if average > 0, value >= spendJumpFactor * average {
                changes.append(.spendJump(customerID: id, value: value, previousAverage: average))
            }
        }
        // Updated in place inside the dictionary: no copy of the profile's buffers.
        profiles[id, default: CustomerProfile(searchBuckets: schema.searchBuckets)].update(with: event)
        guard let profile = profiles[id] else { return Update(customerID: id, segment: -1, changes: changes) }
        let asOf = max(now ?? event.timestamp, profile.lastSeen)
        profile.writeFeatures(schema: schema, asOf: asOf, into: &features)
        let segment = try assign(features)
        if let previous = segments[id], previous != segment {
            changes.append(.segmentChanged(customerID: id, from: previous, to: segment))
        }
        segments[id] = segment
        return Update(customerID: id, segment: segment, changes: changes)
    }

    /// The segment of one raw feature vector; k-means models take an allocation-free path
    /// (scale in place, nearest centre by direct distances).
    private mutating func assign(_ raw: [Double]) throws(SegmentationError) -> Int {
        guard model.autoencoder == nil, let kmeans = model.kmeans, kmeans.dimension == raw.count, model.scaler.dimension == raw.count else {
            let row: Matrix
            do throws(LinalgError) {
                row = try Matrix(rows: 1, columns: raw.count, elements: raw)
            } catch {
                throw .linearAlgebra(error.description)
            }
            return try model.assign(raw: row).first ?? -1
        }
        let d = raw.count
        for j in 0..<d {
            guard raw[j].isFinite else { throw .nonFiniteValue(row: 0, column: j) }
            scaled[j] = (raw[j] - model.scaler.center[j]) / model.scaler.scale[j]
        }
        var best = 0
        var bestValue = Double.infinity
        scaled.withUnsafeBufferPointer { z in
            kmeans.centres.elements.withUnsafeBufferPointer { c in
                guard let zp = z.baseAddress, let cp = c.baseAddress else { return }
                for s in 0..<kmeans.segmentCount {
                    let v = KMeans.squaredDistance(zp, cp + s * d, d)
                    if v < bestValue {
                        bestValue = v
                        best = s
                    }
                }
            }
        }
        return best
    }

    /// Customers whose activity in the 30 days up to `asOf` is at most a quarter of the 30
    /// days before, among those with at least `minimumPrevious` events in the earlier window.
    /// - Complexity: O(customers · 60).
    public func engagementDrops(asOf: Double, minimumPrevious: Int = 4) -> [BehaviourChange] {
        var result: [BehaviourChange] = []
        for id in profiles.keys.sorted() {
            guard let p = profiles[id] else { continue }
            let (last, previous) = p.activityWindows(asOf: asOf)
            if previous >= minimumPrevious, last * 4 <= previous {
                result.append(.engagementDrop(customerID: id, last30Days: last, previous30Days: previous))
            }
        }
        return result
    }
}

extension CustomerProfile {
    /// Events in the 30 days up to `asOf` and in the 30 days before.
    func activityWindows(asOf: Double) -> (last: Int, previous: Int) {
        let asOfDay = CustomerProfile.dayIndex(asOf)
        var last = 0, previous = 0
        guard latestDay != Int.min else { return (0, 0) }
        for k in 0..<CustomerProfile.trendDays {
            let d = latestDay - k
            let count = Int(dayCounts[CustomerProfile.slot(d)])
            let age = asOfDay - d
            if age < 30 { last += count } else if age < 60 { previous += count }
        }
        return (last, previous)
    }
}
