import AttuneCore
import Bandits
import Foundation
import Testing
@testable import Simulation

/// A learner stand-in that records what it was taught: the reward of every interaction, in
/// order, and decides uniformly.
struct RecordingPolicy: Policy {
    let catalog: ActionCatalog
    let contextDimension: Int
    var modelVersion = 0
    var inner: UniformRandomPolicy
    var learnedRewards: [Double] = []
    let sink: Recorder?

    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var rewards: [Double] = []
        func append(_ r: Double) { lock.lock(); rewards.append(r); lock.unlock() }
    }

    init(catalog: ActionCatalog, contextDimension: Int, sink: Recorder? = nil) {
        self.catalog = catalog
        self.contextDimension = contextDimension
        inner = UniformRandomPolicy(catalog: catalog, contextDimension: contextDimension)
        self.sink = sink
    }
    func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try inner.distribution(for: context, among: candidates, into: &probabilities)
    }
    mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision) throws(BanditsError) {
        try inner.decide(for: context, among: candidates, using: &generator, into: &decision)
        decision.modelVersion = modelVersion
    }
    mutating func learn(from interaction: Interaction) throws(BanditsError) {
        modelVersion += 1
        sink?.append(interaction.reward)
    }
    func snapshot() throws(BanditsError) -> PolicySnapshot { try inner.snapshot() }
    mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {}
}

@Suite("Simulation runner")
struct SimulationRunnerTests {
    static func gaussianSpec() -> LinearContextualSpecification {
        LinearContextualSpecification(dimension: 4, actions: 5, model: .gaussian, seed: 9, biasScale: 1, noiseStandardDeviation: 0.5)
    }

    static func logisticRunner(horizon: Int = 2000, seeds: [UInt64] = [1, 2, 3]) throws -> SimulationRunner<LinearContextualEnvironment> {
        let env = try LinearContextualEnvironment(LinearContextualSpecification(dimension: 5, actions: 4, model: .bernoulliLogistic, seed: 4))
        return SimulationRunner(environment: env, horizon: horizon, seeds: seeds, curvePoints: 10)
    }

