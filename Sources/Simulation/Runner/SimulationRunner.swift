#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import Dispatch
import Foundation
import Synchronization

/// Runs policies against a simulated environment: every policy on the same seeds, each seed
/// giving the same customers, contexts and noise to every policy (common random numbers).
///
/// Each run derives independent child streams from its seed: `child(0)` draws the population,
/// `child(1)` the contexts, `child(2)` the customers' responses, `child(3)` the policy's own
/// randomness and `child(4)` the feedback delays. Policies learn online from the rewards as
/// they arrive (after the scenario's delay, within its reward window).
///
/// Runs (policy × seed) execute in parallel on up to ``maximumConcurrency`` threads; each run
/// depends only on its seed, so results are identical whatever the thread count.
///
/// ```swift
/// let env = try LinearContextualEnvironment(spec)
/// let runner = SimulationRunner(environment: env, horizon: 10_000, seeds: [1, 2, 3])
/// let study = try runner.run([StudyPolicy(name: "random", kind: .random),
///                             StudyPolicy(name: "oracle", kind: .oracle)])
/// ```
public struct SimulationRunner<Environment: SimulationEnvironment>: Sendable {
    /// The environment, copied fresh into every run.
    public var environment: Environment
    /// Rounds per run.
    public var horizon: Int
    /// One run per seed and policy.
    public var seeds: [UInt64]
    /// Delay and reward window.
    public var feedback: FeedbackSpecification
    /// Points per learning curve.
    public var curvePoints: Int
    /// When set, every run writes its decision log to `<dir>/<policy>/seed-<seed>.jsonl`.
    public var logDirectory: String?
    /// With a log directory: also write the raw touchpoint events of environments that emit
    /// them (``SimulationEnvironment/emitsEvents``), to `<dir>/<policy>/events-seed-<seed>.jsonl`;
    /// environments without events get no such file.
    public var writesEvents: Bool = false
    /// Worker threads (default: the active processor count).
    public var maximumConcurrency: Int
    /// Called from worker threads with the number of rounds just simulated (every few
    /// thousand rounds of each run); the total is ``plannedRounds(for:)``.
    public var progress: (@Sendable (Int) -> Void)?

    /// Creates a runner.
    public init(environment: Environment, horizon: Int, seeds: [UInt64], feedback: FeedbackSpecification = FeedbackSpecification(),
                curvePoints: Int = 50, logDirectory: String? = nil, maximumConcurrency: Int? = nil,
                progress: (@Sendable (Int) -> Void)? = nil) {
        self.environment = environment
        self.horizon = horizon
        self.seeds = seeds
        self.feedback = feedback
        self.curvePoints = curvePoints
        self.logDirectory = logDirectory
        self.maximumConcurrency = maximumConcurrency ?? ProcessInfo.processInfo.activeProcessorCount
        self.progress = progress
    }

    // MARK: - Studies

