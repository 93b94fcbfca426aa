extension SlateLog {
    /// Reads and validates the slate log at `path`, line by line (see ``SlateLog`` for the
    /// format).
    /// - Throws: `EvaluationError.unreadableFile`, `.badLine` naming the line and the slot's
    ///   field, `.emptyLog` when no slate has all its rewards.
    /// - Complexity: O(file size); memory O(total slots).
    public static func read(path: String) throws(EvaluationError) -> SlateLog {
        var log = SlateLog(source: path)
        try LineReader.forEachLine(path: path) { line, bytes throws(EvaluationError) in
            try log.append(bytes, line: line)
        }
        guard log.count > 0 else { throw .emptyLog(source: path) }
        return log
    }

    /// Reads a slate log held in memory; lines are separated by `\n`.
    /// - Throws: as ``read(path:)``.
    public static func parse(_ text: String, source: String = "log") throws(EvaluationError) -> SlateLog {
        var log = SlateLog(source: source)
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = Array(line.utf8)
            if bytes.last == 0x0D { bytes.removeLast() }
            bytes.append(0)
            let count = bytes.count - 1
            try bytes.withUnsafeBufferPointer { b throws(EvaluationError) in
                try log.append(UnsafeBufferPointer(rebasing: b[0..<count]), line: lineNumber)
            }
        }
        guard log.count > 0 else { throw .emptyLog(source: source) }
        return log
    }

    /// Whether the first non-blank line of the file at `path` is a slate (has `slots`).
    /// - Throws: `EvaluationError.unreadableFile`.
    public static func isSlateLog(path: String) throws(EvaluationError) -> Bool {
        var found = false
        do {
            try LineReader.forEachLine(path: path) { _, bytes throws(EvaluationError) in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                if let value = try? JSONLineParser.parse(bytes), value["slots"] != nil { found = true }
                throw EvaluationError.emptyLog(source: "")  // stop after the first line
            }
        } catch {
            if case .unreadableFile = error { throw error }
        }
        return found
    }

    // MARK: - One line

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(EvaluationError) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let value: JSONValue
        do { value = try JSONLineParser.parse(bytes) } catch {
            throw .badLine(source: source, line: line, field: "", reason: "malformed JSON at column \(error.column): \(error.message)")
        }
        do {
            try append(value, line: line)
        } catch {
            throw .badLine(source: source, line: line, field: error.field, reason: error.reason)
        }
    }

    private mutating func append(_ value: JSONValue, line: Int) throws(FieldError) {
        guard case .object = value else { throw FieldError(field: "", reason: "expected a JSON object, got \(value.kindName)") }
        guard let slotsValue = value["slots"]?.nonNull else {
            throw FieldError(field: "slots", reason: "missing; log one object per slot with action, propensity, reward and the target's probability")
        }
        guard case .array(let slots) = slotsValue, !slots.isEmpty else {
            throw FieldError(field: "slots", reason: "expected a non-empty array of slot objects")
        }
        var parsed: [Slot] = []
        for (k, slot) in slots.enumerated() {
            parsed.append(try Self.slot(slot, field: "slots[\(k)]"))
        }
        let segment = try value["segment"]?.nonNull?.label("segment")
        _ = try value["event_id"]?.nonNull?.label("event_id")
        guard parsed.allSatisfy({ $0.reward != nil }) else { unjoinedCount += 1; return }
        for s in parsed {
            propensities.append(s.propensity)
            targetPropensities.append(s.target)
            marginalPropensities.append(s.marginal ?? s.propensity)
            targetMarginalPropensities.append(s.targetMarginal ?? s.target)
            rewards.append(s.reward ?? 0)
        }
        slotOffsets.append(propensities.count)
        segments.append(segment)
        lineNumbers.append(line)
    }

    private struct Slot { var propensity: Double, target: Double, marginal: Double?, targetMarginal: Double?, reward: Double? }

    private static func slot(_ slot: JSONValue, field: String) throws(FieldError) -> Slot {
        guard case .object = slot else { throw FieldError(field: field, reason: "expected a slot object, got \(slot.kindName)") }
        guard let actionValue = slot["action"]?.nonNull else { throw FieldError(field: "\(field).action", reason: "missing") }
        var index: Int?
        switch actionValue {
        case .number: index = try actionValue.integer("\(field).action")
        case .string: index = nil
        default: throw FieldError(field: "\(field).action", reason: "expected an index or an id, got \(actionValue.kindName)")
        }
        guard let p = slot["propensity"]?.nonNull else { throw FieldError(field: "\(field).propensity", reason: "missing") }
        let propensity = try p.number("\(field).propensity")
        guard propensity > 0, propensity <= 1 else {
            throw FieldError(field: "\(field).propensity", reason: "\(propensity) is not a logging probability in (0, 1]; a slot logged with probability 0 cannot be reweighted")
        }
        let reward = try slot["reward"]?.nonNull?.number("\(field).reward")
        if let reward, !reward.isFinite { throw FieldError(field: "\(field).reward", reason: "\(reward) is not a finite reward") }
        if let logging = try slot["probabilities"]?.nonNull?.numbers("\(field).probabilities") {
            try checkPMF(logging, field: "\(field).probabilities")
            guard let i = index, logging.indices.contains(i) else {
                throw FieldError(field: "\(field).action", reason: "must be an index into the \(logging.count) probabilities")
            }
            guard abs(logging[i] - propensity) <= 1e-9 * max(1, propensity) else {
                throw FieldError(field: "\(field).propensity", reason: "\(propensity) differs from probabilities[\(i)] = \(logging[i])")
            }
        }
        let target: Double
        if let t = slot["target_propensity"]?.nonNull {
            target = try t.number("\(field).target_propensity")
            guard target >= 0, target <= 1 else {
                throw FieldError(field: "\(field).target_propensity", reason: "\(target) is not a probability in [0, 1]")
            }
        } else if let t = try slot["target_probabilities"]?.nonNull?.numbers("\(field).target_probabilities") {
            try checkPMF(t, field: "\(field).target_probabilities")
            guard let i = index, t.indices.contains(i) else {
                throw FieldError(field: "\(field).action", reason: "must be an index into the \(t.count) target probabilities")
            }
            target = t[i]
        } else {
            throw FieldError(field: "\(field).target_propensity", reason: "missing; log `target_propensity` or `target_probabilities` for every slot")
        }
        let marginal = try slot["marginal_propensity"]?.nonNull?.number("\(field).marginal_propensity")
        let targetMarginal = try slot["target_marginal_propensity"]?.nonNull?.number("\(field).target_marginal_propensity")
        if let marginal, !(marginal > 0 && marginal <= 1) {
            throw FieldError(field: "\(field).marginal_propensity", reason: "\(marginal) is not a logging probability in (0, 1]")
        }
        if let targetMarginal, !(targetMarginal >= 0 && targetMarginal <= 1) {
            throw FieldError(field: "\(field).target_marginal_propensity", reason: "\(targetMarginal) is not a probability in [0, 1]")
        }
        guard (marginal == nil) == (targetMarginal == nil) else {
            throw FieldError(field: marginal == nil ? "\(field).marginal_propensity" : "\(field).target_marginal_propensity",
                             reason: "missing; give marginal_propensity and target_marginal_propensity together")
        }
        return Slot(propensity: propensity, target: target, marginal: marginal, targetMarginal: targetMarginal, reward: reward)
    }

    private static func checkPMF(_ p: [Double], field: String) throws(FieldError) {
        var sum = 0.0
        for (k, v) in p.enumerated() {
            guard v.isFinite, v >= 0 else { throw FieldError(field: "\(field)[\(k)]", reason: "\(v) is not a probability (finite, ≥ 0)") }
            sum += v
        }
        guard abs(sum - 1) <= 1e-6 else { throw FieldError(field: field, reason: "the probabilities sum to \(sum), not 1") }
    }
}
