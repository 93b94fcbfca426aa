#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Bandits

extension RetailSpecification {
    init(reading r: ObjectReader) throws(SimulationError) {
        r.declareKeys(["customers", "rounds_per_day", "start_seconds", "objective", "reveal_segments", "observe_fatigue", "features",
                               "margin_rate", "pricing", "segments", "actions", "fatigue", "churn", "drift", "slots"])
        customers = try r.int("customers", in: 1...10_000_000, expected: "an integer in 1…10⁷")
        roundsPerDay = try r.int("rounds_per_day", default: 1000, in: 1...1_000_000_000, expected: "an integer ≥ 1")
        startSeconds = try r.double("start_seconds", default: 1_767_225_600, in: 0...1e11, expected: "seconds since 1970 (≥ 0)")
        objective = Objective(rawValue: try r.choice("objective", ["conversion", "revenue", "margin"])) ?? .conversion
        revealSegments = try r.bool("reveal_segments", default: false)
        observeFatigue = try r.bool("observe_fatigue", default: false)
        features = []
        for (i, v) in (try r.optionalArray("features") ?? []).enumerated() {
            guard case .string(let s) = v, !s.isEmpty else {
                throw r.invalid("features", index: i, "expected a feature name", "write a string")
            }
            features.append(s)
        }
        marginRate = try r.double("margin_rate", default: 0.3, in: 0...1, expected: "a fraction in [0, 1]")
        if let p = try r.optionalObject("pricing") {
            p.declareKeys(["reference_price", "unit_cost", "demand"])
            demand = Demand(rawValue: try p.choice("demand", ["logit", "willingness_to_pay"], default: "logit")) ?? .logit
            referencePrice = try p.double("reference_price", in: 1e-9...1e12, expected: "a price > 0")
            unitCost = try p.double("unit_cost", default: 0, in: 0...1e12, expected: "a cost ≥ 0")
        } else {
            referencePrice = 1
            unitCost = 0
        }

        actions = []
        let actionReaders = try r.objects("actions")
        guard !actionReaders.isEmpty else { throw r.invalid("actions", "the list is empty", "declare at least one action") }
        for a in actionReaders { actions.append(try Self.action(a, hasPricing: r.has("pricing"))) }
        guard customers * actions.count <= 50_000_000 else {
            throw r.invalid("customers", "\(customers) customers × \(actions.count) actions needs too much fatigue state",
                            "keep customers × actions at or below 5·10⁷ (the simulator keeps fatigue per customer and action)")
        }
        let attributeCount = actions[0].features.count
        for (i, a) in actions.enumerated() {
            if a.features.count != attributeCount {
                throw actionReaders[i].invalid("features", "expected \(attributeCount) values, got \(a.features.count)",
                                               "give every action the same attributes")
            }
            if actions[..<i].contains(where: { $0.id == a.id }) {
                throw actionReaders[i].invalid("id", "action id '\(a.id)' appears twice", "make ids unique")
            }
        }

        segments = []
        let segmentReaders = try r.objects("segments")
        guard !segmentReaders.isEmpty else { throw r.invalid("segments", "the list is empty", "declare at least one segment") }
        for s in segmentReaders {
            var segment = try Self.segment(s, features: features.count, attributes: attributeCount)
            if demand == .willingnessToPay {
                segment.willingnessToPayMedian = try s.double("wtp_median", in: 1e-9...1e12, expected: "a price > 0 (the median willingness to pay)")
                segment.willingnessToPaySpread = try s.double("wtp_spread", in: 1e-6...10, expected: "a log-scale spread in (0, 10]")
                if s.has("price_sensitivity") {
                    throw s.invalid("price_sensitivity", "willingness-to-pay demand has no price sensitivity",
                                    "remove it, or use \"demand\": \"logit\" in \"pricing\"")
                }
            } else {
                for key in ["wtp_median", "wtp_spread"] where s.has(key) {
                    throw s.invalid(key, "only willingness-to-pay demand has a willingness to pay",
                                    "set \"demand\": \"willingness_to_pay\" in \"pricing\", or remove it")
                }
            }
            segments.append(segment)
        }

        if let f = try r.optionalObject("fatigue") {
            f.declareKeys(["weight", "recovery_days"])
            fatigueWeight = try f.double("weight", in: 0...1e6, expected: "a number ≥ 0")
            fatigueRecoveryDays = try f.double("recovery_days", in: 1e-9...1e9, expected: "a number of days > 0")
        } else {
            fatigueWeight = 0
            fatigueRecoveryDays = 1
        }
        if let c = try r.optionalObject("churn") {
            c.declareKeys(["fatigue", "irritation", "purchase", "no_purchase"])
            churnFatigue = try c.double("fatigue", default: 0)
            churnIrritation = try c.double("irritation", default: 1)
            churnPurchase = try c.double("purchase", default: 0)
            churnNoPurchase = try c.double("no_purchase", default: 0)
        } else {
            churnFatigue = 0; churnIrritation = 1; churnPurchase = 0; churnNoPurchase = 0
        }
        seasonalAmplitude = 0
        seasonalPeriodDays = 365
        changes = []
        if let d = try r.optionalObject("drift") {
            d.declareKeys(["seasonality", "changes"])
            if let s = try d.optionalObject("seasonality") {
                s.declareKeys(["amplitude", "period_days"])
                seasonalAmplitude = try s.double("amplitude", in: 0...100, expected: "a number in [0, 100]")
                seasonalPeriodDays = try s.double("period_days", in: 1e-9...1e9, expected: "a number of days > 0")
            }
            if d.has("changes") {
                for c in try d.objects("changes") {
                    c.declareKeys(["day", "segment", "preferences", "base_utility", "price_sensitivity"])
                    let name = try c.string("segment")
                    guard let index = segments.firstIndex(where: { $0.name == name }) else {
                        throw c.invalid("segment", "unknown segment '\(name)'", "use one of \(segments.map(\.name).joined(separator: ", "))")
                    }
                    changes.append(Change(day: try c.double("day", in: 0...1e9, expected: "a day ≥ 0"), segment: index,
                                          preferences: try c.optionalDoubles("preferences", count: attributeCount),
                                          baseUtility: try c.optionalDouble("base_utility"),
                                          priceSensitivity: try c.optionalDouble("price_sensitivity")))
                }
                changes.sort { $0.day < $1.day }
            }
        }
        if let s = try r.optionalObject("slots") {
            s.declareKeys(["count", "position_discounts"])
            let count = try s.int("count", in: 1...actions.count, expected: "an integer in 1…\(actions.count) (the catalog size)")
            if let given = try s.optionalDoubles("position_discounts", count: count) {
                for (i, k) in given.enumerated() where !(k > 0 && k <= 1) {
                    throw s.invalid("position_discounts", index: i, "\(k) is not in (0, 1]", "give examination probabilities in (0, 1]")
                }
                positionDiscounts = given
            } else {
                positionDiscounts = (0..<count).map { 1 / log2(Double($0) + 2) }
            }
        } else {
            positionDiscounts = [1]
        }
        if actions.contains(where: { $0.kind == .price }) && !r.has("pricing") {
            throw r.missing("pricing", "{\"reference_price\": …, \"unit_cost\": …} for the price actions")
        }
    }

