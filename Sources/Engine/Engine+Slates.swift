import Bandits

// MARK: - Multi-slot decisions

extension Engine {
    /// Fills `slotCount` slots with distinct actions (Bandits' `decideSlate`: slot k is drawn
    /// from the policy's distribution over the candidates slots 0..<k left) and logs each slot
    /// as its own decision, with its conditional probability as propensity, all in one
    /// transaction. Slot 0 keeps the request's event id, slot k gets `<event_id>#k`; each
    /// slot's reward goes to its own event id and teaches the model as a single decision.
    /// Under the kill switch or in apprentice mode the fixed action fills slot 0 and the other
    /// candidates follow in request order, each logged with probability 1.
    /// - Throws: `EngineError.policy(.invalidParameter(field: "slots", …))` when the count is
    ///   outside 1…eligible candidates; otherwise as `decide`.
    func decideSlate(_ request: DecisionRequest, _ live: LivePolicy, eventID: String, context: Context, candidates: [Int],
                     slotCount: Int, now: Double) throws(EngineError) -> DecisionResponse {
        let lastID = slotCount > 1 ? eventID + "#\(slotCount - 1)" : eventID
        guard lastID.utf8.count <= 256 else {
            throw .invalidField(field: "event_id", reason: "with \(slotCount) slots the slot ids '\(eventID)#k' exceed 256 bytes; send a shorter event id")
        }
        let records = try live.serving.withLock { (s: inout LivePolicy.Serving) throws(EngineError) -> [DecisionRecord] in
            do throws(BanditsError) {
                let customer = request.customerID ?? ""
                let allowed = try s.decisionGuard.eligibleCandidates(candidates, customer: customer, at: now)
                guard slotCount >= 1, slotCount <= allowed.count else {
                    throw BanditsError.invalidParameter(field: "slots", value: "\(slotCount)", expected: "a slot count in 1...\(allowed.count) (the eligible candidates)")
                }
                let slate: [Decision]
                if let fixed = s.fallbackAction ?? live.baseline, allowed.contains(fixed) {
                    let order = ([fixed] + allowed.filter { $0 != fixed }).prefix(slotCount)
                    var remaining = allowed
                    slate = order.map { action in
                        let position = remaining.firstIndex(of: action) ?? 0
                        defer { remaining.remove(at: position) }
                        return Decision(action: action, position: position, candidates: remaining,
                                        probabilities: remaining.indices.map { $0 == position ? 1 : 0 }, modelVersion: s.policy.modelVersion)
                    }
                } else {
                    slate = try s.policy.decideSlate(for: context, among: allowed, slotCount: slotCount, using: &s.generator).slots
                }
                var records: [DecisionRecord] = []
                for (k, d) in slate.enumerated() {
                    try s.decisionGuard.recordExposure(of: d.action, customer: customer, at: now)
                    records.append(DecisionRecord(eventID: k == 0 ? eventID : eventID + "#\(k)", policyID: live.id, timestamp: now,
                                                  customerID: request.customerID, segment: context.segment, context: context.features,
                                                  candidates: d.candidates, candidateIDs: live.ids(of: d.candidates),
                                                  position: d.position, probabilities: d.probabilities, modelVersion: d.modelVersion))
                }
                return records
            } catch {
                if case .noEligibleAction = error { throw EngineError.noEligibleAction }
                throw EngineError.policy(error)
            }
        }
        var slots: [DecisionResponse.Slot] = []
        for (record, reply) in zip(records, try journal.commitAll(records.map { JournalEntry.decision($0) })) {
            guard case .decision(let outcome, let committed) = reply else {
                throw .storage(operation: "log decision \(record.eventID)", message: "unexpected journal reply")
            }
            guard outcome == .stored else { throw .duplicateEvent(record.eventID) }
            count(committed, live)
            let distribution = zip(committed.candidateIDs, committed.probabilities).map { DecisionResponse.Probability(id: $0, probability: $1) }
            slots.append(.init(eventID: committed.eventID, actionID: committed.actionID,
                               probability: committed.probabilities[committed.position], probabilities: distribution))
        }
        guard let first = slots.first, let record = records.first else { throw .noEligibleAction }
        return DecisionResponse(eventID: eventID, policy: live.id, actionID: first.actionID, probabilities: first.probabilities,
                                segment: record.segment, modelVersion: record.modelVersion, slots: slots)
    }
}
