import AttuneCore
import Bandits
import Foundation
import Testing
@testable import Simulation

@Suite("Retail environment")
struct RetailEnvironmentTests {
    static func run(_ spec: RetailSpecification, _ kind: StudyPolicy.Kind, horizon: Int = 3000, seeds: [UInt64] = [1, 2, 3]) throws -> PolicyResult {
        let runner = SimulationRunner(environment: try RetailEnvironment(spec), horizon: horizon, seeds: seeds, curvePoints: 2)
        return try runner.run([StudyPolicy(name: "p", kind: kind)]).policies[0]
    }

    @Test("fatigue lowers the response to a repeated action, and recovery restores it")
    func fatigue() throws {
        let fresh = try Self.run(try smallRetail(), .fixed(1))
        let tired = try Self.run(try smallRetail { $0.fatigueWeight = 1; $0.fatigueRecoveryDays = 30 }, .fixed(1))
        let recovered = try Self.run(try smallRetail { $0.fatigueWeight = 1; $0.fatigueRecoveryDays = 0.001 }, .fixed(1))
        #expect(tired.conversionRate.mean < fresh.conversionRate.mean - 0.1, "\(tired.conversionRate.mean) vs \(fresh.conversionRate.mean)")
        #expect(abs(recovered.conversionRate.mean - fresh.conversionRate.mean) < 0.03)
        // Alternating actions tires customers less than repeating one.
        let random = try Self.run(try smallRetail { $0.fatigueWeight = 1; $0.fatigueRecoveryDays = 30; $0.actions[0].features = [1] }, .random)
        #expect(random.conversionRate.mean > tired.conversionRate.mean)
    }

    @Test("an irritating action churns customers and loses later reward")
    func churn() throws {
        let spec = try smallRetail {
            $0.segments[0].churnHazard = 0.005
            $0.actions[1].irritation = 2.5
        }
        let calm = try Self.run(spec, .fixed(0))
        let loud = try Self.run(spec, .fixed(1))
        #expect(loud.churnedCustomers.mean > 2 * calm.churnedCustomers.mean, "\(loud.churnedCustomers.mean) vs \(calm.churnedCustomers.mean)")
        // The loud action converts better per decision but earns less per round late in the run.
        #expect(loud.conversionRate.mean > calm.conversionRate.mean)
        let late = { (r: PolicyResult) in r.rewardCurve[1].mean }
        #expect(late(loud) / loud.rewardCurve[0].mean < late(calm) / calm.rewardCurve[0].mean)
        for run in loud.runs { #expect(run.decisions < run.rounds) }
    }

    @Test("a segment's taste change at a date changes its response from that date")
    func drift() throws {
        let spec = try smallRetail {
            $0.changes = [RetailSpecification.Change(day: 15, segment: 0, preferences: [-2])]
        }
        let loud = try Self.run(spec, .fixed(1))
        let plain = try Self.run(spec, .fixed(0))
        #expect(loud.rewardCurve[1].mean < loud.rewardCurve[0].mean - 0.2)
        #expect(abs(plain.rewardCurve[1].mean - plain.rewardCurve[0].mean) < 0.05)
    }

    @Test("observed fatigue grows for the action shown and stays 0 for the others")
    func observedFatigue() throws {
        var env = try RetailEnvironment(try smallRetail { $0.observeFatigue = true; $0.fatigueWeight = 0.5; $0.fatigueRecoveryDays = 10 })
        #expect(env.contextDimension == 6)
        var g = SeededGenerator(seed: 8), r = SeededGenerator(seed: 9)
        env.reset(using: &g)
        var context = Context(features: [])
        var candidates: [Int] = []
        var shown = 0.0, unshown = 0.0
        for round in 0..<3000 {
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &g) else { continue }
            #expect(context.features[5] == 1)
            if round >= 1500 { shown += context.features[4]; unshown += context.features[3] }
            _ = env.respond(to: 1, slot: 0, using: &r)
            _ = env.endRound(using: &r)
        }
        #expect(unshown == 0)
        #expect(shown / 1500 > 0.5)
    }

    @Test("an action whose budget is spent or whose stock runs out stops being a candidate")
    func budget() throws {
        var env = try RetailEnvironment(try smallRetail { $0.actions[1].cost = 1; $0.actions[1].budget = 10 })
        var g = SeededGenerator(seed: 3), r = SeededGenerator(seed: 4)
        env.reset(using: &g)
        var context = Context(features: [])
        var candidates: [Int] = []
        var spent = 0
        for round in 0..<2000 {
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &g) else { continue }
            let action = candidates.contains(1) ? 1 : candidates[0]
            if env.respond(to: action, slot: 0, using: &r).converted && action == 1 { spent += 1 }
            _ = env.endRound(using: &r)
        }
        #expect(spent == 10)
        #expect(!candidates.contains(1))

