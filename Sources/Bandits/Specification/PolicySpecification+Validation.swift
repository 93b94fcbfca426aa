// MARK: - Validation

extension PolicySpecification {
    /// Checks ranges and consistency, naming the first offending field by its JSON path.
    ///
    /// Checked: the format; a non-empty id; a non-empty catalog with unique ids, feature
    /// vectors of one length with finite values, prices on price actions; unique feature names
    /// with positive scales; the segment count; the algorithm's hyper-parameters (a parameter
    /// that does not apply to the chosen algorithm is an error, not ignored); the explorer's;
    /// constraints that name only catalog actions and have positive amounts and periods; the
    /// reward window; the slot count and position discounts.
    /// - Throws: `BanditsError.invalidSpecification(path:problem:fix:)`.
    /// - Complexity: O(catalog size × features + constraints).
    public func validate() throws(BanditsError) {
        guard format == Self.currentFormat else {
            throw .invalidSpecification(path: "$.format", problem: "unknown format '\(format)'",
                                        fix: "write \"format\": \"\(Self.currentFormat)\"")
        }
        guard !id.isEmpty else {
            throw .invalidSpecification(path: "$.id", problem: "the id is empty", fix: "name the policy, e.g. \"offers-linucb\"")
        }
        try validateCatalog()
        try validateSchema()
        if let segmentation {
            guard segmentation.count >= 1 else {
                throw .invalidSpecification(path: "$.segmentation.count", problem: "\(segmentation.count) segments",
                                            fix: "give the number of segments of the segmentation model (>= 1)")
            }
            if let shrinkage = segmentation.shrinkage {
                try Self.require(shrinkage.isFinite && shrinkage > 0, "$.segmentation.shrinkage", "\(shrinkage)", "a finite number > 0")
                try Self.require(segmentation.strategy == .hierarchical, "$.segmentation.shrinkage", "set",
                                 "shrinkage only with \"strategy\": \"hierarchical\"")
            }
        }
        try validateAlgorithm()
        try validateExplorer()
        try validateConstraints()
        try Self.require(reward.windowSeconds.isFinite && reward.windowSeconds > 0, "$.reward.window_seconds",
                         "\(reward.windowSeconds)", "a number of seconds > 0")
        try Self.require(!reward.events.isEmpty, "$.reward.events", "[]", "at least one event type, e.g. [\"purchase\"]")
        if let value = reward.defaultReward { try Self.require(value.isFinite, "$.reward.default_reward", "\(value)", "a finite number") }
        if let slots {
            try Self.require(slots.count >= 1 && slots.count <= catalog.count, "$.slots.count", "\(slots.count)",
                             "an integer in 1...\(catalog.count) (the catalog size)")
            if let discounts = slots.positionDiscounts {
                try Self.require(discounts.count == slots.count, "$.slots.position_discounts", "\(discounts.count) values",
                                 "one discount per slot (\(slots.count))")
                for (i, value) in discounts.enumerated() {
                    try Self.require(value.isFinite && value > 0 && value <= 1, "$.slots.position_discounts[\(i)]",
                                     "\(value)", "an examination probability in (0, 1]")
                }
            }
        }
    }

    // MARK: - Parts