    @Test("the oracle has zero regret and the highest expected reward")
    func oracleRegretIsZero() throws {
        let study = try Self.logisticRunner().run([StudyPolicy(name: "oracle", kind: .oracle), StudyPolicy(name: "random", kind: .random)])
        for run in study.policies[0].runs { #expect(run.totalRegret == 0) }
        #expect(study.policies[1].regret.mean > 100)
        #expect(study.policies[0].meanExpectedReward.mean > study.policies[1].meanExpectedReward.mean)
        #expect(study.policies[0].regretCurve.allSatisfy { $0.mean == 0 })
    }

    @Test("expected reward is the logistic of the linear score")
    func expectedRewardMatchesModel() throws {
        // d = 7 exercises both the blocked and the remainder part of the dot product.
        let spec = LinearContextualSpecification(dimension: 7, actions: 2, model: .bernoulliLogistic, seed: 5)
        var env = try LinearContextualEnvironment(spec)
        var g = SeededGenerator(seed: 1)
        var context = Context(features: [])
        var candidates: [Int] = []
        for round in 0..<20 {
            _ = env.beginRound(round, context: &context, candidates: &candidates, using: &g)
            #expect(candidates == [0, 1])
            for k in 0..<2 {
                var z = spec.bias[k]
                for j in 0..<7 { z += spec.theta[k * 7 + j] * context.features[j] }
                #expect(abs(env.expectedReward(of: k, slot: 0) - 1 / (1 + Foundation.exp(-z))) < 1e-14)
            }
            let best = env.bestCandidate(among: candidates, slot: 0)
            #expect(best.expectedReward == max(env.expectedReward(of: 0, slot: 0), env.expectedReward(of: 1, slot: 0)))
        }
    }

    @Test("the random policy's mean reward matches its closed form within the interval")
    func randomMatchesClosedForm() throws {
        // Gaussian rewards with E[x] = 0: E[r] under uniform choice is the mean bias.
        let spec = Self.gaussianSpec()
        let runner = SimulationRunner(environment: try LinearContextualEnvironment(spec), horizon: 3000, seeds: Array(1...8))
        let study = try runner.run([StudyPolicy(name: "random", kind: .random)])
        let closedForm = spec.bias.reduce(0, +) / Double(spec.bias.count)
        let ci = study.policies[0].meanReward
        #expect(ci.contains(closedForm), "closed form \(closedForm) outside [\(ci.low ?? .nan), \(ci.high ?? .nan)]")
        // And the interval is informative: narrower than the spread of the biases.
        #expect((ci.high ?? 0) - (ci.low ?? 0) < 0.1)
    }

    @Test("two identical policies get identical results (common random numbers)")
    func commonRandomNumbers() throws {
        let study = try Self.logisticRunner().run([StudyPolicy(name: "a", kind: .random), StudyPolicy(name: "b", kind: .random),
                                                   StudyPolicy(name: "c", kind: .fixed(1)), StudyPolicy(name: "d", kind: .fixed(1))])
        #expect(study.policies[0].runs == study.policies[1].runs)
        #expect(study.policies[2].runs == study.policies[3].runs)
        #expect(study.policies[0].runs != study.policies[2].runs)
    }

    @Test("results do not depend on the number of threads, and logs are identical byte for byte")
    func determinism() throws {
        let dir1 = FileManager.default.temporaryDirectory.appendingPathComponent("attune-sim-\(UUID().uuidString)").path
        let dir2 = dir1 + "-b"
        defer { try? FileManager.default.removeItem(atPath: dir1); try? FileManager.default.removeItem(atPath: dir2) }
        var one = try Self.logisticRunner(horizon: 500, seeds: [7, 8])
        one.maximumConcurrency = 1
        one.logDirectory = dir1
        one.feedback = FeedbackSpecification(delay: .geometric, delayRounds: 3, windowRounds: 10)
        var two = one
        two.maximumConcurrency = 4
        two.logDirectory = dir2
        let policies = [StudyPolicy(name: "random", kind: .random), StudyPolicy(name: "oracle", kind: .oracle), StudyPolicy(name: "best", kind: .bestFixed)]
        let a = try one.run(policies), b = try two.run(policies)
        for p in 0..<3 { #expect(a.policies[p].runs == b.policies[p].runs) }
        for name in ["random", "oracle"] {
            for seed in [7, 8] {
                let x = try Data(contentsOf: URL(fileURLWithPath: "\(dir1)/\(name)/seed-\(seed).jsonl"))
                let y = try Data(contentsOf: URL(fileURLWithPath: "\(dir2)/\(name)/seed-\(seed).jsonl"))
                #expect(x == y && !x.isEmpty)
            }
        }
        // Different seeds give different logs.
        let s7 = try Data(contentsOf: URL(fileURLWithPath: "\(dir1)/random/seed-7.jsonl"))
        let s8 = try Data(contentsOf: URL(fileURLWithPath: "\(dir1)/random/seed-8.jsonl"))
        #expect(s7 != s8)
    }

    @Test("the log writer's numbers agree with Swift's own text forms")
    func logNumbers() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attune-numbers-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let integers: [Int64] = [0, 7, -12, 1_000_000, Int64.max, Int64.min]
        let doubles = [0.1, -2.5, 1e14, -1e15, 1e300, .nan, 3]
        let writer = try JSONLinesWriter(path: path)
        for i in integers { writer.write(integer: i); writer.write(" ") }
        writer.write(numbers: doubles)
        try writer.endLine()
        try writer.close()
        let expected = integers.map { "\($0) " }.joined() + "[0.1,-2.5,100000000000000,-1000000000000000.0,1e+300,null,3]\n"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(text)")
    }

    @Test("a linear environment writes its decision log but no raw-event file")
    func noEventFileWithoutEvents() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-noevents-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var runner = try Self.logisticRunner(horizon: 50, seeds: [3])
        runner.logDirectory = dir
        runner.writesEvents = true
        _ = try runner.run([StudyPolicy(name: "random", kind: .random)])
        #expect(FileManager.default.fileExists(atPath: "\(dir)/random/seed-3.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/random/events-seed-3.jsonl"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/random") == ["seed-3.jsonl"])
    }

