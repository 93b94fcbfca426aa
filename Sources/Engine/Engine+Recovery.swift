import Bandits

// MARK: - Recovery

extension Engine {
    struct Recovered {
        var models: [String: any Policy]
        var joiner: RewardJoiner
        var report: RecoveryReport
    }

    /// Restores the last checkpoint (models whose specification is unchanged, the joiner's open
    /// windows), replays the journal after it through the same joiner rules as live serving,
    /// learns the windows that close, and stores their outcomes.
    /// - Complexity: O(n) in the entries after the checkpoint.
    static func recover(policies: [String: LivePolicy], store: any EventStore, configuration: EngineConfiguration,
                        clock: @Sendable () -> Double) throws(EngineError) -> Recovered {
        var models = policies.mapValues { $0.model }
        var joiner = RewardJoiner()
        var discarded: [String] = []
        var checkpointSequence: Int64 = 0
        if let directory = configuration.dataDirectory, let checkpoint = try Checkpoint.read(fromDirectory: directory) {
            checkpointSequence = checkpoint.sequence
            // Open windows name their decisions by sequence; the log holds the decisions.
            let decisions = try store.decisions(sequences: checkpoint.joiner.windows.map(\.sequence))
            joiner = try RewardJoiner(state: checkpoint.joiner, decisions: decisions)
            for (id, snapshot) in checkpoint.policies.sorted(by: { $0.key < $1.key }) {
                guard var model = models[id] else { continue }
                do throws(BanditsError) {
                    try model.restore(from: snapshot)
                    models[id] = model
                } catch {
                    // A changed policy file starts from its prior; its log stays for off-policy learning.
                    discarded.append("\(id): \(error)")
                }
            }
        }
        joiner.capacity = configuration.maxOpenWindows
        var replayed = 0
        var learned = 0
        var outcomes: [OutcomeRecord] = []
        var closed: [RewardJoiner.Closed] = []
        func apply(_ closedNow: inout [RewardJoiner.Closed]) {
            for c in closedNow {
                outcomes.append(c.outcome)
                let d = c.decision
                // Taken out of the table while it learns, so that its statistics are not copied on write.
                guard policies[d.policyID]?.mode.learns ?? true, var model = models.removeValue(forKey: d.policyID) else { continue }
                let interaction = Interaction(context: Context(features: d.context, segment: d.segment), candidates: d.candidates,
                                              action: d.action, probabilities: d.probabilities, propensity: d.propensity,
                                              reward: c.reward)
                if (try? model.learn(from: interaction)) != nil { learned += 1 }
                models[d.policyID] = model
            }
            closedNow.removeAll(keepingCapacity: true)
        }
        try store.replay(after: checkpointSequence) { (entry: JournalEntry) throws(EngineError) in
            replayed += 1
            switch entry {
            case .decision(let d):
                if let live = policies[d.policyID] {
                    joiner.register(d, rule: live.rule, into: &closed)
                } else {
                    joiner.advance(to: d.timestamp, into: &closed)
                }
            case .reward(let r):
                _ = joiner.join(r, into: &closed)
            }
            apply(&closed)
        }
        joiner.advance(to: max(joiner.time, clock()), into: &closed)
        apply(&closed)
        if !outcomes.isEmpty { _ = try store.append([], outcomes: outcomes) }
        return Recovered(models: models, joiner: joiner, report: RecoveryReport(
            checkpointSequence: checkpointSequence, replayedEntries: replayed, learnedInteractions: learned,
            discardedModels: discarded, seconds: 0))
    }
}
