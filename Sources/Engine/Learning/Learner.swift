import Bandits
import Dispatch
import Foundation
import Synchronization

/// The background learner: one thread that applies closed decisions to its own copy of each
/// model, publishes the updated models to the serving side after each batch, and writes
/// checkpoints in queue order (so a checkpoint holds exactly the interactions queued before it).
final class Learner: Sendable {
    enum Item: Sendable {
        case learn(policyID: String, interaction: Interaction)
        case checkpoint(Checkpoint, directory: String)
        case barrier(Ticket)
        /// A new version of a policy: its model replaces the learner's and it replaces the serving entry.
        case install(LivePolicy, model: any Policy)
    }

    /// A one-shot signal a caller waits on.
    final class Ticket: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        func signal() { semaphore.signal() }
        func wait() { semaphore.wait() }
    }

    private struct Queue: Sendable {
        var items: [Item] = []
        var isStopping = false
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let models: Mutex<[String: any Policy]>
    private let publishers: PolicyTable
    private let finished = DispatchSemaphore(value: 0)
    /// Encodes and writes checkpoints at the lowest scheduling weight.
    private let writer = IdleWorker(name: "attune-ckpt")
    private let onLearned: @Sendable (Int) -> Void
    private let onCheckpoint: @Sendable (Result<Checkpoint, EngineError>) -> Void
    let failures = Mutex<[String]>([])

    init(policies: PolicyTable, models initial: [String: any Policy], onLearned: @escaping @Sendable (Int) -> Void,
         onCheckpoint: @escaping @Sendable (Result<Checkpoint, EngineError>) -> Void) {
        publishers = policies
        models = Mutex(initial)
        self.onLearned = onLearned
        self.onCheckpoint = onCheckpoint
    }

    func start() {
        let thread = Thread { [self] in
            ThreadPriority.nameCurrentThread("attune-learner")
            ThreadPriority.setCurrentThread(nice: ThreadPriority.background)
            run()
        }
        thread.start()
    }

    /// Queues work; returns at once.
    func submit(_ items: [Item]) {
        guard !items.isEmpty else { return }
        queue.withLock { $0.items.append(contentsOf: items) }
        wake.signal()
    }

    /// Queue depth (items not yet applied).
    var depth: Int { queue.withLock { $0.items.count } }

    /// Waits until everything queued so far is applied and published.
    func drain() {
        let ticket = Ticket()
        submit([.barrier(ticket)])
        ticket.wait()
    }

    /// Applies the queue, then stops the thread.
    func stop() {
        let already = queue.withLock { q -> Bool in
            defer { q.isStopping = true }
            return q.isStopping
        }
        guard !already else { return }
        wake.signal()
        finished.wait()
        writer.stop()
    }

    /// The learner's current model of `policyID` (tests and checkpoints).
    func model(_ policyID: String) -> (any Policy)? { models.withLock { $0[policyID] } }

    private func run() {
        while true {
            wake.wait()
            let (items, stopping) = queue.withLock { q -> ([Item], Bool) in
                let items = q.items
                q.items.removeAll(keepingCapacity: true)
                return (items, q.isStopping)
            }
            process(items)
            if stopping && depth == 0 { break }
        }
        finished.signal()
    }

    private func process(_ items: [Item]) {
        var touched = Set<String>()
        var learned = 0
        for item in items {
            switch item {
            case .learn(let policyID, let interaction):
                models.withLock { m in
                    // Taken out of the table while it learns: a model referenced twice would copy
                    // its statistics (copy-on-write) on every update.
                    guard var model = m.removeValue(forKey: policyID) else { return }
                    defer { m[policyID] = model }
                    do throws(BanditsError) {
                        if let live = publishers[policyID], live.baseline != nil {
                            try Self.tallyApprentice(live, model, interaction)
                        }
                        try model.learn(from: interaction)
                        learned += 1
                    } catch {
                        failures.withLock { $0.append("\(policyID): \(error)") }
                    }
                }
                touched.insert(policyID)
            case .checkpoint(var checkpoint, let directory):
                publish(touched)
                touched.removeAll()
                do throws(EngineError) {
                    checkpoint.policies = try snapshots()
                    let written = checkpoint
                    try writer.run { () -> Result<Void, EngineError> in
                        do throws(EngineError) { return .success(try written.write(toDirectory: directory)) } catch { return .failure(error) }
                    }.get()
                    onCheckpoint(.success(checkpoint))
                } catch {
                    onCheckpoint(.failure(error))
                }
            case .install(let live, let model):
                publish(touched)
                touched.removeAll()
                models.withLock { $0[live.id] = model }
                live.publish(model)
                publishers.replace(live)
            case .barrier(let ticket):
                publish(touched)
                touched.removeAll()
                ticket.signal()
            }
        }
        publish(touched)
        if learned > 0 { onLearned(learned) }
    }

    /// One apprentice round: the policy's probability of the served baseline, before it learns the round.
    private static func tallyApprentice(_ live: LivePolicy, _ model: any Policy, _ interaction: Interaction) throws(BanditsError) {
        guard let position = interaction.candidates.firstIndex(of: interaction.action), interaction.propensity > 0 else { return }
        let target = try model.distribution(for: interaction.context, among: interaction.candidates).probabilities[position]
        let term = target / interaction.propensity * interaction.reward
        live.apprentice.withLock { $0.addRound(baselineReward: interaction.reward, term: term) }
    }

    private func publish(_ ids: Set<String>) {
        for id in ids {
            if let model = model(id) { publishers[id]?.publish(model) }
        }
    }

    private func snapshots() throws(EngineError) -> [String: PolicySnapshot] {
        let current = models.withLock { $0 }
        var result: [String: PolicySnapshot] = [:]
        for (id, model) in current {
            do throws(BanditsError) {
                result[id] = try model.snapshot()
            } catch {
                throw .checkpoint(path: id, reason: "cannot snapshot the model (\(error))")
            }
        }
        return result
    }
}
