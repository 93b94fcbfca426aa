import AttuneCore
import Bandits
import Dispatch
import Foundation
import Synchronization

/// The decision loop of the server: context → policy → decision → durable log → reply;
/// rewards joined within each policy's window; online learning on a background learner;
/// checkpoints and recovery.
///
/// Threads: request threads call `decide` and `reward`; one journal thread commits their
/// entries in groups (every request waiting at a commit shares its transaction and fsync) and
/// drives the reward joiner; one learner thread updates models and writes checkpoints. A
/// request is answered only after its entry is committed, and never waits for learning.
///
/// ```swift
/// let engine = try Engine(specifications: [spec], store: SQLiteEventStore(path: "attune-data/events.sqlite"),
///                         configuration: EngineConfiguration(dataDirectory: "attune-data"))
/// let reply = try engine.decide(DecisionRequest(policy: "offers-linucb", context: .named(["recency_days": 12])))
/// _ = try engine.reward(RewardRequest(eventID: reply.eventID, reward: 1))
/// ```
public final class Engine: Sendable {
    let policies: PolicyTable
    /// Earlier versions of each policy (specification and model), newest last, for rollback.
    let history = Mutex(VersionHistory())
    /// Policy ids in load order.
    public let policyIDs: [String]
    /// The policies served from a model handed in at start (`models:`), which no other version
    /// may replace while the server runs: a new version of their file is served from a restart.
    public let prebuiltPolicyIDs: Set<String>
    let store: any EventStore
    let configuration: EngineConfiguration
    let clock: @Sendable () -> Double
    let journal: Journal
    let learner: Learner
    let meters: Meters
    let eventPrefix: String
    /// What recovery did when the engine started.
    public let recovery: RecoveryReport
    /// Live customer profiles and segments fed by `ingestEvents`, when a segmentation model is configured.
    public let customers: CustomerSegments?

    /// Loads the policies, recovers (checkpoint + journal replay) and starts the journal and learner threads.
    /// - Parameters:
    ///   - specifications: The policies to serve (unique ids).
    ///   - store: The event store (opened).
    ///   - configuration: Data directory, checkpoint cadence, seed.
    ///   - customers: Live customer segmentation: decisions with a `customer_id` get the
    ///     customer's segment and profile features (see `ingestEvents`).
    ///   - models: Models to serve instead of building them from their specification, by
    ///     policy id: policies of other file formats (a trained policy-gradient policy), each
    ///     described to the engine by a specification with the same id, catalog and features.
    ///   - clock: Seconds since 1970; injectable for tests.
    /// - Throws: `EngineError.invalidField` for duplicate policy ids, `.policy` when a policy does
    ///   not build, `.storage` / `.checkpoint` when recovery cannot read its inputs.
    /// - Complexity: O(n) in the journal entries after the last checkpoint.
    public init(specifications: [PolicySpecification], store: any EventStore, configuration: EngineConfiguration = .init(),
                customers: CustomerSegments? = nil, models: [String: any Policy] = [:],
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(EngineError) {
        guard !specifications.isEmpty else {
            throw .invalidField(field: "policies", reason: "no policy to serve; give at least one policy file")
        }
        let started = clock()
        let startSequence = try store.lastSequence()
        // A version promoted or rolled back to before a restart is served again (while its file is unchanged).
        let recorded = try Self.recordedVersions(files: specifications, directory: configuration.dataDirectory,
                                                 prebuilt: Set(models.keys))
        var live: [String: LivePolicy] = [:]
        var ids: [String] = []
        for (i, spec) in recorded.served.enumerated() {
            guard live[spec.id] == nil else {
                throw .invalidField(field: "policies[\(i)].id", reason: "policy id '\(spec.id)' is loaded twice; ids must be unique")
            }
            let seed = configuration.seed ^ UInt64(bitPattern: startSequence) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(i)
            live[spec.id] = try LivePolicy(specification: spec, seed: seed, mode: configuration.modes[spec.id] ?? .online, model: models[spec.id])
            ids.append(spec.id)
        }
        for id in configuration.modes.keys.sorted() + models.keys.sorted() where live[id] == nil {
            throw .unknownPolicy(id, available: ids)
        }
        let table = PolicyTable(live)
        policies = table
        policyIDs = ids
        prebuiltPolicyIDs = Set(models.keys)
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.customers = customers
        let meters = Meters()
        self.meters = meters
        eventPrefix = String(UInt64(started * 1000), radix: 36) + "-" + String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF, radix: 36)

        try Self.restoreKillSwitches(live, directory: configuration.dataDirectory)
        var recovered = try Self.recover(policies: live, store: store, configuration: configuration, clock: clock)
        recovered.report.seconds = clock() - started
        recovered.report.recordedVersions = recorded.notes
        recovery = recovered.report
        meters.learned.store(recovered.report.learnedInteractions, ordering: .relaxed)
        for (id, model) in recovered.models { live[id]?.publish(model) }

        let scheduler = try CheckpointScheduler(everyInteractions: configuration.checkpointEveryInteractions,
                                                intervalSeconds: configuration.checkpointIntervalSeconds, startingAt: clock())
        learner = Learner(policies: table, models: recovered.models,
                          onLearned: { meters.learned.add($0, ordering: .relaxed) },
                          onCheckpoint: { result in
                              meters.checkpoint.withLock { s in
                                  switch result {
                                  case .success(let c): s = (s.count + 1, c.sequence, nil)
                                  case .failure(let e): s.failure = e.description
                                  }
                              }
                          })
        journal = Journal(store: store, policies: table, joiner: recovered.joiner, scheduler: scheduler,
                          lastTimestamp: max(recovered.joiner.time, clock()), configuration: configuration, clock: clock)
        learner.start()
        journal.start(learner: learner)
        restoreHistory(files: specifications, kept: recorded.kept)
    }