        var stocked = try RetailEnvironment(try smallRetail { $0.actions[1].inventory = 7 })
        stocked.reset(using: &g)
        var sold = 0
        for round in 0..<2000 {
            guard stocked.beginRound(round, context: &context, candidates: &candidates, using: &g) else { continue }
            let action = candidates.contains(1) ? 1 : candidates[0]
            if stocked.respond(to: action, slot: 0, using: &r).converted && action == 1 { sold += 1 }
            _ = stocked.endRound(using: &r)
        }
        #expect(sold == 7)
    }

    @Test("demand falls with price for every segment")
    func priceSensitivity() throws {
        let scenario = try Scenario(contentsOfFile: "\(simulationsDirectory)/retail-pricing.json")
        guard case .retail(var spec) = scenario.environment else { Issue.record("wrong kind"); return }
        spec.objective = .conversion
        var env = try RetailEnvironment(spec)
        var g = SeededGenerator(seed: 1)
        env.reset(using: &g)
        var context = Context(features: [])
        var candidates: [Int] = []
        for round in 0..<50 {
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &g) else { continue }
            let p = candidates.map { env.expectedReward(of: $0, slot: 0) }
            #expect(zip(p, p.dropFirst()).allSatisfy { $0 > $1 })
        }
    }

    @Test("the realized mean reward of random play matches the ground-truth expected reward")
    func groundTruthIsUnbiased() throws {
        let scenario = try Scenario(contentsOfFile: "\(simulationsDirectory)/retail-offers.json")
        guard case .retail(let spec) = scenario.environment else { Issue.record("wrong kind"); return }
        let result = try Self.run(spec, .random, horizon: 4000, seeds: Array(1...6))
        let gaps = result.runs.map { ($0.totalReward - $0.totalExpectedReward) / Double($0.rounds) }
        #expect(ConfidenceInterval(samples: gaps).contains(0) || abs(ConfidenceInterval(samples: gaps).mean) < 0.02)
    }

    @Test("emitted raw events are well-formed touchpoints, one purchase per conversion")
    func events() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scenario = try Scenario(contentsOfFile: "\(simulationsDirectory)/retail-offers.json")
        let study = try SimulationStudy(scenario: scenario).run(seeds: 1, horizon: 1500, logDirectory: dir)
        let random = try #require(study.policies.first { $0.name == "random" })
        let text = try String(contentsOfFile: "\(dir)/random/events-seed-\(scenario.seeds.base).jsonl", encoding: .utf8)
        let types: Set<String> = ["page_view", "search", "click", "cart_add", "purchase", "email_open", "email_click",
                                  "app_session", "social_engagement", "store_visit", "review"]
        var purchases = 0
        var lastTimestamp = ""
        for line in text.split(separator: "\n") {
            let e = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let type = try #require(e["type"] as? String)
            #expect(types.contains(type))
            #expect((e["customer_id"] as? String)?.hasPrefix("c") == true)
            #expect(RetailSpecification.channelNames.contains(e["channel"] as? String ?? ""))
            let timestamp = try #require(e["timestamp"] as? String)
            #expect(timestamp.count >= 20 && timestamp.hasSuffix("Z"))
            if type == "purchase" {
                purchases += 1
                #expect((e["value"] as? Double ?? 0) > 0)
                lastTimestamp = timestamp
            }
        }
        #expect(purchases == random.runs[0].conversions)
        #expect(lastTimestamp.hasPrefix("2026-01-01"))
    }

    @Test("ISO 8601 timestamps from epoch seconds")
    func iso8601() {
        #expect(JSONLinesWriter.iso8601(seconds: 0) == "1970-01-01T00:00:00Z")
        #expect(JSONLinesWriter.iso8601(seconds: 1_767_225_600) == "2026-01-01T00:00:00Z")
        #expect(JSONLinesWriter.iso8601(seconds: 951_827_696.5) == "2000-02-29T12:34:56.500Z")
    }
}

@Suite("Shipped scenarios")
struct ShippedScenarioTests {
    @Test("every shipped scenario runs briefly with finite results", arguments: shippedScenarios)
    func runs(_ file: String) throws {
        let scenario = try Scenario(contentsOfFile: "\(simulationsDirectory)/\(file)")
        let study = SimulationStudy(scenario: scenario)
        let result = try study.run(seeds: 2, horizon: 400)
        #expect(result.policies.count == scenario.policies.count)
        for policy in result.policies {
            #expect(policy.meanReward.mean.isFinite)
            #expect(policy.regret.mean >= 0)
            #expect(policy.runs.allSatisfy { $0.decisions > 0 })
        }
        let oracleNames = scenario.policies.filter { $0.source == .baseline(.oracle, action: nil) }.map(\.name)
        for policy in result.policies where oracleNames.contains(policy.name) { #expect(policy.regret.mean == 0) }
    }
}
