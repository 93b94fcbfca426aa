#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits

// MARK: - Population

extension RetailEnvironment {
    public mutating func reset(using g: inout SeededGenerator) {
        let s = specification
        let n = s.customers, m = s.features.count
        preferences = s.segments.flatMap(\.preferences)
        baseUtility = s.segments.map(\.baseUtility)
        priceSensitivity = s.segments.map(\.priceSensitivity)
        nextChange = 0
        budgetLeft = s.actions.map { $0.budget ?? .infinity }
        inventoryLeft = s.actions.map { $0.inventory ?? .max }
        events.removeAll(keepingCapacity: true)

        let totalShare = s.segments.reduce(0) { $0 + $1.share }
        segmentOf = Array(repeating: 0, count: n)
        staticFeatures = Array(repeating: 0, count: n * m)
        offset = Array(repeating: 0, count: n)
        for c in 0..<n {
            let u = g.nextUniform() * totalShare
            var cumulative = 0.0
            var segment = s.segments.count - 1
            for (i, seg) in s.segments.enumerated() {
                cumulative += seg.share
                if u < cumulative { segment = i; break }
            }
            segmentOf[c] = segment
            let seg = s.segments[segment]
            for j in 0..<m { staticFeatures[c * m + j] = seg.profile[j] + seg.featureNoise * g.nextStandardNormal() }
            offset[c] = seg.heterogeneity * g.nextStandardNormal()
        }
        buildAliasTable(weights: segmentOf.map { s.segments[$0].visitWeight })
        active = Array(repeating: true, count: n)
        lastVisitDay = Array(repeating: -60, count: n)
        purchases = Array(repeating: 0, count: n)
        fatigue = Array(repeating: 0, count: n * actionCount)
        fatigueDay = Array(repeating: 0, count: n * actionCount)
    }

    /// Vose's alias method: O(n) set-up, then one uniform picks a customer in O(1).
    ///
    /// ## References
    /// Vose, "A linear algorithm for generating random numbers with a given distribution",
    /// IEEE TSE 17(9), 1991.
    mutating func buildAliasTable(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        aliasProbability = Array(repeating: 1, count: n)
        aliasIndex = Array(0..<n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let l = small.popLast(), let g = large.last {
            aliasProbability[l] = scaled[l]
            aliasIndex[l] = g
            scaled[g] -= 1 - scaled[l]
            if scaled[g] < 1 { large.removeLast(); small.append(g) }
        }
    }
}

// MARK: - Rounds

extension RetailEnvironment {
    public mutating func beginRound(_ round: Int, context: inout Context, candidates: inout [Int], using g: inout SeededGenerator) -> Bool {
        let s = specification
        day = Double(round) / Double(s.roundsPerDay)
        while nextChange < s.changes.count && s.changes[nextChange].day <= day {
            let change = s.changes[nextChange]
            if let p = change.preferences { for j in 0..<attributeCount { preferences[change.segment * attributeCount + j] = p[j] } }
            if let b = change.baseUtility { baseUtility[change.segment] = b }
            if let l = change.priceSensitivity { priceSensitivity[change.segment] = l }
            nextChange += 1
        }
        let n = segmentOf.count
        let u = g.nextUniform() * Double(n)
        let i = min(Int(u), n - 1)
        customer = u - Double(i) < aliasProbability[i] ? i : aliasIndex[i]
        let channelDraw = g.nextUniform()
        let sessionDraw = g.nextUniform()
        let segment = segmentOf[customer]
        currentSegment = segment
        candidates.removeAll(keepingCapacity: true)
        shownFatigue = 0
        shownIrritation = 0
        bought = false
        guard active[customer] else { return false }

        let m = s.features.count
        if context.features.count != contextDimension { context.features = Array(repeating: 0, count: contextDimension) }
        for j in 0..<m { context.features[j] = staticFeatures[customer * m + j] }
        context.features[m] = min(day - lastVisitDay[customer], 60) / 30
        context.features[m + 1] = log1p(Double(purchases[customer]))
        if s.observeFatigue || s.fatigueWeight > 0 {
            for a in 0..<actionCount { currentFatigue[a] = decayedFatigue(customer * actionCount + a) }
        }
        if s.observeFatigue {
            for a in 0..<actionCount { context.features[m + 2 + a] = currentFatigue[a] }
        }
        context.features[contextDimension - 1] = 1
        context.segment = s.revealSegments ? segment : nil

        let seg = s.segments[segment]
        let season = s.seasonalAmplitude == 0 ? 0 : s.seasonalAmplitude * sin(2 * Double.pi * day / s.seasonalPeriodDays)
        let base = baseUtility[segment] + offset[customer] + season
        let p = attributeCount
        for a in 0..<actionCount {
            guard day >= availableFrom[a], inventoryLeft[a] > 0, costs[a] == 0 || budgetLeft[a] >= costs[a] else { continue }
            candidates.append(a)
            var utility = base
            for j in 0..<p { utility += preferences[segment * p + j] * attributes[a * p + j] }
            if isPrice[a] && s.demand == .logit {
                utility -= priceSensitivity[segment] * (valuePrice[a] - s.referencePrice) / s.referencePrice
            }
            if s.fatigueWeight > 0 { utility -= s.fatigueWeight * currentFatigue[a] }
            conversionProbability[a] = priceAcceptance[segment * actionCount + a] / (1 + exp(-utility))
            switch s.objective {
            case .conversion: valuePerConversion[a] = 1
            case .revenue: valuePerConversion[a] = isPrice[a] ? valuePrice[a] : seg.basketMean
            case .margin: valuePerConversion[a] = isPrice[a] ? valuePrice[a] - s.unitCost : s.marginRate * seg.basketMean - costs[a]
            }
        }
        if recording { recordVisit(round: round, channelDraw: channelDraw, sessionDraw: sessionDraw) }
        return true
    }