    // MARK: - Decisions

    /// Decides for a request, logs the decision durably, and returns it. With a `customer_id`
    /// and live segmentation (`customers`), the customer's segment and profile features are
    /// added to the context first (see `ingestEvents`).
    /// - Throws: `EngineError.unknownPolicy`/`.policyRequired`, `.invalidField` (bad event id),
    ///   `.unknownAction`, `.noEligibleAction`, `.policy` (wrong dimension, non-finite value,
    ///   unknown segment), `.duplicateEvent`, `.storage`, `.shuttingDown`.
    /// - Complexity: the policy's decision cost plus one group commit.
    public func decide(_ incoming: DecisionRequest) throws(EngineError) -> DecisionResponse {
        switch try prepareDecision(incoming) {
        case .answered(let response): return response
        case .logging(let record, let live): return try finishDecision(journal.commit(.decision(record)), record, live)
        }
    }

    /// As ``decide(_:)``, without waiting for the commit: `completion` gets the reply on the
    /// journal thread once the decision is durable (or at once on an error). Multi-slot
    /// requests are decided and committed on the caller's thread.
    /// - Complexity: the policy's decision cost; the commit happens later.
    public func decide(_ incoming: DecisionRequest, completion: @escaping @Sendable (Result<DecisionResponse, EngineError>) -> Void) {
        decide(incoming, preparing: { $0 }, completion: completion)
    }

