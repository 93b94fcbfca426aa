import Bandits
import Dispatch
import Foundation
import Synchronization

/// Group commit and reward joining on one thread.
///
/// Side logs (the customer event log) are synced by the same loop: a request that appended to
/// one asks for a sync, and the next pass fsyncs each such file once after its commit.
///
/// Request threads queue entries and wait; the journal thread takes everything queued, stamps
/// it with one non-decreasing timestamp, commits it in one transaction (one fsync), then applies
/// it to the reward joiner in journal order, hands closed windows to the learner and wakes the
/// waiting requests. Because only this thread touches the joiner, a checkpoint it requests
/// reflects exactly the journal up to a known sequence.
final class Journal: Sendable {
    enum Reply: Sendable {
        case decision(AppendOutcome, DecisionRecord)
        case reward(AppendOutcome, RewardJoiner.JoinResult?)
    }

    /// A caller's thread waiting for its entry's commit.
    final class Waiter: Sendable {
        let reply = Mutex<Result<Reply, EngineError>?>(nil)
        let done = DispatchSemaphore(value: 0)

        func wait() throws(EngineError) -> Reply {
            done.wait()
            switch reply.withLock({ $0 }) {
            case .success(let reply): return reply
            case .failure(let error): throw error
            case nil: throw .shuttingDown
            }
        }
    }

    /// An entry and who gets its result: a waiting thread, or a completion called on the
    /// journal thread (event-loop servers, which keep no thread per request; no semaphore is
    /// made for them).
    struct Submission: Sendable {
        enum Recipient: Sendable {
            case waiter(Waiter)
            case completion(@Sendable (Result<Reply, EngineError>) -> Void)
        }
        let entry: JournalEntry
        let recipient: Recipient

        func finish(_ result: Result<Reply, EngineError>) {
            switch recipient {
            case .completion(let completion): completion(result)
            case .waiter(let waiter):
                waiter.reply.withLock { $0 = result }
                waiter.done.signal()
            }
        }
    }

    /// A request to make a side file's appended bytes durable with the next pass.
    final class FileSync: Sendable {
        let descriptor: Int32
        let failure = Mutex<EngineError?>(nil)
        let done = DispatchSemaphore(value: 0)
        init(_ descriptor: Int32) { self.descriptor = descriptor }
    }

    private struct Inbox: Sendable {
        var submissions: [Submission] = []
        var fileSyncs: [FileSync] = []
        var barriers: [Learner.Ticket] = []
        var checkpointRequested = false
        var isStopping = false
        var checkpointOnStop = false
        var isStopped = false

        /// Whether the item just added is alone in the inbox: only then is the journal woken,
        /// since a non-empty inbox has already woken it for everything in it (it drains all).
        var isFirstSinceDrain: Bool { submissions.count + fileSyncs.count + barriers.count == 1 }
    }

    struct WriterState: Sendable {
        var joiner: RewardJoiner
        var scheduler: CheckpointScheduler
        var lastTimestamp: Double
        var outcomes: [OutcomeRecord] = []
        var duplicates = 0
        var commits = 0
        var entries = 0
        var commitSeconds = 0.0
    }

    struct Figures: Sendable {
        var counters: RewardJoiner.Counters
        var duplicates: Int
        var pending: Int
        var queueDepth: Int
        var commits: Int
        var entries: Int
        var commitSeconds: Double
        /// Passes that synced side logs (one `fsync` per log each).
        var fileSyncs: Int
        /// Side-log sync requests waiting for the next pass.
        var pendingFileSyncs: Int
    }

    private let syncPasses = Atomic<Int>(0)
    private let store: any EventStore
    private let policies: PolicyTable
    private let configuration: EngineConfiguration
    private let clock: @Sendable () -> Double
    private let inbox = Mutex(Inbox())
    private let writer: Mutex<WriterState>
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Brackets the completions of each pass (see ``Engine/replyBatching``).
    let replyBatching = Mutex<ReplyBatching?>(nil)

    init(store: any EventStore, policies: PolicyTable, joiner: RewardJoiner, scheduler: CheckpointScheduler,
         lastTimestamp: Double, configuration: EngineConfiguration, clock: @escaping @Sendable () -> Double) {
        self.store = store
        self.policies = policies
        self.configuration = configuration
        self.clock = clock
        writer = Mutex(WriterState(joiner: joiner, scheduler: scheduler, lastTimestamp: lastTimestamp))
    }

