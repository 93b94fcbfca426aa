/// The estimates of one logged segment: every estimator restricted to that segment's rounds.
public struct SegmentEstimates: Sendable, Equatable, Encodable {
    /// The segment label as logged, or `nil` for the rounds that logged none.
    public var segment: String?
    /// Rounds of this segment.
    public var rounds: Int
    /// One estimate per estimator, in the report's order, with normal intervals.
    public var estimates: [Estimate]

    enum CodingKeys: String, CodingKey { case segment, rounds, estimates }

    /// Encodes `segment` (`null` for unsegmented rounds), `rounds` and `estimates`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let segment { try c.encode(segment, forKey: .segment) } else { try c.encodeNil(forKey: .segment) }
        try c.encode(rounds, forKey: .rounds)
        try c.encode(estimates, forKey: .estimates)
    }
}

extension Contributions {
    /// The terms of the rounds in `indices`, in that order. Self-normalized parts are
    /// renormalized on the subset when it is estimated, so a segment's SNIPS is the SNIPS of
    /// that segment's rounds.
    /// - Complexity: O(|indices|).
    public func subset(_ indices: [Int]) -> Contributions {
        Contributions(
            estimator: estimator, direct: indices.map { direct[$0] },
            weighted: weighted.isEmpty ? [] : indices.map { weighted[$0] },
            normalizers: normalizers.isEmpty ? [] : indices.map { normalizers[$0] },
            weights: weights.isEmpty ? [] : indices.map { weights[$0] })
    }
}

extension OfflineEvaluation {
    /// The rounds of every segment label, sorted by label with the unlabelled rounds last;
    /// empty when no round carries a segment.
    /// - Complexity: O(n log n).
    static func segmentGroups(_ log: DecisionLog) -> [(label: String?, rounds: [Int])] { segmentGroups(log.segments) }

    /// The rounds of every label of `segments` (see ``segmentGroups(_:)-(DecisionLog)``).
    static func segmentGroups(_ segments: [String?]) -> [(label: String?, rounds: [Int])] {
        var byLabel: [String: [Int]] = [:]
        var unlabelled: [Int] = []
        for i in segments.indices {
            if let label = segments[i] { byLabel[label, default: []].append(i) } else { unlabelled.append(i) }
        }
        guard !byLabel.isEmpty else { return [] }
        // Numeric labels (segment indices) sort numerically, the others lexicographically.
        let labels = byLabel.keys.sorted { a, b in
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a < b
            }
        }
        var groups: [(label: String?, rounds: [Int])] = labels.map { ($0, byLabel[$0] ?? []) }
        if !unlabelled.isEmpty { groups.append((nil, unlabelled)) }
        return groups
    }

    /// Every estimator's estimate on each group's rounds.
    /// - Throws: `EvaluationError.invalidParameter` for a bad confidence level.
    /// - Complexity: O(n E).
    static func segmentEstimates(
        terms: [Contributions], sampleWeights: [Double], groups: [(label: String?, rounds: [Int])], confidence: Double
    ) throws(EvaluationError) -> [SegmentEstimates] {
        var result: [SegmentEstimates] = []
        for group in groups {
            let weights = sampleWeights.isEmpty ? [] : group.rounds.map { sampleWeights[$0] }
            var estimates: [Estimate] = []
            for t in terms {
                estimates.append(try Estimate(contributions: t.subset(group.rounds), sampleWeights: weights, confidence: confidence))
            }
            result.append(SegmentEstimates(segment: group.label, rounds: group.rounds.count, estimates: estimates))
        }
        return result
    }
}