    /// As ``decide(_:completion:)``, with the reply prepared on the caller's thread: `prepare`
    /// turns the response into what `completion` needs (an encoded HTTP body, say) before the
    /// decision is queued for its commit, so that the journal thread, which every request
    /// shares, only hands over what is ready. A decision whose commit fails or finds its event
    /// id taken gets the error instead.
    /// - Complexity: the policy's decision cost and `prepare`; the commit happens later.
    public func decide<Prepared: Sendable>(_ incoming: DecisionRequest, preparing prepare: (DecisionResponse) -> Prepared,
                                           completion: @escaping @Sendable (Result<Prepared, EngineError>) -> Void) {
        let prepared: PreparedDecision
        do throws(EngineError) { prepared = try prepareDecision(incoming) } catch { return completion(.failure(error)) }
        switch prepared {
        case .answered(let response): completion(.success(prepare(response)))
        case .logging(let record, let live):
            let reply = prepare(response(to: record, live))
            journal.submit(.decision(record)) { [self] result in
                switch result {
                case .success(.decision(.stored, let committed)):
                    count(committed, live)
                    completion(.success(reply))
                case .success(let other):
                    do throws(EngineError) {
                        _ = try finishDecision(other, record, live)
                        completion(.success(reply))
                    } catch {
                        completion(.failure(error))
                    }
                case .failure(let error): completion(.failure(error))
                }
            }
        }
    }

    /// A decision made and waiting for its commit, or already answered (multi-slot decisions).
    enum PreparedDecision {
        case answered(DecisionResponse)
        case logging(DecisionRecord, LivePolicy)
    }

    func prepareDecision(_ incoming: DecisionRequest) throws(EngineError) -> PreparedDecision {
        let live = try policy(named: incoming.policy)
        let request = addingCustomer(to: incoming, live, now: clock())
        let eventID = try request.eventID.map { id throws(EngineError) in try Self.checkedEventID(id, field: "event_id") }
            ?? makeEventID()
        let (context, named) = try makeContext(request, live)
        let candidates = try makeCandidates(request, live, named: named)
        let now = clock()
        // A policy that declares slots fills them unless the request names its own count.
        if let slotCount = request.slots ?? live.specification.slots.map({ min($0.count, candidates.count) }) {
            return .answered(try decideSlate(request, live, eventID: eventID, context: context, candidates: candidates,
                                             slotCount: slotCount, now: now))
        }
        let record = try live.serving.withLock { (s: inout LivePolicy.Serving) throws(EngineError) -> DecisionRecord in
            do throws(BanditsError) {
                // Caps and price guardrails keep a history per customer; requests without a
                // customer id share one anonymous history so that memory stays bounded.
                let customer = request.customerID ?? ""
                let allowed = try s.decisionGuard.eligibleCandidates(candidates, customer: customer, at: now)
                if let fallback = s.fallbackAction {
                    // Kill switch: a fixed action, logged with the probability it really had (1).
                    let position = allowed.firstIndex(of: fallback) ?? 0
                    s.decision = Decision(action: allowed[position], position: position, candidates: allowed,
                                          probabilities: allowed.indices.map { $0 == position ? 1 : 0 },
                                          modelVersion: s.policy.modelVersion)
                } else {
                    try s.policy.decide(for: context, among: allowed, using: &s.generator, into: &s.decision)
                    if let baseline = live.baseline, let position = allowed.firstIndex(of: baseline) {
                        // Apprentice: the policy's own choice is compared, the baseline is served (probability 1).
                        let agreed = s.decision.action == baseline
                        live.apprentice.withLock { t in
                            t.decisions += 1
                            if agreed { t.agreements += 1 }
                        }
                        s.decision = Decision(action: baseline, position: position, candidates: allowed,
                                              probabilities: allowed.indices.map { $0 == position ? 1 : 0 },
                                              modelVersion: s.policy.modelVersion)
                    }
                }
                try s.decisionGuard.recordExposure(of: s.decision.action, customer: customer, at: now)
                let d = s.decision
                return DecisionRecord(eventID: eventID, policyID: live.id, timestamp: now, customerID: request.customerID,
                                      segment: context.segment, context: context.features, candidates: d.candidates,
                                      candidateIDs: live.ids(of: d.candidates),
                                      position: d.position, probabilities: d.probabilities, modelVersion: d.modelVersion)
            } catch {
                if case .noEligibleAction = error { throw EngineError.noEligibleAction }
                throw EngineError.policy(error)
            }
        }
        return .logging(record, live)
    }

