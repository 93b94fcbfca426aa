import AttuneCore
import Bandits
import Dispatch
import Foundation
import PolicyGradient
import Simulation
import Synchronization

/// The target study of `attune-bench policy-gradient` (see ``PolicyGradientBenchmarks``).
///
/// Customer journeys: the retail simulator interleaves customers' visits; Simulation's
/// `JourneyTrainer` groups a customer's visits into one episode (the trainer `attune simulate`
/// uses for scenarios with a policy-gradient training plan). A step's return is the customer's margin from that
/// visit on, discounted per week, cut at the 26-week horizon. The scenario file is used as is.
enum PolicyGradientStudy {
    static let weeks = 26
    static let weeklyDiscount = 0.99

    static func run(options: BenchOptions, writer: ResultWriter) throws(BenchError) {
        do {
            try study(options: options, writer: writer)
        } catch let error as BenchError {
            throw error
        } catch {
            throw PolicyGradientBenchmarks.fail("retail-churn study", error)
        }
    }

    static func study(options: BenchOptions, writer: ResultWriter) throws {
        let scenario = try Scenario(contentsOfFile: "simulations/retail-churn.json")
        guard case .retail(let specification) = scenario.environment else {
            throw BenchError.learnerFailed(learner: "retail-churn study", reason: "simulations/retail-churn.json is not a retail scenario")
        }
        let environment = try RetailEnvironment(specification)
        let horizon = weeks * 7 * specification.roundsPerDay
        let evaluationSeeds = scenario.seeds.values
        let iterations = options.quick ? 3 : 40
        let trainingSeeds = (0..<UInt64(iterations)).map { 900_000 + $0 }
        let customers = Double(specification.customers)

        // MARK: train the policy-gradient policy (the library's trainer, as `attune simulate` does)
        var policy = try SoftmaxPolicy(catalog: environment.catalog,
                                       scorer: LinearScorer(inputDimension: environment.contextDimension, outputCount: environment.catalog.count),
                                       salt: "clv-policy-gradient")
        var trainer = try JourneyTrainer(environment: environment, horizon: horizon, seeds: trainingSeeds,
                                         configuration: try .init(objective: .ppo, learningRate: 0.02, epochs: 4, minibatchSize: 2048,
                                                                  entropyBonus: 0.01, gradientClip: 1, ppoClip: 0.2),
                                         discountPerWeek: weeklyDiscount, updateSeed: options.seed)
        trainer.onIteration = { i, it in
            ResultWriter.progress(String(format: "policy-gradient: iteration %d/%d, reward per round %.3f, entropy %.3f, clipped %.3f",
                                         i + 1, iterations, it.meanReward, it.report.meanEntropy, it.report.clippedFraction))
        }
        let trainingStart = monotonicNanoseconds()
        _ = try trainer.train(&policy)
        let trainingSeconds = Double(monotonicNanoseconds() - trainingStart) / 1e9

        // MARK: the contenders
        var contenders: [(name: String, myopic: Bool, kind: StudyPolicy.Kind)] = []
        let frozen = policy
        contenders.append(("policy-gradient", false, .learner { frozen }))
        for entry in scenario.policies {
            // Bandits only: the scenario's policy-gradient entry is the policy trained above.
            guard let (data, source) = try entry.specificationData(), !PolicyGradientSpecification.isPolicyGradientDocument(data) else { continue }
            let make = SimulationStudy.specificationFactory
            contenders.append((entry.name, true, .learner { try make(data, source) }))
            // The same bandit pre-trained on the training populations (myopic rewards), then deployed.
            var pretrained = try make(data, source)
            for seed in trainingSeeds.prefix(options.quick ? 1 : 4) {
                var none: EpisodeRecorder? = nil
                _ = try JourneyTrainer.journeys(&pretrained, environment: environment, seed: seed, horizon: horizon, recorder: &none, learnOnline: true)
            }
            let trained = pretrained
            contenders.append((entry.name + "-pretrained", true, .learner { trained }))
        }
        if let picks = environment.catalog.index(of: "personal_picks") {
            contenders.append(("always-personal-picks", false, .fixed(picks)))
        }
        contenders.append(("myopic-oracle", false, .oracle))

        // MARK: evaluate on the scenario's seeds, 26 weeks
        let runner = SimulationRunner(environment: environment, horizon: horizon, seeds: evaluationSeeds, feedback: scenario.feedback, maximumConcurrency: 1)
        let tasks = contenders.indices.flatMap { p in evaluationSeeds.indices.map { (p, $0) } }
        let results = Mutex([Double?](repeating: nil, count: tasks.count))
        let failure = Mutex<String?>(nil)
        let cores = min(2, ProcessInfo.processInfo.activeProcessorCount)
        let next = Atomic<Int>(0)
        let snapshot = contenders
        DispatchQueue.concurrentPerform(iterations: cores) { _ in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < tasks.count else { return }
                let (p, s) = tasks[i]
                do {
                    let metrics = try runner.runOnce(snapshot[p].kind, name: snapshot[p].name, seed: evaluationSeeds[s])
                    results.withLock { $0[i] = metrics.margin / customers }
                } catch {
                    failure.withLock { $0 = "\(snapshot[p].name): \(error)" }
                }
            }
        }
        if let message = failure.withLock({ $0 }) { throw BenchError.learnerFailed(learner: "retail-churn study", reason: message) }
        let values = results.withLock { $0 }
        var marginBySeed: [[Double]] = contenders.map { _ in [] }
        for (i, (p, _)) in tasks.enumerated() { marginBySeed[p].append(values[i] ?? .nan) }

