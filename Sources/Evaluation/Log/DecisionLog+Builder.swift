extension DecisionLog {
    /// Validates ``LoggedRound``s one at a time and accumulates them into a ``DecisionLog``.
    ///
    /// Checks, each reported with the line and field: propensity in (0, 1]; finite reward,
    /// features and sample weight; `probabilities` and `target_probabilities` PMFs over the
    /// same candidates (within 1e-6); `propensity` equal to `probabilities[action]` (within
    /// 1e-6) when both are logged; the chosen action among the candidates; one context layout
    /// (a dense vector of a fixed dimension, or named features) for the whole log.
    ///
    /// ```
    /// var builder = DecisionLog.Builder(source: "log.jsonl")
    /// try builder.append(round, line: 1)
    /// let log = try builder.finish()
    /// ```
    public struct Builder: Sendable {
        /// The number of candidates assumed when a line has neither `actions` nor a
        /// distribution (e.g. the catalog size of the policy being evaluated).
        public var defaultCandidateCount: Int?
        private var log: DecisionLog
        private var actionIndex: [String: Int] = [:]
        private var denseDimension: Int?
        private var featureIndex: [String: Int] = [:]
        private var sparseColumns: [Int32] = []
        private var sparseValues: [Double] = []
        private var sparseOffsets: [Int] = [0]
        private var allHaveLogging = true
        private var allHaveTarget = true
        /// Global indices of the candidates `0…K−1` of lines without `actions`, by `K`.
        private var numberedCandidates: [[Int]] = []

        /// Creates an empty builder; `source` names the log in messages.
        public init(source: String, defaultCandidateCount: Int? = nil) {
            self.defaultCandidateCount = defaultCandidateCount
            log = DecisionLog(
                source: source, actionIDs: [], featureNames: [], contextDimension: 0, contexts: [],
                candidateOffsets: [0], candidates: [], chosenPositions: [], propensities: [], rewards: [],
                loggingProbabilities: [], targetProbabilities: [], sampleWeights: [], segments: [],
                lineNumbers: [], unjoinedCount: 0, skippedCount: 0)
        }

        /// The number of rounds accepted so far.
        public var count: Int { log.count }

        /// The log's name in messages.
        var source: String { log.source }

        /// Validates `round` (read from 1-based `line`) and appends it; rounds without a reward
        /// or marked as skipped are counted and left out.
        /// - Throws: `EvaluationError.badLine` naming the line, the field and the problem.
        /// - Complexity: O(d + K) amortized.
        public mutating func append(_ round: LoggedRound, line: Int) throws(EvaluationError) {
            let source = log.source, defaultCount = defaultCandidateCount
            try round.withFields { fields throws(EvaluationError) in
                let checked = try Self.check(fields, line: line, source: source, defaultCandidateCount: defaultCount)
                try store(fields, checked, line: line)
            }
        }

        /// The checks of one round that depend on nothing but the round (every check except the
        /// context layout and dimension, which depend on the earlier rounds), in the order
        /// ``append(_:line:)`` makes them; thread-safe, so that readers can check lines in
        /// parallel and ``store(_:_:line:)`` them in order.
        /// - Throws: `EvaluationError.badLine` naming the line, the field and the problem.
        /// - Complexity: O(d + K).
        static func check(
            _ round: RoundFields, line: Int, source: String, defaultCandidateCount: Int?
        ) throws(EvaluationError) -> CheckedRound {
            func bad(_ field: String, _ reason: String) -> EvaluationError {
                .badLine(source: source, line: line, field: field, reason: reason)
            }
            if round.isSkipped { return .skipped }
            guard let reward = round.reward else { return .unjoined }
            guard reward.isFinite else { throw bad("reward", "\(reward) is not a finite number") }
            let p = round.propensity
            guard p.isFinite, p > 0, p <= 1 else {
                throw bad("propensity", "\(p) is outside (0, 1]: the logging policy must give the chosen action a positive probability")
            }
            guard round.sampleWeight.isFinite, round.sampleWeight > 0 else {
                throw bad("pdrop", "the event's sampling weight \(round.sampleWeight) is not a positive finite number")
            }
            for (k, v) in round.context.enumerated() where !v.isFinite {
                throw bad(round.featureNames.map { "context.\($0[k])" } ?? "context[\(k)]", "\(v) is not a finite number")
            }

            // Candidates and the chosen position.
            let candidateCount: Int
            if let ids = round.actions {
                guard !ids.isEmpty else { throw bad("actions", "the candidate list is empty") }
                candidateCount = ids.count
                var seen = Set<String>(minimumCapacity: ids.count)
                for id in ids {
                    guard seen.insert(id).inserted else { throw bad("actions", "action id \"\(id)\" appears twice") }
                }
            } else {
                guard let k = round.probabilities?.count ?? round.targetProbabilities?.count ?? defaultCandidateCount, k > 0 else {
                    throw bad("actions", "the candidates are unknown: log `actions`, `probabilities` or `target_probabilities`")
                }
                candidateCount = k
            }
            let position: Int
            switch round.action {
            case .index(let k):
                guard k >= 0, k < candidateCount else {
                    throw bad("action", "index \(k) is outside the \(candidateCount) candidates (0…\(candidateCount - 1))")
                }
                position = k
            case .id(let id):
                guard let ids = round.actions else {
                    throw bad("action", "\"\(id)\" is an id but the line has no `actions` list; log the candidates or an index")
                }
                guard let k = ids.firstIndex(of: id) else { throw bad("action", "\"\(id)\" is not among the candidates \(ids)") }
                position = k
            }

            if let probabilities = round.probabilities {
                guard probabilities.count == candidateCount else {
                    throw bad("probabilities", "\(probabilities.count) values for \(candidateCount) candidates")
                }
                try DecisionLog.checkDistribution(probabilities, source: source, line: line, field: "probabilities")
                guard abs(probabilities[position] - p) <= 1e-6 else {
                    throw bad("propensity", "\(p) differs from probabilities[\(position)] = \(probabilities[position])")
                }
            }
            if let target = round.targetProbabilities {
                guard target.count == candidateCount else {
                    throw bad("target_probabilities", "\(target.count) values for \(candidateCount) candidates")
                }
                try DecisionLog.checkDistribution(target, source: source, line: line, field: "target_probabilities")
            }
            return .accepted(candidateCount: candidateCount, position: position)
        }

        /// Appends a round that passed ``check(_:line:source:defaultCandidateCount:)`` (or counts
        /// it as unjoined or skipped), after the checks that depend on the earlier rounds (one
        /// context layout and dimension for the whole log).
        /// - Throws: `EvaluationError.badLine` naming the line and `context` or `features`.
        /// - Complexity: O(d + K) amortized.
        mutating func store(_ round: RoundFields, _ checked: CheckedRound, line: Int) throws(EvaluationError) {
            let candidateCount: Int, position: Int
            switch checked {
            case .skipped: log.skippedCount += 1; return
            case .unjoined: log.unjoinedCount += 1; return
            case .accepted(let k, let p): candidateCount = k; position = p
            }
            let source = log.source
            func bad(_ field: String, _ reason: String) -> EvaluationError {
                .badLine(source: source, line: line, field: field, reason: reason)
            }
            try appendContext(round, bad: bad)
            if let ids = round.actions {
                for id in ids { log.candidates.append(intern(id)) }
            } else {
                let k = candidateCount
                if k < numberedCandidates.count, !numberedCandidates[k].isEmpty {
                    log.candidates.append(contentsOf: numberedCandidates[k])
                } else {
                    var globalCandidates: [Int] = []
                    for a in 0..<k { globalCandidates.append(intern(String(a))) }
                    if k < 4096 {
                        if numberedCandidates.count <= k { numberedCandidates += Array(repeating: [], count: k + 1 - numberedCandidates.count) }
                        numberedCandidates[k] = globalCandidates
                    }
                    log.candidates.append(contentsOf: globalCandidates)
                }
            }
            log.candidateOffsets.append(log.candidates.count)
            log.chosenPositions.append(position)
            log.propensities.append(round.propensity)
            log.rewards.append(round.reward ?? 0)
            log.sampleWeights.append(round.sampleWeight)
            log.segments.append(round.segment)
            log.lineNumbers.append(line)
            appendDistribution(round.probabilities, into: &log.loggingProbabilities, flag: &allHaveLogging)
            appendDistribution(round.targetProbabilities, into: &log.targetProbabilities, flag: &allHaveTarget)
        }

        /// Reserves room for about `rounds` more rounds shaped like the last one appended (its
        /// candidates, context and distributions), so that reading a large log does not copy
        /// its columns each time they grow. A hint only: any number of rounds may follow.
        /// - Complexity: O(1) plus the allocation.
        public mutating func reserveCapacity(rounds: Int) {
            guard rounds > 0, log.count > 0 else { return }
            let i = log.count - 1
            let k = log.candidateOffsets[i + 1] - log.candidateOffsets[i]
            let total = log.count + rounds
            log.candidates.reserveCapacity(total * k)
            log.candidateOffsets.reserveCapacity(total + 1)
            log.chosenPositions.reserveCapacity(total)
            log.propensities.reserveCapacity(total)
            log.rewards.reserveCapacity(total)
            log.sampleWeights.reserveCapacity(total)
            log.segments.reserveCapacity(total)
            log.lineNumbers.reserveCapacity(total)
            if let d = denseDimension { log.contexts.reserveCapacity(total * d) }
            if allHaveLogging, !log.loggingProbabilities.isEmpty { log.loggingProbabilities.reserveCapacity(total * k) }
            if allHaveTarget, !log.targetProbabilities.isEmpty { log.targetProbabilities.reserveCapacity(total * k) }
        }

        /// The finished log.
        /// - Throws: `EvaluationError.emptyLog` when no round was accepted.
        public func finish() throws(EvaluationError) -> DecisionLog {
            guard log.count > 0 else { throw .emptyLog(source: log.source) }
            var result = log
            if !allHaveLogging { result.loggingProbabilities = [] }
            if !allHaveTarget { result.targetProbabilities = [] }
            if denseDimension == nil, !featureIndex.isEmpty || sparseOffsets.count > 1 {
                // Named features: densify now that the vocabulary is complete (absent → 0).
                let d = featureIndex.count
                var names = [String](repeating: "", count: d)
                for (name, j) in featureIndex { names[j] = name }
                var dense = [Double](repeating: 0, count: result.count * d)
                for i in 0..<result.count {
                    for k in sparseOffsets[i]..<sparseOffsets[i + 1] {
                        dense[i * d + Int(sparseColumns[k])] = sparseValues[k]
                    }
                }
                result.featureNames = names
                result.contextDimension = d
                result.contexts = dense
            } else {
                let d = denseDimension ?? 0
                result.contextDimension = d
                result.featureNames = (0..<d).map { "x\($0)" }
            }
            return result
        }

        // MARK: - Helpers

        private mutating func intern(_ id: String) -> Int {
            if let k = actionIndex[id] { return k }
            let k = log.actionIDs.count
            log.actionIDs.append(id)
            actionIndex[id] = k
            return k
        }

        private mutating func appendContext(
            _ round: RoundFields, bad: (String, String) -> EvaluationError
        ) throws(EvaluationError) {
            if let names = round.featureNames {
                guard denseDimension == nil else {
                    throw bad("features", "named features after rounds with a dense `context` array; use one layout per log")
                }
                guard names.count == round.context.count else {
                    throw bad("features", "\(names.count) names for \(round.context.count) values")
                }
                for (name, value) in zip(names, round.context) {
                    let j: Int
                    if let existing = featureIndex[name] { j = existing } else { j = featureIndex.count; featureIndex[name] = j }
                    sparseColumns.append(Int32(truncatingIfNeeded: j))
                    sparseValues.append(value)
                }
                sparseOffsets.append(sparseColumns.count)
            } else {
                guard sparseOffsets.count == 1 else {
                    throw bad("context", "a dense `context` array after rounds with named features; use one layout per log")
                }
                if let d = denseDimension {
                    guard round.context.count == d else {
                        throw bad("context", "\(round.context.count) values where earlier lines had \(d)")
                    }
                } else {
                    denseDimension = round.context.count
                }
                log.contexts.append(contentsOf: round.context)
            }
        }

        private func appendDistribution(_ p: UnsafeBufferPointer<Double>?, into storage: inout [Double], flag: inout Bool) {
            guard flag else { return }
            guard let p else { flag = false; storage = []; return }
            storage.append(contentsOf: p)
        }
    }
}