    func finishDecision(_ reply: Journal.Reply, _ record: DecisionRecord, _ live: LivePolicy) throws(EngineError) -> DecisionResponse {
        let eventID = record.eventID
        switch reply {
        case .decision(.stored, let committed):
            count(committed, live)
            return response(to: committed, live)
        case .decision(.duplicate, _):
            throw .duplicateEvent(eventID)
        default:
            throw .storage(operation: "log decision \(eventID)", message: "unexpected journal reply")
        }
    }

    /// The reply to a logged decision (what it holds is fixed before the commit).
    func response(to record: DecisionRecord, _ live: LivePolicy) -> DecisionResponse {
        DecisionResponse(
            eventID: record.eventID, policy: live.id, actionID: record.actionID,
            probabilities: zip(record.candidateIDs, record.probabilities).map { .init(id: $0, probability: $1) },
            segment: record.segment, modelVersion: record.modelVersion)
    }

    /// Counts a committed decision by action.
    func count(_ committed: DecisionRecord, _ live: LivePolicy) {
        if committed.action >= 0, committed.action < live.decisionCounts.count { live.decisionCounts.add(1, at: committed.action) }
    }

    // MARK: - Rewards

    /// Logs a reward durably and joins it to its decision.
    /// - Throws: `EngineError.invalidField` (empty event id, non-finite reward), `.unknownEvent`,
    ///   `.storage`, `.shuttingDown`.
    public func reward(_ request: RewardRequest) throws(EngineError) -> RewardResponse {
        let record = try prepareReward(request)
        return try finishReward(journal.commit(.reward(record)), eventID: record.eventID)
    }

    /// As ``reward(_:)``, without waiting for the commit: `completion` gets the reply on the
    /// journal thread once the reward is durable (or at once on an error).
    public func reward(_ request: RewardRequest, completion: @escaping @Sendable (Result<RewardResponse, EngineError>) -> Void) {
        let record: RewardRecord
        do throws(EngineError) { record = try prepareReward(request) } catch { return completion(.failure(error)) }
        journal.submit(.reward(record)) { [self] result in
            switch result {
            case .success(let reply):
                do throws(EngineError) { completion(.success(try finishReward(reply, eventID: record.eventID))) } catch { completion(.failure(error)) }
            case .failure(let error): completion(.failure(error))
            }
        }
    }

    func prepareReward(_ request: RewardRequest) throws(EngineError) -> RewardRecord {
        let eventID = try Self.checkedEventID(request.eventID, field: "event_id")
        guard request.reward.isFinite else {
            throw .invalidField(field: "reward", reason: "\(request.reward) is not a finite number")
        }
        let key = try request.rewardID.map { id throws(EngineError) in try Self.checkedEventID(id, field: "reward_id") } ?? ""
        return RewardRecord(eventID: eventID, key: key, value: request.reward, timestamp: clock())
    }

    func finishReward(_ reply: Journal.Reply, eventID: String) throws(EngineError) -> RewardResponse {
        switch reply {
        case .reward(.stored, let result): return RewardResponse(eventID: eventID, status: result == .late ? .late : .joined)
        case .reward(.duplicate, _): return RewardResponse(eventID: eventID, status: .duplicate)
        case .reward(.unknownEvent, _): throw .unknownEvent(eventID)
        default: throw .storage(operation: "log reward for \(eventID)", message: "unexpected journal reply")
        }
    }

    // MARK: - Introspection and lifecycle

    /// The loaded policy specifications, in load order.
    public var specifications: [PolicySpecification] { policyIDs.compactMap { policies[$0]?.specification } }

    /// The serving model of a policy (a copy).
    public func model(of policyID: String) -> (any Policy)? { policies[policyID]?.model }