    /// The fatigue F of (customer, action) entry `k` decayed to the current day.
    @inline(__always)
    func decayedFatigue(_ k: Int) -> Double {
        let f = fatigue[k]
        return f == 0 ? 0 : f * exp(-(day - fatigueDay[k]) / specification.fatigueRecoveryDays)
    }

    public mutating func respond(to action: Int, slot: Int, using g: inout SeededGenerator) -> Outcome {
        let s = specification
        let buyDraw = g.nextUniform()
        let basketDraw = normal.next(using: &g)
        let extraDraw = g.nextUniform()
        let converted = buyDraw < kappa[slot] * conversionProbability[action]
        let k = customer * actionCount + action
        let f = (s.observeFatigue || s.fatigueWeight > 0 ? currentFatigue[action] : decayedFatigue(k)) + 1
        fatigue[k] = f
        fatigueDay[k] = day
        shownFatigue += f
        shownIrritation += irritation[action]
        guard converted else { return Outcome(reward: 0) }
        bought = true
        budgetLeft[action] -= costs[action]
        if inventoryLeft[action] != .max { inventoryLeft[action] -= 1 }
        let seg = s.segments[segmentOf[customer]]
        let spread = seg.basketSpread
        let value = isPrice[action] ? valuePrice[action] : seg.basketMean * exp(spread * basketDraw - spread * spread / 2)
        let margin = isPrice[action] ? value - s.unitCost : s.marginRate * value - costs[action]
        if recording { recordPurchase(action: action, value: value, reviewDraw: extraDraw) }
        let reward: Double
        switch s.objective {
        case .conversion: reward = 1
        case .revenue: reward = value
        case .margin: reward = margin
        }
        return Outcome(reward: reward, revenue: value, margin: margin, converted: true)
    }

    public mutating func endRound(using g: inout SeededGenerator) -> Bool {
        let s = specification
        let churnDraw = g.nextUniform()
        guard active[customer] else { return false }
        lastVisitDay[customer] = day
        if bought { purchases[customer] += 1 }
        let hazard = s.segments[segmentOf[customer]].churnHazard
        guard hazard > 0 else { return false }
        let logit = log(hazard / (1 - hazard)) + s.churnFatigue * shownFatigue + s.churnIrritation * shownIrritation
            + (bought ? s.churnPurchase : s.churnNoPurchase)
        guard churnDraw < 1 / (1 + exp(-logit)) else { return false }
        active[customer] = false
        return true
    }
}