    private static func action(_ a: ObjectReader, hasPricing: Bool) throws(SimulationError) -> RetailAction {
        a.declareKeys(["id", "kind", "features", "cost", "price", "budget", "inventory", "available_from_day", "irritation", "category"])
        let id = try a.string("id")
        guard !id.isEmpty else { throw a.invalid("id", "the id is empty", "give the action a name") }
        let kind = ActionKind(rawValue: try a.choice("kind", ActionKind.allCases.map(\.rawValue), default: "offer")) ?? .offer
        let price = try a.optionalDouble("price")
        if kind == .price {
            guard let price, price > 0 else { throw a.missing("price", "the price (> 0) of this price point") }
        } else if price != nil {
            throw a.invalid("price", "only \"price\" actions have a price", "remove it or set \"kind\": \"price\"")
        }
        let budget = try a.optionalDouble("budget")
        if let budget, budget < 0 { throw a.outOfRange("budget", "\(budget)", "a spend ≥ 0") }
        let inventory = try a.optionalInt("inventory")
        if let inventory, inventory < 0 { throw a.outOfRange("inventory", "\(inventory)", "a unit count ≥ 0") }
        return RetailAction(id: id, kind: kind, features: try a.optionalDoubles("features") ?? [],
                            cost: try a.double("cost", default: 0, in: 0...1e12, expected: "a cost ≥ 0"), price: price,
                            budget: budget, inventory: inventory,
                            availableFromDay: try a.double("available_from_day", default: 0, in: 0...1e9, expected: "a day ≥ 0"),
                            irritation: try a.double("irritation", default: 0), category: try a.string("category", default: id))
    }

    private static func segment(_ s: ObjectReader, features: Int, attributes: Int) throws(SimulationError) -> Segment {
        s.declareKeys(["name", "share", "visit_weight", "profile", "feature_noise", "base_utility", "heterogeneity",
                               "preferences", "price_sensitivity", "basket_mean", "basket_spread", "channels", "churn_hazard",
                       "wtp_median", "wtp_spread"])
        var channels = Array(repeating: 0.0, count: channelNames.count)
        if let c = try s.optionalObject("channels") {
            c.declareKeys(channelNames)
            for (i, name) in channelNames.enumerated() {
                channels[i] = try c.double(name, default: 0, in: 0...1e9, expected: "a weight ≥ 0")
            }
            guard channels.contains(where: { $0 > 0 }) else { throw s.invalid("channels", "every weight is 0", "give at least one channel a positive weight") }
        } else {
            channels[0] = 1
        }
        return Segment(
            name: try s.string("name"),
            share: try s.double("share", in: 1e-12...1e12, expected: "a share > 0"),
            visitWeight: try s.double("visit_weight", default: 1, in: 1e-12...1e12, expected: "a weight > 0"),
            profile: try s.optionalDoubles("profile", count: features) ?? Array(repeating: 0, count: features),
            featureNoise: try s.double("feature_noise", default: 1, in: 0...1e6, expected: "a standard deviation ≥ 0"),
            baseUtility: try s.double("base_utility", default: 0),
            heterogeneity: try s.double("heterogeneity", default: 0, in: 0...100, expected: "a standard deviation in [0, 100]"),
            preferences: try s.optionalDoubles("preferences", count: attributes) ?? Array(repeating: 0, count: attributes),
            priceSensitivity: try s.double("price_sensitivity", default: 0),
            basketMean: try s.double("basket_mean", default: 1, in: 0...1e12, expected: "a value ≥ 0"),
            basketSpread: try s.double("basket_spread", default: 0, in: 0...10, expected: "a log-scale spread in [0, 10]"),
            channels: channels,
            churnHazard: try s.double("churn_hazard", default: 0, in: 0...0.999999, expected: "a probability in [0, 1)"))
    }
}
