import AttuneCore
import Bandits
import Dispatch
import Foundation
import PolicyGradient
import Synchronization

// MARK: - Policy-gradient policies in a study

extension SimulationStudy {
    /// The study's policies before training: ready ones, and policy-gradient files waiting
    /// for their training plan.
    struct Prepared: Sendable {
        /// A policy-gradient policy to train before the study.
        struct Pending: Sendable {
            var index: Int
            var name: String
            var specification: PolicyGradientSpecification
            var plan: PolicyEntry.TrainingPlan
            var horizon: Int
        }

        /// Every policy in study order; pending ones hold their untrained file until trained.
        var policies: [StudyPolicy]
        var pending: [Pending]
        /// Rounds the training plans simulate in all (for progress bars).
        var trainingRounds: Int { pending.reduce(0) { $0 + $1.plan.populations * $1.horizon } }
    }

    /// Builds the policies and checks the training plans (training seeds disjoint from the
    /// evaluation seeds, a softmax file) before anything runs.
    /// - Throws: as ``makePolicies(catalog:)``; `SimulationError.invalidScenario` for a
    ///   training seed that is also an evaluation seed, `.policy` for a plan on a file that
    ///   cannot be trained.
    func preparePolicies<E: SimulationEnvironment>(environment: E, horizon: Int, evaluationSeeds: [UInt64]) throws(SimulationError) -> Prepared {
        var policies = try makePolicies(catalog: environment.catalog)
        var pending: [Prepared.Pending] = []
        let evaluation = Set(evaluationSeeds)
        for (i, entry) in scenario.policies.enumerated() {
            guard let plan = entry.training, let (data, source) = try entry.specificationData() else { continue }
            guard PolicyGradientSpecification.isPolicyGradientDocument(data) else {
                throw .policy(name: entry.name, reason: "only attune.policy-gradient/1 policies take a \"training\" plan; bandits learn online during the study")
            }
            let specification = try Self.policyGradientSpecification(data, source: source, entry: entry)
            guard specification.policy.kind == "softmax" else {
                throw .policy(name: entry.name, reason: "a '\(specification.policy.kind)' policy does not choose among the scenario's actions; use a softmax policy")
            }
            if let shared = plan.seeds.first(where: evaluation.contains) {
                throw .invalidScenario(path: "$.policies[\(i)].training.seed",
                                       problem: "training seed \(shared) is also an evaluation seed, so the policy would be evaluated on customers it trained on",
                                       fix: "start the training seeds past the evaluation seeds (e.g. 900000)")
            }
            let rounds = plan.horizon ?? min(horizon, Self.rounds(weeks: specification.objective.horizonWeeks, in: environment) ?? horizon)
            // `makePolicies` listed the entries in order, skipping none that has a source.
            guard let index = policies.firstIndex(where: { $0.name == entry.name }) else { continue }
            pending.append(.init(index: index, name: entry.name, specification: specification, plan: plan, horizon: max(1, rounds)))
        }
        for p in pending { policies[p.index].family = .policyGradient }
        return Prepared(policies: policies, pending: pending)
    }