    @Test("decision log lines carry the evaluator's fields with exact propensities")
    func decisionLogFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-log-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var runner = try Self.logisticRunner(horizon: 200, seeds: [3])
        runner.logDirectory = dir
        let metrics = try runner.run([StudyPolicy(name: "random", kind: .random)]).policies[0].runs[0]
        let text = try String(contentsOfFile: "\(dir)/random/seed-3.jsonl", encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 200)
        var total = 0.0
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["event_id", "timestamp", "segment", "context", "actions", "action", "propensity", "probabilities", "reward", "model_version"])
            let actions = try #require(object["actions"] as? [String])
            let probabilities = try #require(object["probabilities"] as? [Double])
            let action = try #require(object["action"] as? String)
            let propensity = try #require(object["propensity"] as? Double)
            #expect(actions == ["0", "1", "2", "3"])
            #expect(propensity == probabilities[try #require(actions.firstIndex(of: action))])
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-12)
            #expect((object["context"] as? [Double])?.count == 5)
            total += try #require(object["reward"] as? Double)
        }
        #expect(total == metrics.totalReward)
    }

    @Test("delayed rewards reach the learner late, and after the window as the default reward")
    func delayedFeedback() throws {
        let env = try LinearContextualEnvironment(LinearContextualSpecification(dimension: 2, actions: 2, model: .bernoulliLogistic, seed: 1))
        func learned(_ feedback: FeedbackSpecification) throws -> (Int, [Double], RunMetrics) {
            let recorder = RecordingPolicy.Recorder()
            let catalog = env.catalog
            let runner = SimulationRunner(environment: env, horizon: 300, seeds: [5], feedback: feedback)
            let study = try runner.run([StudyPolicy(name: "rec", kind: .learner { RecordingPolicy(catalog: catalog, contextDimension: 2, sink: recorder) })])
            return (recorder.rewards.count, recorder.rewards, study.policies[0].runs[0])
        }
        let (immediate, rewards0, m0) = try learned(FeedbackSpecification())
        #expect(immediate == 300)
        #expect(rewards0.reduce(0, +) == m0.totalReward)
        let (delayed, rewards10, m10) = try learned(FeedbackSpecification(delay: .fixed, delayRounds: 10, windowRounds: 10))
        #expect(delayed == 290)
        #expect(rewards10 == Array(rewards0.prefix(290)))
        #expect(m10 == m0)  // the customers' rewards do not depend on when the learner hears of them
        let (late, rewardsLate, _) = try learned(FeedbackSpecification(delay: .fixed, delayRounds: 10, windowRounds: 4, defaultReward: -1))
        #expect(late == 296)
        #expect(rewardsLate.allSatisfy { $0 == -1 })
    }

    @Test("best fixed in hindsight is the best of the fixed actions on each seed")
    func bestFixed() throws {
        let runner = try Self.logisticRunner(horizon: 800, seeds: [1, 2])
        let study = try runner.run([StudyPolicy(name: "best", kind: .bestFixed)] + (0..<4).map { StudyPolicy(name: "f\($0)", kind: .fixed($0)) })
        for s in 0..<2 {
            let best = study.policies[0].runs[s]
            let fixed = (1...4).map { study.policies[$0].runs[s].totalReward }
            #expect(best.totalReward == fixed.max())
            #expect(best.fixedAction.map { fixed[$0] } == fixed.max())
        }
    }

    @Test("a learner with the wrong context dimension is refused by name")
    func incompatiblePolicy() throws {
        let runner = try Self.logisticRunner(horizon: 10, seeds: [1])
        let catalog = runner.environment.catalog
        #expect(throws: SimulationError.self) {
            try runner.run([StudyPolicy(name: "bad", kind: .learner { UniformRandomPolicy(catalog: catalog, contextDimension: 3) })])
        }
    }

    @Test("Student t quantiles: table values and the expansion agree at the seam")
    func studentT() {
        #expect(ConfidenceInterval.studentT975(degreesOfFreedom: 1) == 12.706205)
        #expect(abs(ConfidenceInterval.studentT975(degreesOfFreedom: 31) - 2.039513) < 1e-4)
        #expect(abs(ConfidenceInterval.studentT975(degreesOfFreedom: 1000) - 1.962339) < 1e-5)
        let ci = ConfidenceInterval(samples: [1, 2, 3, 4])
        #expect(ci.mean == 2.5)
        #expect(abs((ci.high ?? 0) - (2.5 + 3.182446 * (1.6666666666666667 / 4).squareRoot())) < 1e-12)
        #expect(ConfidenceInterval(samples: [1]).low == nil)
    }
}

