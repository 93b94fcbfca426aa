import Linalg

/// Which customers changed segment between two periods, and why: the features that moved
/// most for each of them, in units of the model's scaling.
///
/// Customers present in both periods are compared; the agreement between the two
/// assignments is summarised by the adjusted Rand index (1 = the same partition).
///
/// ```
/// let movement = try SegmentMovement.compare(
///     previous: (ids: lastMonthIDs, features: lastMonth), current: (ids: ids, features: now), model: model)
/// for move in movement.moves { print(move.customerID, move.from, "→", move.to, move.reasons) }
/// ```
public struct SegmentMovement: Sendable, Hashable, Codable {
    /// One customer's change of segment.
    public struct Move: Sendable, Hashable, Codable {
        /// The customer.
        public var customerID: String
        /// The segment in the previous period.
        public var from: Int
        /// The segment now.
        public var to: Int
        /// The features that moved most: `(name, change in scaled units)`, largest |change| first (at most 3).
        public var reasons: [FeatureChange]
    }

    /// A feature's change for one customer.
    public struct FeatureChange: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The feature's name.
        public var feature: String
        /// The value before, in original units.
        public var before: Double
        /// The value now, in original units.
        public var after: Double
        /// (after − before) / the feature's fitted scale.
        public var scaledChange: Double

        /// `aov 40 → 120`.
        public var description: String {
            "\(feature) \(FeatureBound.format(before)) → \(FeatureBound.format(after))"
        }
    }

    /// Customers present in both periods.
    public var common: Int
    /// Those whose segment changed, in the current period's row order.
    public var moves: [Move]
    /// `transitions[a][b]`: customers from segment a to segment b (noise −1 is left out).
    public var transitions: [[Int]]
    /// Adjusted Rand index between the two periods' assignments of the common customers.
    public var stability: Double

    /// Compares two periods' features (original units, the model's columns) under `model`.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when ids and
    ///   rows differ in number or the columns do not fit the model.
    /// - Complexity: O((n_prev + n_cur) · (assignment cost + d log d)).
    public static func compare(
        previous: (ids: [String], features: Matrix), current: (ids: [String], features: Matrix), model: SegmentationModel
    ) throws(SegmentationError) -> SegmentMovement {
        guard previous.ids.count == previous.features.rows else {
            throw .dimensionMismatch(expected: previous.features.rows, actual: previous.ids.count, what: "previous period ids")
        }
        guard current.ids.count == current.features.rows else {
            throw .dimensionMismatch(expected: current.features.rows, actual: current.ids.count, what: "current period ids")
        }
        let before = try model.assign(raw: previous.features)
        let after = try model.assign(raw: current.features)
        var previousRow: [String: Int] = [:]
        for (i, id) in previous.ids.enumerated() { previousRow[id] = i }
        let d = current.features.columns, k = model.segmentCount
        var transitions = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var moves: [Move] = []
        var a: [Int] = [], b: [Int] = []
        for (i, id) in current.ids.enumerated() {
            guard let p = previousRow[id] else { continue }
            a.append(before[p])
            b.append(after[i])
            if (0..<k).contains(before[p]) && (0..<k).contains(after[i]) { transitions[before[p]][after[i]] += 1 }
            guard before[p] != after[i] else { continue }
            var changes: [FeatureChange] = []
            for j in 0..<d {
                let old = previous.features.elements[p * d + j], new = current.features.elements[i * d + j]
                let scale = j < model.scaler.scale.count ? model.scaler.scale[j] : 1
                changes.append(FeatureChange(feature: model.featureNames[j], before: old, after: new, scaledChange: (new - old) / scale))
            }
            changes.sort { abs($0.scaledChange) > abs($1.scaledChange) }
            moves.append(Move(customerID: id, from: before[p], to: after[i], reasons: Array(changes.prefix(3))))
        }
        let stability = try ClusterMetrics.adjustedRandIndex(a, b)
        return SegmentMovement(common: a.count, moves: moves, transitions: transitions, stability: stability)
    }
}