    private func validateCatalog() throws(BanditsError) {
        guard !catalog.isEmpty else {
            throw .invalidSpecification(path: "$.catalog", problem: "the catalog is empty", fix: "declare at least one action")
        }
        var seen = Set<String>()
        let featureCount = catalog[0].features?.count ?? 0
        for (i, entry) in catalog.enumerated() {
            let path = "$.catalog[\(i)]"
            try Self.require(!entry.id.isEmpty, "\(path).id", "\"\"", "a non-empty action id")
            try Self.require(seen.insert(entry.id).inserted, "\(path).id", "'\(entry.id)'", "an id not used by another action")
            let features = entry.features ?? []
            try Self.require(features.count == featureCount, "\(path).features", "\(features.count) values",
                             "\(featureCount) values, as the first action")
            for (j, value) in features.enumerated() {
                try Self.require(value.isFinite, "\(path).features[\(j)]", "\(value)", "a finite number")
            }
            for (name, value) in [("cost", entry.cost), ("margin", entry.margin), ("price", entry.price)] {
                if let value { try Self.require(value.isFinite && value >= 0, "\(path).\(name)", "\(value)", "a finite number >= 0") }
            }
            if entry.kind == .price {
                try Self.require(entry.price != nil, "\(path).price", "missing", "a price for every \"price\" action")
            }
            if let rules = entry.eligibility?.rules {
                for (j, rule) in rules.enumerated() {
                    try Self.require(featureSchema.index(of: rule.feature) != nil, "\(path).eligibility.rules[\(j)].feature",
                                     "'\(rule.feature)'", "a feature declared in feature_schema")
                }
            }
            if let segments = entry.eligibility?.segments, let count = segmentation?.count {
                for (j, s) in segments.enumerated() {
                    try Self.require(s >= 0 && s < count, "\(path).eligibility.segments[\(j)]", "\(s)", "a segment in 0..<\(count)")
                }
            }
        }
    }

    private func validateSchema() throws(BanditsError) {
        var seen = Set<String>()
        for (i, feature) in featureSchema.features.enumerated() {
            let path = "$.feature_schema.features[\(i)]"
            try Self.require(!feature.name.isEmpty && seen.insert(feature.name).inserted, "\(path).name", "'\(feature.name)'",
                             "a non-empty name not used by another feature")
            if let scale = feature.scale { try Self.require(scale.isFinite && scale > 0, "\(path).scale", "\(scale)", "a finite number > 0") }
            if let center = feature.center { try Self.require(center.isFinite, "\(path).center", "\(center)", "a finite number") }
            if let value = feature.default { try Self.require(value.isFinite, "\(path).default", "\(value)", "a finite number") }
        }
    }

