import AttuneCore
import Bandits
import Foundation
import Testing

@Suite("Decision guard")
struct DecisionGuardTests {
    static let costs = [1.0, 3, 2, 5, 0]
    static func offers() throws -> ActionCatalog {
        try ActionCatalog(costs.enumerated().map { Action(id: ActionID("a\($0.offset)"), cost: $0.element) })
    }
    static let constraints = ConstraintsSpecification(
        frequencyCaps: [FrequencyCapSpecification(actions: ["a0", "a1"], maxExposures: 2, periodSeconds: 100),
                        FrequencyCapSpecification(maxExposures: 5, periodSeconds: 1000)],
        budgets: [BudgetSpecification(campaign: "paced", actions: ["a1", "a2"], amount: 50, startSeconds: 0, flightSeconds: 5000),
                  BudgetSpecification(campaign: "flat", actions: ["a3"], amount: 20, flightSeconds: 5000, pacing: false)])

    /// Random streams: random customers, times, choices among the eligible candidates and
    /// outcomes settled in random order. No cap or budget is ever exceeded.
    @Test(arguments: 1...12)
    func capsAndBudgetsAreNeverExceeded(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var guardrail = try DecisionGuard(Self.constraints, catalog: Self.offers())
        var time = 0.0
        var history: [(customer: String, action: Int, time: Double)] = []
        var pending: [Int] = []
        var converted = ["paced": 0.0, "flat": 0.0]
        var refused = 0
        for _ in 0..<600 {
            time += -log(rng.nextOpenUniform()) * 10
            let customer = "c\(Int(rng.nextUniform() * 6))"
            let eligible: [Int]
            do {
                eligible = try guardrail.eligibleCandidates(Array(0..<5), customer: customer, at: time)
            } catch {
                #expect(error == .noEligibleAction)
                refused += 1
                continue
            }
            let action = eligible[Int(rng.nextUniform() * Double(eligible.count))]
            try guardrail.recordExposure(of: action, customer: customer, at: time)
            history.append((customer, action, time))
            pending.append(action)
            // Budgets: what is committed never runs ahead of the allowance.
            let committed = guardrail.committedSpend
            #expect(committed["paced", default: 0] <= 50 * min(1, time / 5000 + 0.01) + 1e-9)
            #expect(committed["flat", default: 0] <= 20 + 1e-9)
            // Settle some outcomes, in random order.
            while !pending.isEmpty && rng.nextUniform() < 0.6 {
                let index = Int(rng.nextUniform() * Double(pending.count))
                let settled = pending.remove(at: index)
                let didConvert = rng.nextUniform() < 0.5
                try guardrail.recordOutcome(of: settled, converted: didConvert)
                if didConvert {
                    if settled == 1 || settled == 2 { converted["paced", default: 0] += Self.costs[settled] }
                    if settled == 3 { converted["flat", default: 0] += Self.costs[settled] }
                }
            }
            #expect(converted["paced", default: 0] <= 50 && converted["flat", default: 0] <= 20)
            #expect(guardrail.spend["paced", default: 0] == converted["paced", default: 0])
        }
        // Frequency caps, recounted from the log by brute force.
        for (i, entry) in history.enumerated() {
            let earlier = history[...i].filter { $0.customer == entry.customer && $0.action == entry.action }
            if entry.action <= 1 {
                #expect(earlier.filter { $0.time > entry.time - 100 }.count <= 2)
            }
            #expect(earlier.filter { $0.time > entry.time - 1000 }.count <= 5)
        }
        // The guard is not trivially refusing: most rounds found an eligible action.
        #expect(history.count > 300, "only \(history.count) exposures, \(refused) refusals")
    }