    /// Runs the study: the policies that need no training are evaluated while the
    /// policy-gradient ones train (training is sequential, one update per population, so it
    /// would leave the other cores idle), then the trained ones are evaluated on the same
    /// seeds. Each run depends only on its seed, so the results are those of one runner call.
    /// - Throws: as ``SimulationRunner/run(_:)`` and ``train(_:environment:progress:)``.
    func runTrainingBeside<E: SimulationEnvironment>(_ prepared: Prepared, runner: SimulationRunner<E>, environment: E,
                                                     progress: (@Sendable (Int) -> Void)?) throws(SimulationError) -> StudyResult {
        guard !prepared.pending.isEmpty else { return try runner.run(prepared.policies) }
        let trainedIndices = Set(prepared.pending.map(\.index))
        let ready = prepared.policies.indices.filter { !trainedIndices.contains($0) }
        let outcome = Mutex<Result<([StudyPolicy], [TrainingSummary]), SimulationError>?>(nil)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let result: Result<([StudyPolicy], [TrainingSummary]), SimulationError>
            do throws(SimulationError) {
                result = .success(try self.train(prepared, environment: environment, progress: progress))
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
        }
        let readyResult: Result<StudyResult, SimulationError>
        do throws(SimulationError) {
            readyResult = .success(ready.isEmpty ? StudyResult(horizon: runner.horizon, seeds: runner.seeds, segmentNames: [], policies: [])
                                                 : try runner.run(ready.map { prepared.policies[$0] }))
        } catch {
            readyResult = .failure(error)
        }
        group.wait()
        guard let trainingOutcome = outcome.withLock({ $0 }) else { throw .invalidStudy(field: "training", problem: "training did not finish") }
        let (trained, summaries) = try trainingOutcome.get()
        let first = try readyResult.get()
        let second = try runner.run(prepared.pending.map { trained[$0.index] })
        var byIndex: [Int: PolicyResult] = [:]
        for (i, p) in zip(ready, first.policies) { byIndex[i] = p }
        for (pending, p) in zip(prepared.pending, second.policies) { byIndex[pending.index] = p }
        var result = StudyResult(horizon: second.horizon, seeds: second.seeds, segmentNames: second.segmentNames,
                                 policies: prepared.policies.indices.compactMap { byIndex[$0] })
        result.training = summaries
        return result
    }

    /// Trains every pending policy-gradient policy (see ``JourneyTrainer``) and freezes it.
    /// - Throws: `SimulationError.policy` naming the policy when training fails.
    func train<E: SimulationEnvironment>(_ prepared: Prepared, environment: E,
                                         progress: (@Sendable (Int) -> Void)?) throws(SimulationError) -> ([StudyPolicy], [TrainingSummary]) {
        var policies = prepared.policies
        var summaries: [TrainingSummary] = []
        for p in prepared.pending {
            let (file, summary) = try train(p, environment: environment, progress: progress)
            policies[p.index] = StudyPolicy(name: p.name, kind: .learner { try file.makePolicy() }, family: .policyGradient)
            summaries.append(summary)
        }
        return (policies, summaries)
    }

    /// Trains one policy file on its plan's populations.
    /// - Returns: The file with its trained parameters, and what training did.
    /// - Throws: `SimulationError.policy` naming the policy when training fails.
    func train<E: SimulationEnvironment>(_ p: Prepared.Pending, environment: E,
                                         progress: (@Sendable (Int) -> Void)?) throws(SimulationError) -> (PolicyGradientSpecification, TrainingSummary) {
        let started = DispatchTime.now().uptimeNanoseconds
        let trained: PolicyGradientSpecification
        let iterations: [JourneyTrainer<E>.Iteration]
        do {
            var trainer = try JourneyTrainer(environment: environment, horizon: p.horizon, seeds: p.plan.seeds,
                                             configuration: try p.specification.learnerConfiguration(),
                                             discountPerWeek: p.specification.objective.discountPerWeek, updateSeed: p.specification.learnerSeed)
            trainer.progress = progress
            (trained, iterations) = try p.specification.trainingSoftmax(with: &trainer, fromScratch: p.plan.fromScratch)
            _ = try trained.makePolicy()
        } catch let error as SimulationError {
            throw error
        } catch {
            throw .policy(name: p.name, reason: "training failed: \(error)")
        }
        let summary = TrainingSummary(policy: p.name, populations: p.plan.populations, seeds: p.plan.seeds, horizon: p.horizon,
                                      steps: iterations.reduce(0) { $0 + $1.steps },
                                      firstMeanReward: iterations.first?.meanReward ?? .nan, lastMeanReward: iterations.last?.meanReward ?? .nan,
                                      seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, fromScratch: p.plan.fromScratch)
        return (trained, summary)
    }

