// MARK: - Eligibility

extension PolicySpecification {
    /// The catalog indices whose eligibility rules hold for a request: the action's
    /// `segments` (when given) contain `segment`, and every feature rule
    /// `min ≤ value ≤ max` holds on the raw (unscaled) value, a missing value taking the
    /// feature's `default`. Actions without rules are always eligible; `excluded` ids are
    /// removed too.
    ///
    /// Pass the result as the candidates of `decide` (after ``DecisionGuard`` filtering), so
    /// ineligible actions get probability exactly 0.
    /// - Parameters:
    ///   - values: The request's named raw feature values.
    ///   - segment: The customer's segment, if known (an action restricted to segments is
    ///     ineligible when it is unknown).
    ///   - excluded: Action ids the request excludes.
    /// - Throws: `BanditsError.unknownAction` for an excluded id not in the catalog,
    ///   `BanditsError.noEligibleAction` when nothing is left.
    /// - Complexity: O(K · rules).
    public func eligibleActions(for values: [String: Double], segment: Int?, excluding excluded: Set<String> = []) throws(BanditsError) -> [Int] {
        if !excluded.isEmpty {
            let ids = Set(catalog.map(\.id))
            for id in excluded.sorted() where !ids.contains(id) { throw .unknownAction(ActionID(id)) }
        }
        var result: [Int] = []
        result.reserveCapacity(catalog.count)
        // Entries are read in place, field by field: this runs on every decision, and a copy of
        // an entry retains and releases each of its strings and arrays.
        for i in catalog.indices {
            if !excluded.isEmpty, excluded.contains(catalog[i].id) { continue }
            guard let eligibility = catalog[i].eligibility else {
                result.append(i)
                continue
            }
            if let segments = eligibility.segments {
                guard let segment, segments.contains(segment) else { continue }
            }
            let rulesHold = (eligibility.rules ?? []).allSatisfy { rule in
                let value = values[rule.feature] ?? featureSchema.features.first { $0.name == rule.feature }?.default
                guard let value, value.isFinite else { return false }
                return (rule.min.map { value >= $0 } ?? true) && (rule.max.map { value <= $0 } ?? true)
            }
            if rulesHold { result.append(i) }
        }
        guard !result.isEmpty else { throw .noEligibleAction }
        return result
    }
}
