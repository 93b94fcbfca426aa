import Bandits

extension DecisionLog {
    /// The distribution `policy` gives on every logged round, aligned with ``candidates``:
    /// what the estimators need to evaluate a policy file on this log.
    ///
    /// Log actions are matched to the policy's catalog by id; a log without `actions` (ids
    /// `0`, `1`, …) is matched by position. Contexts reach the policy as follows: a dense
    /// context of the policy's dimension is passed as is; otherwise, given the policy's
    /// feature schema, raw values (dense in the schema's order, or named) are scaled by the
    /// schema (named features absent from a line count as 0).
    /// - Parameters:
    ///   - policy: The policy to evaluate (its `distribution(for:among:into:)`, no sampling).
    ///   - schema: The policy file's feature schema, to encode raw contexts.
    /// - Throws: `EvaluationError.targetFailed` naming the line when an action is not in
    ///   the policy's catalog, the context cannot be encoded, or the policy refuses.
    /// - Complexity: O(n) calls of the policy's distribution.
    public func targetProbabilities(of policy: any Policy, schema: FeatureSchema? = nil) throws(EvaluationError) -> [Double] {
        let catalog = policy.catalog
        let allNumeric = actionIDs.allSatisfy { Int($0).map { $0 >= 0 && $0 < catalog.count } ?? false }
        var mapping = [Int](repeating: -1, count: actionIDs.count)
        for (k, id) in actionIDs.enumerated() {
            if let j = catalog.index(of: ActionID(id)) {
                mapping[k] = j
            } else if allNumeric, let j = Int(id) {
                mapping[k] = j
            }
        }
        let d = contextDimension
        let encode: ([Double]) throws(BanditsError) -> [Double]
        let isNamed = featureNames != (0..<d).map { "x\($0)" }
        if !isNamed, d == policy.contextDimension {
            encode = { $0 }
        } else if let schema {
            if isNamed {
                let names = featureNames
                let known = Set(schema.features.map(\.name))
                encode = { (row: [Double]) throws(BanditsError) -> [Double] in
                    var values: [String: Double] = [:]
                    for (name, v) in zip(names, row) where known.contains(name) { values[name] = v }
                    return try schema.vector(from: values)
                }
            } else if d == schema.features.count {
                encode = { (row: [Double]) throws(BanditsError) -> [Double] in
                    var values: [String: Double] = [:]
                    for (feature, v) in zip(schema.features, row) { values[feature.name] = v }
                    return try schema.vector(from: values)
                }
            } else {
                throw .targetFailed(line: lineNumbers.first ?? 0, reason: "the log's contexts have \(d) values; the policy expects \(policy.contextDimension) (or \(schema.features.count) raw values of its feature schema)")
            }
        } else {
            throw .targetFailed(line: lineNumbers.first ?? 0, reason: "the log's contexts have \(d) values; the policy expects \(policy.contextDimension)")
        }

        var result = [Double](repeating: 0, count: candidates.count)
        var distribution: [Double] = []
        var policyCandidates: [Int] = []
        for i in 0..<count {
            let range = candidateRange(i)
            policyCandidates.removeAll(keepingCapacity: true)
            for k in range {
                let j = mapping[candidates[k]]
                guard j >= 0 else {
                    throw .targetFailed(line: lineNumbers[i], reason: "action '\(actionIDs[candidates[k]])' is not in the policy's catalog")
                }
                policyCandidates.append(j)
            }
            do {
                let features = try encode(Array(contexts[(i * d)..<((i + 1) * d)]))
                let segment = segments[i].flatMap { Int($0) }
                try policy.distribution(for: Context(features: features, segment: segment), among: policyCandidates, into: &distribution)
            } catch {
                throw .targetFailed(line: lineNumbers[i], reason: error.description)
            }
            guard distribution.count == range.count else {
                throw .targetFailed(line: lineNumbers[i], reason: "the policy returned \(distribution.count) probabilities for \(range.count) candidates")
            }
            for (offset, k) in range.enumerated() { result[k] = distribution[offset] }
        }
        return result
    }
}