    /// Decodes a policy-gradient file of a scenario entry.
    /// - Throws: `SimulationError.policy` with the file's problem.
    static func policyGradientSpecification(_ data: Data, source: String, entry: PolicyEntry) throws(SimulationError) -> PolicyGradientSpecification {
        do {
            return try PolicyGradientSpecification(decoding: data, source: source)
        } catch {
            throw .policy(name: entry.name, reason: error.description)
        }
    }

    /// The number of rounds in `weeks` of the environment's simulated time, or `nil` when its
    /// rounds do not advance the clock.
    static func rounds<E: SimulationEnvironment>(weeks: Double, in environment: E) -> Int? {
        let secondsPerRound = environment.timestamp(ofRound: 1) - environment.timestamp(ofRound: 0)
        guard secondsPerRound > 0, weeks.isFinite else { return nil }
        let rounds = weeks * 604_800 / secondsPerRound
        return rounds < 1e9 ? Int(rounds.rounded()) : nil
    }
}

// MARK: - Training a policy file on the scenario

extension SimulationStudy {
    /// Trains a softmax policy-gradient file on simulated populations of the scenario (what
    /// `attune learn --scenario` does): one update per population of `plan`, whose seeds must
    /// not be the scenario's evaluation seeds.
    /// - Parameters:
    ///   - specification: The policy file (its learner section sets the hyper-parameters).
    ///   - plan: Populations, seeds, start, rounds per population (default: the objective's
    ///     `horizon_weeks`, at most the scenario's horizon).
    ///   - progress: Called with rounds simulated; `planned` once with their total.
    /// - Returns: The file with its trained parameters, and what training did.
    /// - Throws: `SimulationError.invalidScenario` for training seeds that are evaluation
    ///   seeds, `.policy` when the file does not fit the scenario or training fails.
    public func trainPolicyGradient(_ specification: PolicyGradientSpecification, plan: PolicyEntry.TrainingPlan,
                                    progress: (@Sendable (Int) -> Void)? = nil,
                                    planned: (@Sendable (Int) -> Void)? = nil) throws(SimulationError) -> (PolicyGradientSpecification, TrainingSummary) {
        switch scenario.environment {
        case .linearContextual(let spec):
            return try trainPolicyGradient(specification, plan: plan, environment: LinearContextualEnvironment(spec), progress: progress, planned: planned)
        case .retail(let spec):
            return try trainPolicyGradient(specification, plan: plan, environment: RetailEnvironment(spec), progress: progress, planned: planned)
        }
    }

    private func trainPolicyGradient<E: SimulationEnvironment>(_ specification: PolicyGradientSpecification, plan: PolicyEntry.TrainingPlan, environment: E,
                                                              progress: (@Sendable (Int) -> Void)?,
                                                              planned: (@Sendable (Int) -> Void)?) throws(SimulationError) -> (PolicyGradientSpecification, TrainingSummary) {
        let name = specification.id
        if let shared = plan.seeds.first(where: Set(scenario.seeds.values).contains) {
            throw .invalidScenario(path: "training seed", problem: "\(shared) is one of the scenario's evaluation seeds (\(scenario.seeds.base)…)",
                                   fix: "train on other seeds (e.g. --training-seed 900000) so that studies evaluate out of sample")
        }
        guard specification.policy.kind == "softmax" else {
            throw .policy(name: name, reason: "a '\(specification.policy.kind)' policy does not choose among the scenario's actions; train a softmax policy")
        }
        let policy: any Policy
        do { policy = try specification.makePolicy() } catch { throw .policy(name: name, reason: error.description) }
        let runner = SimulationRunner(environment: environment, horizon: 1, seeds: [0])
        try runner.checkCompatible(policy, name: name)
        let rounds = plan.horizon ?? min(scenario.horizon, Self.rounds(weeks: specification.objective.horizonWeeks, in: environment) ?? scenario.horizon)
        let pending = Prepared.Pending(index: 0, name: name, specification: specification, plan: plan, horizon: max(1, rounds))
        planned?(pending.plan.populations * pending.horizon)
        return try train(pending, environment: environment, progress: progress)
    }
}