    /// Counters and gauges for monitoring.
    public var statistics: EngineStatistics {
        let figures = policyIDs.compactMap { id -> EngineStatistics.PolicyFigures? in
            guard let live = policies[id] else { return nil }
            let row = live.decisionCounts
            let perAction = live.catalog.actions.enumerated().map { ($1.id.rawValue, $0 < row.count ? row.value(at: $0) : 0) }
            var figures = EngineStatistics.PolicyFigures(id: id, modelVersion: live.model.modelVersion, decisionsByAction: perAction)
            figures.mode = live.mode.kind
            if let baseline = live.baseline {
                figures.apprentice = live.apprentice.withLock { $0 }.figures(baselineAction: live.catalog.actions[baseline].id.rawValue)
            }
            return figures
        }
        let j = journal.figures
        let c = meters.checkpoint.withLock { $0 }
        var statistics = EngineStatistics(
            policies: figures, joiner: j.counters, duplicateRewards: j.duplicates, pendingDecisions: j.pending,
            journalQueueDepth: j.queueDepth, learnerQueueDepth: learner.depth, commits: j.commits,
            committedEntries: j.entries, commitSeconds: j.commitSeconds, learned: meters.learned.load(ordering: .relaxed),
            checkpoints: c.count, lastCheckpointSequence: c.sequence)
        statistics.customerEvents = customers?.ingestedEvents
        if let customers { statistics.customerProfiles = (customers.profileCount, customers.evictedProfiles) }
        if let customers, customers.eventLogPath != nil {
            statistics.customerEventLog = (customers.eventLogBytes, customers.eventLogCompactions)
        }
        return statistics
    }

    /// The last checkpoint failure, if any (reported by `/readyz`).
    public var checkpointFailure: String? { meters.checkpoint.withLock { $0.failure } }

    /// What runs on the journal thread around the completions of each commit: `begin` before
    /// the first, `end` after the last. An event-loop server holds its loops' wake-ups back in
    /// between, so that a loop wakes once per commit rather than once per reply. Nil (the
    /// default): completions run bare. Set it before requests arrive.
    public var replyBatching: ReplyBatching? {
        get { journal.replyBatching.withLock { $0 } }
        set { journal.replyBatching.withLock { $0 = newValue } }
    }

    /// Waits until every committed reward window that has closed is learned and published
    /// (tests and graceful shutdown).
    public func waitUntilLearned() {
        journal.flush()
        learner.drain()
    }

    /// Closes the windows due now and waits for their learning (tests drive time through the clock).
    public func closeDueWindows() {
        journal.flush()
        learner.drain()
    }

    /// Requests a checkpoint now and waits until it is written.
    /// - Throws: `EngineError.checkpoint` when writing fails; nothing happens without a data directory.
    public func checkpoint() throws(EngineError) {
        guard configuration.dataDirectory != nil else { return }
        let before = meters.checkpoint.withLock { $0.count }
        journal.requestCheckpoint()
        learner.drain()
        let after = meters.checkpoint.withLock { $0 }
        if after.count == before, let failure = after.failure {
            throw .checkpoint(path: configuration.dataDirectory ?? "", reason: failure)
        }
    }

    /// Graceful stop: refuses new work, commits what is queued, learns it, writes a final checkpoint.
    public func shutdown() {
        journal.stop(checkpoint: configuration.dataDirectory != nil)
        learner.stop()
    }

    // MARK: - Request helpers

    /// Counters shared with the learner's callbacks.
    final class Meters: Sendable {
        let learned = Atomic<Int>(0)
        let checkpoint = Mutex<(count: Int, sequence: Int64, failure: String?)>((0, 0, nil))
        let eventCounter = Atomic<UInt64>(0)
    }

    func policy(named name: String?) throws(EngineError) -> LivePolicy {
        if let name {
            guard let live = policies[name] else { throw .unknownPolicy(name, available: policyIDs) }
            return live
        }
        guard policyIDs.count == 1, let only = policies[policyIDs[0]] else { throw .policyRequired(available: policyIDs) }
        return only
    }

