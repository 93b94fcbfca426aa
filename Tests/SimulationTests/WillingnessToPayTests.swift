#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import Foundation
import Testing
@testable import Simulation

@Suite("Willingness-to-pay demand")
struct WillingnessToPayTests {
    static let baseUtility = 1.2, median = 48.0, spread = 0.3
    static let prices = [40.0, 50.0, 60.0]

    static func specification() throws -> RetailSpecification {
        try retailSpecification("""
        {"customers": 500, "rounds_per_day": 100, "objective": "conversion", "features": ["x"],
         "pricing": {"reference_price": 50, "unit_cost": 20, "demand": "willingness_to_pay"},
         "segments": [{"name": "a", "share": 1, "profile": [0], "base_utility": \(baseUtility), "preferences": [0],
                       "wtp_median": \(median), "wtp_spread": \(spread)}],
         "actions": [\(prices.map { "{\"id\": \"p\(Int($0))\", \"kind\": \"price\", \"price\": \($0), \"features\": [0]}" }.joined(separator: ", "))]}
        """)
    }

    /// P(convert | price p) = σ(base) · Φ((ln m − ln p)/v), written out independently.
    static func closedForm(_ price: Double) -> Double {
        let inMarket = 1 / (1 + exp(-baseUtility))
        let z = (log(median) - log(price)) / spread
        return inMarket * 0.5 * erfc(-z / 2.0.squareRoot())
    }

    @Test("the expected purchase probability is σ(u)·Φ((ln m − ln p)/v), and a Monte Carlo of W agrees")
    func expectedProbabilityMatchesClosedForm() throws {
        var env = try RetailEnvironment(try Self.specification())
        var g = SeededGenerator(seed: 5)
        env.reset(using: &g)
        var context = Context(features: [])
        var candidates: [Int] = []
        for round in 0..<20 {
            candidates.removeAll(keepingCapacity: true)
            #expect(env.beginRound(round, context: &context, candidates: &candidates, using: &g))
            for (a, price) in Self.prices.enumerated() {
                #expect(abs(env.expectedReward(of: a, slot: 0) - Self.closedForm(price)) < 1e-12)
            }
        }
        // The closed form against draws of ln W ~ N(ln m, v²).
        var w = SeededGenerator(seed: 6)
        let draws = 200_000
        var above = Array(repeating: 0, count: Self.prices.count)
        for _ in 0..<draws {
            let willingness = Self.median * exp(Self.spread * w.nextStandardNormal())
            for (a, price) in Self.prices.enumerated() where willingness >= price { above[a] += 1 }
        }
        let inMarket = 1 / (1 + exp(-Self.baseUtility))
        for (a, price) in Self.prices.enumerated() {
            let p = Double(above[a]) / Double(draws)
            #expect(abs(inMarket * p - Self.closedForm(price)) < 4 * (p * (1 - p) / Double(draws)).squareRoot() + 1e-9)
        }
        // Demand falls with price, and the median price sells to half of those in the market.
        #expect(Self.closedForm(40) > Self.closedForm(50) && Self.closedForm(50) > Self.closedForm(60))
        #expect(abs(RetailEnvironment.acceptance(price: 48, median: 48, spread: 0.3) - 0.5) < 1e-15)
    }

    @Test("realized purchases at one price match the closed form within the interval")
    func realizedPurchaseRate() throws {
        var env = try RetailEnvironment(try Self.specification())
        var g = SeededGenerator(seed: 7), r = SeededGenerator(seed: 8)
        env.reset(using: &g)
        var context = Context(features: [])
        var candidates: [Int] = []
        let rounds = 20_000
        var conversions = 0
        for round in 0..<rounds {
            candidates.removeAll(keepingCapacity: true)
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &g) else { continue }
            if env.respond(to: 1, slot: 0, using: &r).converted { conversions += 1 }
            _ = env.endRound(using: &r)
        }
        let p = Self.closedForm(50)
        let rate = Double(conversions) / Double(rounds)
        #expect(abs(rate - p) < 4 * (p * (1 - p) / Double(rounds)).squareRoot(), "rate \(rate), closed form \(p)")
    }

    static let badDemand: [(String, String, String)] = [
        ("\"wtp_median\": 48.0", "\"price_sensitivity\": 2", "$.retail.segments[0].wtp_median"),
        ("\"wtp_spread\": 0.3", "\"wtp_spread\": 0.3, \"price_sensitivity\": 2", "$.retail.segments[0].price_sensitivity"),
        ("\"wtp_spread\": 0.3", "\"wtp_spread\": 0", "$.retail.segments[0].wtp_spread"),
        ("\"willingness_to_pay\"", "\"logit\"", "$.retail.segments[0].wtp_median"),
        ("\"willingness_to_pay\"", "\"wtp\"", "$.retail.pricing.demand"),
    ]

    @Test("willingness-to-pay fields are checked against the demand model", arguments: badDemand)
    func badDemandRejected(_ from: String, _ to: String, _ path: String) throws {
        let json = """
        {"customers": 50, "objective": "conversion", "pricing": {"reference_price": 50, "demand": "willingness_to_pay"},
         "segments": [{"name": "a", "share": 1, "wtp_median": 48.0, "wtp_spread": 0.3}],
         "actions": [{"id": "p40", "kind": "price", "price": 40, "features": [0]}]}
        """
        _ = try retailSpecification(json)
        #expect(json.contains(from))
        do {
            _ = try retailSpecification(json.replacingOccurrences(of: from, with: to))
            Issue.record("accepted \(to)")
        } catch {
            guard case .invalidScenario(let p, _, _, let location) = error else { Issue.record("\(error)"); return }
            #expect(p == path, "\(error)")
            #expect(location != nil, "\(error)")
        }
    }
}