    func start(learner: Learner) {
        let thread = Thread { [self] in
            ThreadPriority.nameCurrentThread("attune-journal")
            ThreadPriority.setCurrentThread(nice: ThreadPriority.journal)
            run(learner: learner)
        }
        thread.start()
    }

    // MARK: - Request side

    /// Queues an entry and waits until it is committed and applied.
    func commit(_ entry: JournalEntry) throws(EngineError) -> Reply {
        let waiter = Waiter()
        let submission = Submission(entry: entry, recipient: .waiter(waiter))
        let (accepted, first) = inbox.withLock { i -> (Bool, Bool) in
            guard !i.isStopping else { return (false, false) }
            i.submissions.append(submission)
            return (true, i.isFirstSinceDrain)
        }
        guard accepted else { throw .shuttingDown }
        if first { wake.signal() }
        return try waiter.wait()
    }

    /// Queues an entry; `completion` runs on the journal thread once it is committed and
    /// applied (or at once with `.shuttingDown`). Nothing waits: event-loop servers use it.
    func submit(_ entry: JournalEntry, completion: @escaping @Sendable (Result<Reply, EngineError>) -> Void) {
        let submission = Submission(entry: entry, recipient: .completion(completion))
        let (accepted, first) = inbox.withLock { i -> (Bool, Bool) in
            guard !i.isStopping else { return (false, false) }
            i.submissions.append(submission)
            return (true, i.isFirstSinceDrain)
        }
        guard accepted else { return completion(.failure(.shuttingDown)) }
        if first { wake.signal() }
    }

    /// Queues several entries together (they share one transaction) and waits until all are committed.
    func commitAll(_ entries: [JournalEntry]) throws(EngineError) -> [Reply] {
        let waiters = entries.map { _ in Waiter() }
        let submissions = zip(entries, waiters).map { Submission(entry: $0, recipient: .waiter($1)) }
        let (accepted, first) = inbox.withLock { i -> (Bool, Bool) in
            guard !i.isStopping else { return (false, false) }
            i.submissions.append(contentsOf: submissions)
            return (true, i.submissions.count == submissions.count && i.fileSyncs.isEmpty && i.barriers.isEmpty)
        }
        guard accepted else { throw .shuttingDown }
        if first { wake.signal() }
        var replies: [Reply] = []
        for waiter in waiters { replies.append(try waiter.wait()) }
        return replies
    }

    /// Waits until the bytes already written to `descriptor` (an append-only side log, such as
    /// the customer event log) are on disk: the next pass syncs it once after its commit, for
    /// every request that asked meanwhile, so concurrent callers share one `fsync` as decisions
    /// share one transaction.
    ///
    /// Once the journal stops, the caller's thread syncs the file itself: bytes already
    /// written are made durable rather than refused.
    /// - Throws: `EngineError.storage` when `fsync` fails.
    func sync(descriptor: Int32) throws(EngineError) {
        let request = FileSync(descriptor)
        let (accepted, first) = inbox.withLock { i -> (Bool, Bool) in
            guard !i.isStopped else { return (false, false) }
            i.fileSyncs.append(request)
            return (true, i.isFirstSinceDrain)
        }
        if accepted {
            if first { wake.signal() }
        } else {
            syncFiles([request])
        }
        request.done.wait()
        if let failure = request.failure.withLock({ $0 }) { throw failure }
    }

    /// Waits for one full pass of the journal thread (windows due now closed, outcomes written,
    /// closed windows handed to the learner).
    func flush() {
        let ticket = Learner.Ticket()
        let accepted = inbox.withLock { i -> Bool in
            guard !i.isStopped else { return false }
            i.barriers.append(ticket)
            return true
        }
        guard accepted else { return }
        wake.signal()
        ticket.wait()
    }

    /// Asks for a checkpoint at the next pass and waits until it is queued for the learner.
    func requestCheckpoint() {
        inbox.withLock { $0.checkpointRequested = true }
        flush()
    }

    /// Commits what is queued, then stops the thread (with a last checkpoint when asked).
    func stop(checkpoint: Bool) {
        let alreadyStopping = inbox.withLock { i -> Bool in
            defer { i.isStopping = true; i.checkpointOnStop = checkpoint }
            return i.isStopping
        }
        guard !alreadyStopping else { return }
        wake.signal()
        finished.wait()
    }