    /// Runs every policy on every seed.
    /// - Throws: `SimulationError.invalidStudy` for an empty study, `SimulationError.policy`
    ///   when a policy cannot be built or fails, `SimulationError.file` when a log cannot be
    ///   written. With several failures, the one of the earliest run (policy order, then seed)
    ///   is thrown.
    /// - Complexity: O(policies × seeds × horizon × per-round cost), spread over the workers.
    public func run(_ policies: [StudyPolicy]) throws(SimulationError) -> StudyResult {
        guard !policies.isEmpty else { throw .invalidStudy(field: "policies", problem: "no policy to run; name at least one") }
        guard !seeds.isEmpty else { throw .invalidStudy(field: "seeds", problem: "no seed; run at least one") }
        guard horizon >= 1 else { throw .invalidStudy(field: "horizon", problem: "\(horizon) rounds; run at least one") }
        var plan: [StudyTask] = []
        for (p, policy) in policies.enumerated() {
            for s in seeds.indices {
                if case .bestFixed = policy.kind {
                    for a in 0..<environment.catalog.count { plan.append(StudyTask(policy: p, seed: s, kind: .fixed(a), logs: false)) }
                } else {
                    plan.append(StudyTask(policy: p, seed: s, kind: policy.kind, logs: true))
                }
            }
        }
        let tasks = plan
        let results = Mutex<[Result<RunMetrics, SimulationError>?]>(Array(repeating: nil, count: tasks.count))
        let next = Atomic<Int>(0)
        let total = tasks.count
        let workers = max(1, min(maximumConcurrency, total))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < total else { return }
                let task = tasks[i]
                let name = policies[task.policy].name
                let logPath = (task.logs ? logDirectory : nil).map { "\($0)/\(name)/seed-\(seeds[task.seed]).jsonl" }
                let result: Result<RunMetrics, SimulationError>
                do throws(SimulationError) {
                    result = .success(try runOnce(task.kind, name: name, seed: seeds[task.seed], logPath: logPath))
                } catch {
                    result = .failure(error)
                }
                results.withLock { $0[i] = result }
            }
        }
        let outcomes = results.withLock { $0 }
        var runs = Array(repeating: [RunMetrics](), count: policies.count)
        var fixedRuns: [Int: [Int: [RunMetrics]]] = [:]
        for (i, task) in tasks.enumerated() {
            guard let outcome = outcomes[i] else { continue }
            var metrics = try outcome.get()
            if case .bestFixed = policies[task.policy].kind {
                if case .fixed(let a) = task.kind { metrics.fixedAction = a }
                fixedRuns[task.policy, default: [:]][task.seed, default: []].append(metrics)
            } else {
                runs[task.policy].append(metrics)
            }
        }
        for (p, bySeed) in fixedRuns {
            runs[p] = seeds.indices.compactMap { bySeed[$0].map(Self.best) }
        }
        return StudyResult(horizon: horizon, seeds: seeds, segmentNames: environment.segmentNames,
                           policies: policies.indices.map { PolicyResult(name: policies[$0].name, runs: runs[$0], isReference: policies[$0].kind.isReference,
                                                                             family: policies[$0].family) })
    }

    /// The rounds a study of `policies` simulates in all (the best-fixed baseline runs every
    /// action), for progress bars.
    public func plannedRounds(for policies: [StudyPolicy]) -> Int {
        policies.reduce(0) { total, policy in
            if case .bestFixed = policy.kind { return total + environment.catalog.count * seeds.count * horizon }
            return total + seeds.count * horizon
        }
    }

    // MARK: - One run

    /// Runs one policy on one seed.
    /// - Parameter logPath: where to write the decision log (JSON Lines), or `nil`.
    /// - Throws: as ``run(_:)``. `.bestFixed` runs every fixed action and returns the best.
    public func runOnce(_ kind: StudyPolicy.Kind, name: String, seed: UInt64, logPath: String? = nil) throws(SimulationError) -> RunMetrics {
        let log = try logPath.map { (p: String) throws(SimulationError) -> JSONLinesWriter in try JSONLinesWriter(path: p) }
        let events = try (writesEvents && environment.emitsEvents ? logPath : nil).map { (p: String) throws(SimulationError) -> JSONLinesWriter in
            try JSONLinesWriter(path: p.replacingOccurrences(of: "/seed-", with: "/events-seed-"))
        }
        let catalog = environment.catalog, d = environment.contextDimension
        var metrics: RunMetrics
        switch kind {
        case .random:
            var policy = UniformRandomPolicy(catalog: catalog, contextDimension: d)
            metrics = try loop(&policy, oracle: false, name: name, seed: seed, log: log, events: events)
        case .oracle:
            var policy = UniformRandomPolicy(catalog: catalog, contextDimension: d)
            metrics = try loop(&policy, oracle: true, name: name, seed: seed, log: log, events: events)
        case .fixed(let a):
            var policy: FixedActionPolicy
            do throws(BanditsError) {
                policy = try FixedActionPolicy(catalog: catalog, contextDimension: d, action: a)
            } catch {
                throw .policy(name, error)
            }
            metrics = try loop(&policy, oracle: false, name: name, seed: seed, log: log, events: events)
        case .bestFixed:
            var all: [RunMetrics] = []
            for a in 0..<catalog.count {
                var m = try runOnce(.fixed(a), name: name, seed: seed)
                m.fixedAction = a
                all.append(m)
            }
            metrics = Self.best(all)
        case .learner(let make):
            var policy: any Policy
            do {
                policy = try make()
            } catch {
                throw .policy(name: name, reason: "cannot be built: \(error)")
            }
            try checkCompatible(policy, name: name)
            var wrapped = ExistentialPolicy(base: policy)
            metrics = try loop(&wrapped, oracle: false, name: name, seed: seed, log: log, events: events)
        }
        try log?.close()
        try events?.close()
        return metrics
    }

    /// Refuses a policy whose catalog or context dimension differs from the environment's.
    func checkCompatible(_ policy: some Policy, name: String) throws(SimulationError) {
        guard policy.contextDimension == environment.contextDimension else {
            throw .policy(name: name, reason: "it expects \(policy.contextDimension) context features, the scenario produces \(environment.contextDimension)")
        }
        let mine = environment.catalog.actions.map(\.id), theirs = policy.catalog.actions.map(\.id)
        guard mine == theirs else {
            throw .policy(name: name, reason: "its catalog \(theirs.map(\.rawValue)) differs from the scenario's \(mine.map(\.rawValue)) (same ids, same order)")
        }
    }
}

/// One run of a study: a policy on a seed (the best-fixed baseline expands to one task per action).
struct StudyTask: Sendable {
    var policy: Int
    var seed: Int
    var kind: StudyPolicy.Kind
    var logs: Bool
}

extension SimulationRunner {
    /// The run with the highest total reward (the first of ties), charged with the time of all.
    static func best(_ runs: [RunMetrics]) -> RunMetrics {
        var best = runs[0]
        var seconds = 0.0, cpuSeconds = 0.0
        for m in runs {
            seconds += m.seconds
            cpuSeconds += m.cpuSeconds
            if m.totalReward > best.totalReward { best = m }
        }
        best.seconds = seconds
        best.cpuSeconds = cpuSeconds
        return best
    }
}