    private func validateAlgorithm() throws(BanditsError) {
        let a = algorithm
        let applicable: Set<String>
        switch a.kind {
        case .linucb: applicable = ["alpha", "ridge", "forgetting", "window", "seed"]
        case .sharedLinucb: applicable = ["alpha", "ridge", "forgetting", "seed"]
        case .hybridLinucb: applicable = ["alpha", "ridge", "seed"]
        case .sharedThompson: applicable = ["variance", "ridge", "samples", "forgetting", "seed"]
        case .hybridThompson: applicable = ["variance", "ridge", "samples", "seed"]
        case .logisticUCB: applicable = ["alpha", "ridge", "forgetting", "seed"]
        case .bootstrapThompson: applicable = ["bags", "ridge", "samples", "forgetting", "seed"]
        case .logisticThompson: applicable = ["variance", "ridge", "samples", "forgetting", "seed"]
        case .linearThompson: applicable = ["variance", "ridge", "forgetting", "window", "samples", "seed"]
        case .ucb1: applicable = ["alpha", "forgetting", "seed"]
        case .betaBernoulli, .priceThompson: applicable = ["prior_alpha", "prior_beta", "samples", "forgetting", "seed"]
        }
        let given: [(String, Double?)] = [("alpha", a.alpha), ("ridge", a.ridge), ("forgetting", a.forgetting),
                                          ("variance", a.variance), ("prior_alpha", a.priorAlpha), ("prior_beta", a.priorBeta),
                                          ("samples", a.samples.map(Double.init)), ("bags", a.bags.map(Double.init)),
                                          ("window", a.window.map(Double.init))]
        for (name, value) in given {
            guard let value else { continue }
            try Self.require(applicable.contains(name), "$.algorithm.\(name)", "set",
                             "remove it: '\(name)' does not apply to \(a.kind.rawValue) (it takes \(applicable.sorted().joined(separator: ", ")))")
            try Self.require(value.isFinite, "$.algorithm.\(name)", "\(value)", "a finite number")
        }
        if let alpha = a.alpha { try Self.require(alpha >= 0, "$.algorithm.alpha", "\(alpha)", "a number >= 0") }
        if let ridge = a.ridge { try Self.require(ridge > 0, "$.algorithm.ridge", "\(ridge)", "a number > 0") }
        if let f = a.forgetting { try Self.require(f > 0 && f <= 1, "$.algorithm.forgetting", "\(f)", "a number in (0, 1]") }
        if let v = a.variance { try Self.require(v > 0, "$.algorithm.variance", "\(v)", "a number > 0") }
        if let p = a.priorAlpha { try Self.require(p > 0, "$.algorithm.prior_alpha", "\(p)", "a number > 0") }
        if let p = a.priorBeta { try Self.require(p > 0, "$.algorithm.prior_beta", "\(p)", "a number > 0") }
        if let b = a.bags { try Self.require(b >= 2 && b <= 256, "$.algorithm.bags", "\(b)", "an integer in 2...256") }
        if let m = a.samples { try Self.require(m >= 1 && m <= 4096, "$.algorithm.samples", "\(m)", "an integer in 1...4096") }
        if let w = a.window {
            try Self.require(w >= 1 && w <= 10_000_000, "$.algorithm.window", "\(w)", "an integer in 1...10000000 (observations per action)")
            try Self.require(a.forgetting == nil || a.forgetting == 1, "$.algorithm.window", "\(w)",
                             "remove either 'window' or 'forgetting': a policy forgets by one of them, not both")
        }
        if [.sharedLinucb, .hybridLinucb, .sharedThompson, .hybridThompson].contains(a.kind) {
            try Self.require(!(catalog[0].features ?? []).isEmpty, "$.catalog[0].features", "missing",
                             "action features on every action (\(a.kind.rawValue) scores context ⊗ action features)")
            try Self.require(featureSchema.dimension >= 1, "$.feature_schema.features", "empty", "at least one context feature")
        }
        if a.kind == .priceThompson {
            for (i, entry) in catalog.enumerated() {
                let margin = (entry.price ?? 0) - (entry.cost ?? 0)
                try Self.require(entry.kind == .price && margin > 0, "$.catalog[\(i)]", "'\(entry.id)'",
                                 "a \"price\" action with price > cost (price_thompson chooses by margin)")
            }
        }
        if let strategy = segmentation?.strategy {
            let supported = Self.supportedStrategies(for: a.kind)
            try Self.require(supported.contains(strategy), "$.segmentation.strategy", "'\(strategy.rawValue)'",
                             "one of \(supported.map(\.rawValue).joined(separator: ", ")) with \(a.kind.rawValue)")
        }
    }

    private func validateExplorer() throws(BanditsError) {
        guard let e = explorer else { return }
        let applicable: String?
        switch e.kind {
        case .greedy: applicable = nil
        case .epsilonGreedy: applicable = "epsilon"
        case .softmax: applicable = "temperature"
        case .squarecb: applicable = "gamma"
        }
        for (name, value) in [("epsilon", e.epsilon), ("temperature", e.temperature), ("gamma", e.gamma)] {
            if value != nil {
                try Self.require(name == applicable, "$.explorer.\(name)", "set", "remove it: '\(name)' does not apply to \(e.kind.rawValue)")
            } else if name == applicable {
                throw .invalidSpecification(path: "$.explorer.\(name)", problem: "missing", fix: "\(e.kind.rawValue) needs '\(name)'")
            }
        }
        if let v = e.epsilon { try Self.require(v.isFinite && v >= 0 && v <= 1, "$.explorer.epsilon", "\(v)", "a probability in [0, 1]") }
        if let v = e.temperature { try Self.require(v.isFinite && v > 0, "$.explorer.temperature", "\(v)", "a number > 0") }
        if let v = e.gamma { try Self.require(v.isFinite && v >= 0, "$.explorer.gamma", "\(v)", "a number >= 0") }
    }