    var figures: Figures {
        let (depth, syncs) = inbox.withLock { ($0.submissions.count, $0.fileSyncs.count) }
        return writer.withLock { w in
            Figures(counters: w.joiner.counters, duplicates: w.duplicates, pending: w.joiner.pendingCount,
                    queueDepth: depth, commits: w.commits, entries: w.entries,
                    commitSeconds: w.commitSeconds, fileSyncs: syncPasses.load(ordering: .relaxed),
                    pendingFileSyncs: syncs)
        }
    }

    // MARK: - Journal thread

    /// Entries the last commit must have carried for the next one to be paced. From 4, commits
    /// of one entry each ran back to back at 2,000–3,000 decisions/s, near the disk's sync
    /// rate, and every open-loop sweep put p99 at 3,000/s at 11–13 ms; from 2 it was 2.3–2.5 ms.
    static let pacingMinimumBatch = 2

    private func run(learner: Learner) {
        var lastCommit: UInt64 = 0
        var lastBatch = 0
        let interval = UInt64(max(configuration.commitIntervalSeconds, 0) * 1e9)
        while true {
            _ = wake.wait(timeout: .now() + configuration.tickSeconds)
            if interval > 0 {
                // Group-commit pacing (see `EngineConfiguration.commitIntervalSeconds`), only
                // once the last commit carried several entries: a lone client's requests, one
                // at a time, are committed at once.
                let due = lastCommit &+ interval
                let now = DispatchTime.now().uptimeNanoseconds
                let queued = inbox.withLock { $0.submissions.count }
                if queued > 0 {
                    if now < due, lastBatch >= Self.pacingMinimumBatch, queued < configuration.commitBatchTarget {
                        let wait = due - now
                        var pause = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                        nanosleep(&pause, nil)
                    }
                    lastCommit = DispatchTime.now().uptimeNanoseconds
                }
            }
            let (submissions, syncs, barriers, forceCheckpoint, stopping, checkpointOnStop) = inbox.withLock { i in
                defer {
                    i.submissions.removeAll(keepingCapacity: true)
                    i.fileSyncs.removeAll(keepingCapacity: true)
                    i.barriers.removeAll()
                    i.checkpointRequested = false
                }
                return (i.submissions, i.fileSyncs, i.barriers, i.checkpointRequested, i.isStopping, i.checkpointOnStop)
            }
            if !submissions.isEmpty { lastBatch = submissions.count }
            pass(submissions, learner: learner, forceCheckpoint: forceCheckpoint || (stopping && checkpointOnStop))
            syncFiles(syncs)
            for b in barriers { b.signal() }
            if stopping {
                // Requests queued after the flag was raised were refused; nothing is left behind.
                let late = inbox.withLock { i in
                    defer { i.submissions.removeAll(); i.fileSyncs.removeAll(); i.isStopped = true }
                    return (i.submissions, i.fileSyncs, i.barriers)
                }
                if !late.0.isEmpty { pass(late.0, learner: learner, forceCheckpoint: false) }
                syncFiles(late.1)
                for b in late.2 { b.signal() }
                break
            }
        }
        finished.signal()
    }

    /// Calls a pass's completions inside the reply batch, when one is set.
    private func deliver(_ completions: () -> Void) {
        let batching = replyBatching.withLock { $0 }
        batching?.begin()
        completions()
        batching?.end()
    }

    /// One `fsync` per distinct descriptor, then every waiter is woken with its result.
    private func syncFiles(_ requests: [FileSync]) {
        guard !requests.isEmpty else { return }
        syncPasses.add(1, ordering: .relaxed)
        var results: [Int32: EngineError?] = [:]
        for r in requests where results[r.descriptor] == nil {
            var status: Int32
            repeat { status = fsync(r.descriptor) } while status != 0 && errno == EINTR
            results[r.descriptor] = status == 0 ? nil
                : EngineError.storage(operation: "sync a log file", message: String(cString: strerror(errno)))
        }
        for r in requests {
            if let failure = results[r.descriptor] ?? nil { r.failure.withLock { $0 = failure } }
            r.done.signal()
        }
    }

