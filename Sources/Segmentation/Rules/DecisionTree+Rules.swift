import Foundation
import Linalg

/// A bound on one named feature: `lower < feature ≤ upper` (either side may be open).
public struct FeatureBound: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The feature's name.
    public var feature: String
    /// Exclusive lower bound, if any.
    public var lower: Double?
    /// Inclusive upper bound, if any.
    public var upper: Double?

    /// `recency_days ≤ 14`, `aov > 85`, `2 < frequency ≤ 6`.
    public var description: String {
        switch (lower, upper) {
        case let (l?, u?): "\(FeatureBound.format(l)) < \(feature) ≤ \(FeatureBound.format(u))"
        case let (l?, nil): "\(feature) > \(FeatureBound.format(l))"
        case let (nil, u?): "\(feature) ≤ \(FeatureBound.format(u))"
        case (nil, nil): "true"
        }
    }

    /// Three significant digits, no exponent for everyday magnitudes.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.3g", v)
    }
}

/// The rule that explains one segment, with how faithfully it does.
public struct SegmentRule: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The segment.
    public var segment: Int
    /// Alternatives (OR) of conjunctions (AND) of bounds: one per tree leaf predicting the segment.
    public var clauses: [[FeatureBound]]
    /// Rows the rule covers (the tree predicts the segment).
    public var covered: Int
    /// Rows of the segment.
    public var segmentSize: Int
    /// Share of covered rows that are in the segment (0 when nothing is covered).
    public var precision: Double
    /// Share of the segment's rows the rule covers (0 for an empty segment).
    public var recall: Double

    /// `(a ≤ 1 AND b > 2) OR (…)`, largest leaf first; `no rule` when no leaf predicts the segment.
    public var description: String {
        guard !clauses.isEmpty else { return "no rule (no leaf predicts this segment)" }
        let parts = clauses.map { clause in clause.isEmpty ? "everyone" : clause.map(\.description).joined(separator: " AND ") }
        return parts.count == 1 ? parts[0] : parts.map { "(\($0))" }.joined(separator: " OR ")
    }
}

/// Rules for every segment plus the tree's overall fidelity.
public struct RuleSet: Sendable, Hashable, Codable {
    /// One rule per segment `0..<k`.
    public var rules: [SegmentRule]
    /// Share of rows the tree classifies as the segmentation does.
    public var fidelity: Double
    /// The depth of the tree the rules come from.
    public var depth: Int
}

extension DecisionTree.Model {
    /// The readable rules of the tree, with fidelity measured honestly on `x` and the
    /// segmentation's `labels` (not on the tree's own training claims).
    ///
    /// Each leaf's path is simplified to one bound per feature; a segment's rule is the OR of
    /// the leaves predicting it, largest first.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when the
    ///   names, rows or labels do not fit.
    /// - Complexity: O(n · depth + nodes · depth).
    public func rules(featureNames: [String], x: Matrix, labels: [Int], segmentCount: Int) throws(SegmentationError) -> RuleSet {
        guard featureNames.count == dimension else {
            throw .dimensionMismatch(expected: dimension, actual: featureNames.count, what: "feature names")
        }
        guard labels.count == x.rows else { throw .dimensionMismatch(expected: x.rows, actual: labels.count, what: "rule labels") }
        let predicted = try predict(x)
        var covered = [Int](repeating: 0, count: segmentCount)
        var hits = [Int](repeating: 0, count: segmentCount)
        var sizes = [Int](repeating: 0, count: segmentCount)
        var agree = 0
        for i in 0..<x.rows {
            if predicted[i] == labels[i] { agree += 1 }
            if (0..<segmentCount).contains(predicted[i]) { covered[predicted[i]] += 1 }
            if (0..<segmentCount).contains(labels[i]) {
                sizes[labels[i]] += 1
                if predicted[i] == labels[i] { hits[labels[i]] += 1 }
            }
        }
        var clauses = [[(samples: Int, bounds: [FeatureBound])]](repeating: [], count: segmentCount)
        func walk(_ index: Int, _ path: [Int: (lower: Double?, upper: Double?)]) {
            let node = nodes[index]
            if node.feature < 0 {
                guard (0..<segmentCount).contains(node.prediction) else { return }
                let bounds = path.keys.sorted().compactMap { f -> FeatureBound? in
                    guard let b = path[f] else { return nil }
                    return FeatureBound(feature: featureNames[f], lower: b.lower, upper: b.upper)
                }
                clauses[node.prediction].append((node.samples, bounds))
                return
            }
            var left = path, right = path
            let current = path[node.feature] ?? (nil, nil)
            left[node.feature] = (current.lower, min(current.upper ?? .infinity, node.threshold))
            right[node.feature] = (max(current.lower ?? -.infinity, node.threshold), current.upper)
            walk(node.left, left)
            walk(node.right, right)
        }
        if !nodes.isEmpty { walk(0, [:]) }
        let rules = (0..<segmentCount).map { s in
            SegmentRule(
                segment: s, clauses: clauses[s].sorted { $0.samples > $1.samples }.map(\.bounds),
                covered: covered[s], segmentSize: sizes[s],
                precision: covered[s] > 0 ? Double(hits[s]) / Double(covered[s]) : 0,
                recall: sizes[s] > 0 ? Double(hits[s]) / Double(sizes[s]) : 0)
        }
        return RuleSet(rules: rules, fidelity: x.rows > 0 ? Double(agree) / Double(x.rows) : 1, depth: depth)
    }
}