@Suite("Ground truth")
struct GroundTruthTests {
    @Test("a policy's true value is the mean of its distribution's expected rewards, and realized rewards agree")
    func trueValue() throws {
        let spec = LinearContextualSpecification(dimension: 4, actions: 3, model: .bernoulliLogistic, seed: 21)
        let env = try LinearContextualEnvironment(spec)
        let runner = SimulationRunner(environment: env, horizon: 2000, seeds: Array(1...6))
        let random = UniformRandomPolicy(catalog: env.catalog, contextDimension: 4)
        // By hand on seed 1's context stream.
        var copy = env
        var contexts = SeededGenerator(seed: 1).child(1)
        var context = Context(features: [])
        var candidates: [Int] = []
        var byHand = 0.0
        for t in 0..<2000 {
            _ = copy.beginRound(t, context: &context, candidates: &candidates, using: &contexts)
            byHand += (0..<3).map { copy.expectedReward(of: $0, slot: 0) }.reduce(0, +) / 3
        }
        #expect(abs(try runner.trueValue(of: random, seed: 1) - byHand / 2000) < 1e-12)
        // The realized mean reward of random play is an unbiased estimate of it.
        let values = try runner.seeds.map { (s: UInt64) throws(SimulationError) -> Double in try runner.trueValue(of: random, seed: s) }
        let realized = try runner.run([StudyPolicy(name: "random", kind: .random)]).policies[0].meanReward
        #expect(realized.contains(values.reduce(0, +) / Double(values.count)))
        // A fixed action's value is its own expected reward, below the oracle's.
        let fixed = try FixedActionPolicy(catalog: env.catalog, contextDimension: 4, action: 2)
        let oracle = try runner.run([StudyPolicy(name: "oracle", kind: .oracle)]).policies[0].runs[0]
        #expect(try runner.trueValue(of: fixed, seed: 1) < oracle.totalExpectedReward / 2000)
    }
}

@Suite("Studies with learners")
struct LearnerStudyTests {
    @Test("learners built from the scenario's specifications give the same results on 1 and 2 threads, and learn")
    func learnersAreDeterministicAndLearn() throws {
        var scenario = try Scenario(contentsOfFile: "\(simulationsDirectory)/linear-d20-k10.json")
        scenario.policies.removeAll { $0.name == "best-fixed" }
        let study = SimulationStudy(scenario: scenario)
        let one = try study.run(seeds: 2, horizon: 1500, maximumConcurrency: 1)
        let two = try study.run(seeds: 2, horizon: 1500, maximumConcurrency: 2)
        for (a, b) in zip(one.policies, two.policies) { #expect(a.runs == b.runs, "\(a.name)") }
        let regret = Dictionary(uniqueKeysWithValues: one.policies.map { ($0.name, $0.regret.mean) })
        // After 1500 rounds at d = 20 LinUCB has already cut the random policy's regret.
        #expect(try #require(regret["linucb"]) < 0.8 * (try #require(regret["random"])))
    }
}

@Suite("Decision logs against the truth")
struct DecisionLogTruthTests {
    @Test("inverse propensity scoring on the random policy's log recovers a fixed policy's true value")
    func ipsRecoversTrueValue() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-ips-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try LinearContextualEnvironment(LinearContextualSpecification(dimension: 3, actions: 4, model: .bernoulliLogistic, seed: 31))
        var runner = SimulationRunner(environment: env, horizon: 6000, seeds: [4])
        runner.logDirectory = dir
        _ = try runner.run([StudyPolicy(name: "random", kind: .random)])
        let text = try String(contentsOfFile: "\(dir)/random/seed-4.jsonl", encoding: .utf8)
        var terms: [Double] = []
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let action = try #require(object["action"] as? String)
            let propensity = try #require(object["propensity"] as? Double)
            let reward = try #require(object["reward"] as? Double)
            terms.append(action == "2" ? reward / propensity : 0)
        }
        let n = Double(terms.count)
        let ips = terms.reduce(0, +) / n
        let variance = terms.reduce(0) { $0 + ($1 - ips) * ($1 - ips) } / (n - 1)
        let truth = try runner.trueValue(of: try FixedActionPolicy(catalog: env.catalog, contextDimension: 3, action: 2), seed: 4)
        #expect(abs(ips - truth) < 3 * (variance / n).squareRoot(), "IPS \(ips) vs truth \(truth)")
    }
}