    static func checkedEventID(_ id: String, field: String) throws(EngineError) -> String {
        guard !id.isEmpty, id.utf8.count <= 256 else {
            throw .invalidField(field: field, reason: "must be 1 to 256 bytes long")
        }
        guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidField(field: field, reason: "must not contain control characters")
        }
        return id
    }

    func makeEventID() -> String {
        Self.eventID(prefix: eventPrefix, counter: meters.eventCounter.add(1, ordering: .relaxed).newValue)
    }

    /// Digits of the counter in an event id, at least: ids of one run sort in the order they
    /// were made up to 36⁷ (about 7.8 × 10¹⁰) decisions, so the store's unique index on them
    /// grows at its right edge (full pages) instead of splitting pages in its middle.
    static let eventCounterDigits = 7

    /// `<prefix>-<counter in base 36, zero-padded to 7 digits>`, written in one allocation (it
    /// is made on every decision).
    static func eventID(prefix: String, counter: UInt64) -> String {
        var prefix = prefix
        return prefix.withUTF8 { head in
            // 13 base-36 digits hold any UInt64.
            String(unsafeUninitializedCapacity: head.count + 14) { buffer in
                var i = 0
                for byte in head {
                    buffer[i] = byte
                    i += 1
                }
                buffer[i] = UInt8(ascii: "-")
                i += 1
                let digits = i
                var n = counter
                repeat {
                    let digit = UInt8(n % 36)
                    buffer[i] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    n /= 36
                    i += 1
                } while n > 0 || i - digits < eventCounterDigits
                buffer[digits..<i].reverse()
                return i
            }
        }
    }

    func makeContext(_ request: DecisionRequest, _ live: LivePolicy) throws(EngineError) -> (Context, [String: Double]) {
        let dimension = live.specification.featureSchema.dimension
        if let segment = request.segment, let count = live.specification.segmentation?.count, !(0..<count).contains(segment) {
            throw .invalidField(field: "segment", reason: "\(segment) is outside 0..<\(count) (the policy's segment count)")
        }
        switch request.context {
        case .named(let values):
            do throws(BanditsError) {
                return (try live.specification.featureSchema.context(from: values, segment: request.segment), values)
            } catch {
                throw .policy(error)
            }
        case .vector(let values):
            let context = Context(features: values, segment: request.segment)
            do throws(BanditsError) { try context.validate(dimension: dimension) } catch { throw .policy(error) }
            return (context, [:])
        }
    }

    func makeCandidates(_ request: DecisionRequest, _ live: LivePolicy, named: [String: Double]) throws(EngineError) -> [Int] {
        var excluded = Set<String>()
        for (i, id) in (request.excludedActions ?? []).enumerated() {
            guard live.catalog.index(of: ActionID(id)) != nil else { throw .unknownAction(field: "excluded_actions[\(i)]", id: id) }
            excluded.insert(id)
        }
        var requested: [Int]?
        if let actions = request.actions {
            guard !actions.isEmpty else { throw .invalidField(field: "actions", reason: "is empty; omit it to use the whole catalog") }
            var seen = Set<Int>()
            var list: [Int] = []
            for (i, a) in actions.enumerated() {
                guard let index = live.catalog.index(of: ActionID(a.id)) else { throw .unknownAction(field: "actions[\(i)].id", id: a.id) }
                if let features = a.features, features != live.catalog.actions[index].features {
                    throw .invalidField(field: "actions[\(i)].features",
                                        reason: "differ from the policy catalog's features of '\(a.id)'; omit them or send the catalog's")
                }
                guard seen.insert(index).inserted else { throw .invalidField(field: "actions[\(i)].id", reason: "'\(a.id)' is listed twice") }
                list.append(index)
            }
            requested = list
        }
        let eligible: [Int]
        do throws(BanditsError) {
            eligible = try live.specification.eligibleActions(for: named, segment: request.segment, excluding: excluded)
        } catch {
            if case .noEligibleAction = error { throw EngineError.noEligibleAction }
            throw EngineError.policy(error)
        }
        guard let requested else { return eligible }
        let allowed = Set(eligible)
        let result = requested.filter { allowed.contains($0) }
        guard !result.isEmpty else { throw .noEligibleAction }
        return result
    }
}