        for (p, contender) in contenders.enumerated() {
            let ci = ConfidenceInterval(samples: marginBySeed[p])
            var r = BenchmarkRecord()
            r["task"] = .string("retail-churn 26-week margin per customer")
            r["policy"] = .string(contender.name)
            r["mean_margin"] = .double(ci.mean)
            r["ci_low"] = .double(ci.low ?? .nan)
            r["ci_high"] = .double(ci.high ?? .nan)
            r["seeds"] = .int(ci.count)
            writer.emit(r)
        }
        let bandits = contenders.indices.filter { contenders[$0].myopic }
        guard let best = bandits.max(by: { ConfidenceInterval(samples: marginBySeed[$0]).mean < ConfidenceInterval(samples: marginBySeed[$1]).mean }) else { return }
        let differences = zip(marginBySeed[0], marginBySeed[best]).map { $0 - $1 }
        let ci = ConfidenceInterval(samples: differences)
        var r = BenchmarkRecord()
        r["task"] = .string("retail-churn policy-gradient minus best myopic bandit")
        r["best_bandit"] = .string(contenders[best].name)
        r["mean_difference"] = .double(ci.mean)
        r["ci_low"] = .double(ci.low ?? .nan)
        r["ci_high"] = .double(ci.high ?? .nan)
        r["wins"] = .bool((ci.low ?? -.infinity) > 0)
        r["training_iterations"] = .int(iterations)
        r["training_seconds"] = .double(trainingSeconds)
        writer.emit(r)
        var trained = BenchmarkRecord()
        trained["task"] = .string("retail-churn trained policy-gradient parameters (policies/clv-policy-gradient.json policy.scorer.parameters)")
        trained["parameters"] = .string("[" + policy.scorer.parameters.map { String(format: "%.6g", $0) }.joined(separator: ", ") + "]")
        writer.emit(trained)
        try offPolicyCheck(policy: policy, environment: environment, horizon: horizon, logSeed: evaluationSeeds[0],
                           truthSeeds: Array(evaluationSeeds.dropFirst().prefix(options.quick ? 1 : 3)), writer: writer)
        let p = try policy.distribution(for: Context(features: [0.25, 0.65, 0.2, 0.7, 1]), among: environment.catalog.allIndices).probabilities
        ResultWriter.progress("policy-gradient: distribution at an average customer \(zip(environment.catalog.actions.map(\.id.rawValue), p).map { "\($0)=\(String(format: "%.3f", $1))" })")
    }
}