    private func validateConstraints() throws(BanditsError) {
        guard let c = constraints else { return }
        let ids = Set(catalog.map(\.id))
        for (i, cap) in (c.frequencyCaps ?? []).enumerated() {
            let path = "$.constraints.frequency_caps[\(i)]"
            try Self.require(cap.maxExposures >= 1, "\(path).max_exposures", "\(cap.maxExposures)", "an integer >= 1")
            try Self.require(cap.periodSeconds.isFinite && cap.periodSeconds > 0, "\(path).period_seconds", "\(cap.periodSeconds)", "seconds > 0")
            for (j, id) in (cap.actions ?? []).enumerated() {
                try Self.require(ids.contains(id), "\(path).actions[\(j)]", "'\(id)'", "an action id of the catalog")
            }
        }
        for (i, budget) in (c.budgets ?? []).enumerated() {
            let path = "$.constraints.budgets[\(i)]"
            try Self.require(budget.amount.isFinite && budget.amount > 0, "\(path).amount", "\(budget.amount)", "an amount > 0")
            try Self.require(budget.flightSeconds.isFinite && budget.flightSeconds > 0, "\(path).flight_seconds",
                             "\(budget.flightSeconds)", "seconds > 0")
            if let start = budget.startSeconds { try Self.require(start.isFinite, "\(path).start_seconds", "\(start)", "epoch seconds") }
            try Self.require(!budget.actions.isEmpty, "\(path).actions", "[]", "the actions charged to the budget")
            for (j, id) in budget.actions.enumerated() {
                try Self.require(ids.contains(id), "\(path).actions[\(j)]", "'\(id)'", "an action id of the catalog")
            }
        }
        if let g = c.priceGuardrails {
            let path = "$.constraints.price_guardrails"
            for (name, value) in [("min_price", g.minPrice), ("max_price", g.maxPrice), ("max_change", g.maxChange)] {
                if let value { try Self.require(value.isFinite && value >= 0, "\(path).\(name)", "\(value)", "a finite price >= 0") }
            }
            if let low = g.minPrice, let high = g.maxPrice {
                try Self.require(low <= high, "\(path).min_price", "\(low)", "at most max_price (\(high))")
            }
            if g.maxChange != nil {
                let period = g.periodSeconds ?? .nan
                try Self.require(period.isFinite && period > 0, "\(path).period_seconds", "\(g.periodSeconds.map { "\($0)" } ?? "missing")",
                                 "seconds > 0 (required with max_change)")
            }
            let prices = catalog.compactMap(\.price).filter { p in (g.minPrice.map { p >= $0 } ?? true) && (g.maxPrice.map { p <= $0 } ?? true) }
            try Self.require(!catalog.contains { $0.kind == .price } || !prices.isEmpty, "\(path)", "excludes every price",
                             "bounds that keep at least one price of the ladder")
        }
    }

    /// The segment strategies each algorithm can run with.
    static func supportedStrategies(for kind: AlgorithmSpecification.Kind) -> [SegmentStrategy] {
        switch kind {
        case .ucb1, .betaBernoulli, .priceThompson: return [.global, .perSegment]
        case .linucb: return SegmentStrategy.allCases
        case .linearThompson: return SegmentStrategy.allCases
        case .sharedLinucb, .hybridLinucb, .sharedThompson, .hybridThompson, .bootstrapThompson, .logisticThompson, .logisticUCB:
            return [.global]
        }
    }

    /// Throws `invalidSpecification` at `path` unless `condition`.
    static func require(_ condition: Bool, _ path: String, _ value: String, _ expected: String) throws(BanditsError) {
        guard condition else {
            throw .invalidSpecification(path: path, problem: "\(value) is not allowed", fix: "expected \(expected)")
        }
    }
}