    private func pass(_ submissions: [Submission], learner: Learner, forceCheckpoint: Bool) {
        var closed: [RewardJoiner.Closed] = []
        // One timestamp per batch, never earlier than anything applied before: live serving and
        // replay then close the same windows before the same entries.
        let (now, outcomes) = writer.withLock { w -> (Double, [OutcomeRecord]) in
            let now = max(w.lastTimestamp, clock())
            w.lastTimestamp = now
            return (now, w.outcomes)
        }
        var entries: [JournalEntry] = []
        entries.reserveCapacity(submissions.count)
        for s in submissions {
            switch s.entry {
            case .decision(var d): d.timestamp = now; entries.append(.decision(d))
            case .reward(var r): r.timestamp = now; entries.append(.reward(r))
            }
        }
        var results: [(AppendOutcome, Int64)] = []
        let commitStarted = DispatchTime.now().uptimeNanoseconds
        if !entries.isEmpty || !outcomes.isEmpty {
            do throws(EngineError) {
                results = try store.append(entries, outcomes: outcomes)
            } catch {
                deliver { for s in submissions { s.finish(.failure(error)) } }
                return
            }
        }
        var items: [Learner.Item] = []
        var replies: [Reply] = []
        replies.reserveCapacity(submissions.count)
        writer.withLock { w in
            w.outcomes.removeFirst(min(outcomes.count, w.outcomes.count))
            if !entries.isEmpty {
                w.commits += 1
                w.commitSeconds += Double(DispatchTime.now().uptimeNanoseconds - commitStarted) / 1e9
            }
            for (entry, (outcome, sequence)) in zip(entries, results) {
                switch entry {
                case .decision(var d):
                    d.sequence = sequence
                    if outcome == .stored, let live = policies[d.policyID] {
                        w.entries += 1
                        w.joiner.register(d, rule: live.rule, into: &closed)
                    }
                    replies.append(.decision(outcome, d))
                case .reward(var r):
                    r.sequence = sequence
                    var join: RewardJoiner.JoinResult?
                    if outcome == .stored {
                        w.entries += 1
                        join = w.joiner.join(r, into: &closed)
                    } else if outcome == .duplicate {
                        w.duplicates += 1
                    }
                    replies.append(.reward(outcome, join))
                }
            }
            w.joiner.advance(to: now, into: &closed)
            w.outcomes.append(contentsOf: closed.map(\.outcome))
            w.scheduler.record(entries: entries.count, learned: closed.count)
        }
        // Reply first: nothing below changes a reply, and requests never wait for learning.
        deliver { for (s, reply) in zip(submissions, replies) { s.finish(.success(reply)) } }
        // Closed windows by policy: each policy's serving lock, which its decisions take too,
        // is taken once per pass rather than once per window.
        var conversions: [String: [(action: Int, converted: Bool)]] = [:]
        for c in closed {
            let d = c.decision
            if policies[d.policyID]?.mode.learns ?? true { items.append(.learn(policyID: d.policyID, interaction: Interaction(
                context: Context(features: d.context, segment: d.segment), candidates: d.candidates, action: d.action,
                probabilities: d.probabilities, propensity: d.propensity, reward: c.reward))) }
            conversions[d.policyID, default: []].append((d.action, !c.isDefault && c.reward > 0))
        }
        for (id, outcomes) in conversions {
            policies[id]?.serving.withLock { s in
                for o in outcomes { try? s.decisionGuard.recordOutcome(of: o.action, converted: o.converted) }
            }
        }
        let checkpointDue = configuration.dataDirectory != nil
            && (forceCheckpoint || writer.withLock { $0.scheduler.isDue(at: now) })
        if checkpointDue, let directory = configuration.dataDirectory {
            // Outcomes first, so that the checkpoint never covers a closed window whose outcome is not stored.
            let pendingOutcomes = writer.withLock { $0.outcomes }
            if !pendingOutcomes.isEmpty, (try? store.append([], outcomes: pendingOutcomes)) != nil {
                writer.withLock { $0.outcomes.removeFirst(min(pendingOutcomes.count, $0.outcomes.count)) }
            }
            let sequence = (try? store.lastSequence()) ?? 0
            let state = writer.withLock { w -> RewardJoiner.CheckpointState in
                w.scheduler.didCheckpoint(at: now)
                return w.joiner.checkpointState
            }
            items.append(.checkpoint(Checkpoint(createdAt: now, sequence: sequence, policies: [:], joiner: state),
                                     directory: directory))
        }
        learner.submit(items)
    }
}