    @Test(arguments: 1...6)
    func pricesStayWithinTheGuardrails(seed: UInt64) throws {
        let ladder = try ActionCatalog([15.0, 19, 22, 25, 28, 35].map { Action(id: ActionID("p\(Int($0))"), kind: .price, cost: 10, price: $0) })
        let rails = PriceGuardrailSpecification(minPrice: 18, maxPrice: 30, maxChange: 4, periodSeconds: 500)
        var guardrail = try DecisionGuard(ConstraintsSpecification(priceGuardrails: rails), catalog: ladder)
        var rng = SeededGenerator(seed: seed)
        var time = 0.0
        var shown: [String: (Double, Double)] = [:]
        for _ in 0..<300 {
            time += rng.nextUniform() * 200
            let customer = "c\(Int(rng.nextUniform() * 4))"
            let eligible = try guardrail.eligibleCandidates(Array(0..<6), customer: customer, at: time)
            let action = eligible[Int(rng.nextUniform() * Double(eligible.count))]
            let price = ladder.actions[action].price ?? 0
            #expect(price >= 18 && price <= 30)
            if let (last, when) = shown[customer], time - when < 500 { #expect(abs(price - last) <= 4) }
            try guardrail.recordExposure(of: action, customer: customer, at: time)
            shown[customer] = (price, time)
        }
    }

    @Test func unknownActionInAConstraintIsTyped() {
        let bad = ConstraintsSpecification(budgets: [BudgetSpecification(campaign: "x", actions: ["zz"], amount: 1, flightSeconds: 1)])
        #expect(throws: BanditsError.unknownAction("zz")) { try DecisionGuard(bad, catalog: Self.offers()) }
    }

    @Test func stateSurvivesACheckpoint() throws {
        var guardrail = try DecisionGuard(Self.constraints, catalog: Self.offers())
        try guardrail.recordExposure(of: 3, customer: "c1", at: 10)
        try guardrail.recordOutcome(of: 3, converted: true)
        try guardrail.recordExposure(of: 3, customer: "c2", at: 20)
        try guardrail.recordExposure(of: 0, customer: "c1", at: 30)
        try guardrail.recordExposure(of: 0, customer: "c1", at: 31)
        let restored = try JSONDecoder().decode(DecisionGuard.self, from: JSONEncoder().encode(guardrail))
        #expect(restored == guardrail)
        #expect(restored.spend["flat"] == 5)
        #expect(restored.committedSpend["flat"] == 10)
        #expect(!restored.isEligible(0, customer: "c1", at: 40))   // capped: 2 per 100 s
    }

    /// Many customers, each seen in a short burst: the guard forgets who is past the
    /// retention period (here the guardrail's 500 s), yet answers exactly as a recount of
    /// the whole history does.
    @Test(arguments: 1...4)
    func forgottenHistoryChangesNoAnswer(seed: UInt64) throws {
        let prices = [15.0, 19, 22, 25, 28]
        let catalog = try ActionCatalog(prices.enumerated().map { Action(id: ActionID("p\($0.offset)"), kind: .price, price: $0.element) })
        let constraints = ConstraintsSpecification(
            frequencyCaps: [FrequencyCapSpecification(actions: ["p0", "p1"], maxExposures: 2, periodSeconds: 100),
                            FrequencyCapSpecification(maxExposures: 3, periodSeconds: 300)],
            priceGuardrails: PriceGuardrailSpecification(maxChange: 4, periodSeconds: 500))
        var guardrail = try DecisionGuard(constraints, catalog: catalog)
        #expect(guardrail.retentionSeconds == 500)
        var rng = SeededGenerator(seed: seed)
        var shown: [String: [(action: Int, time: Double)]] = [:]
        var time = 0.0
        var mostTracked = 0
        for step in 0..<6000 {
            time += rng.nextUniform() * 2
            // A window of 40 customers slides over ids: each is active for about 200 steps.
            let customer = "c\(step / 50 + Int(rng.nextUniform() * 40))"
            let history = shown[customer] ?? []
            for action in 0..<prices.count {
                let capped = (action <= 1 && history.filter { $0.action == action && $0.time > time - 100 }.count >= 2)
                    || history.filter { $0.action == action && $0.time > time - 300 }.count >= 3
                let last = history.last
                let jump = last.map { time - $0.time < 500 && abs(prices[action] - prices[$0.action]) > 4 } ?? false
                #expect(guardrail.isEligible(action, customer: customer, at: time) == !(capped || jump),
                        "step \(step), \(customer), action \(action)")
            }
            guard let eligible = try? guardrail.eligibleCandidates(Array(0..<prices.count), customer: customer, at: time) else { continue }
            let action = eligible[Int(rng.nextUniform() * Double(eligible.count))]
            try guardrail.recordExposure(of: action, customer: customer, at: time)
            shown[customer, default: []].append((action, time))
            mostTracked = max(mostTracked, guardrail.trackedCustomers)
        }
        // Customers seen in the last 500 s (about 500 steps, 10 ids a window step, plus the window).
        let recent = Set(shown.filter { $0.value.contains { $0.time > time - 500 } }.keys)
        #expect(guardrail.trackedCustomers <= recent.count + 60)
        #expect(shown.count > 150 && mostTracked < shown.count / 2, "tracked at most \(mostTracked) of \(shown.count)")
        // The forgetting order is rebuilt on decoding, and forgetting goes on after it.
        var restored = try JSONDecoder().decode(DecisionGuard.self, from: JSONEncoder().encode(guardrail))
        #expect(restored == guardrail)
        try restored.recordExposure(of: 2, customer: "late", at: time + 10_000)
        #expect(restored.trackedCustomers == 1)
    }
}
