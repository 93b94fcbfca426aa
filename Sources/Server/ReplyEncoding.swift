import Engine

/// The replies of the hot routes written straight to bytes with `JSONText.Writer`: the same
/// text as the `JSONText.Value` rendering they replace (tests compare both), without building a tree.
enum ReplyEncoding {
    /// `{"event_id", "policy", "action_id", "probabilities": [{"id", "probability"}], "segment", "model_version"}`
    /// plus `"slots"` for multi-slot decisions.
    static func decision(_ reply: DecisionResponse) -> [UInt8] {
        var w = JSONText.Writer(capacity: 160 + 48 * reply.probabilities.count)
        w.raw(#"{"event_id":"#)
        w.string(reply.eventID)
        w.raw(#","policy":"#)
        w.string(reply.policy)
        w.raw(#","action_id":"#)
        w.string(reply.actionID)
        w.raw(#","probabilities":"#)
        probabilities(reply.probabilities, into: &w)
        w.raw(#","segment":"#)
        if let segment = reply.segment { w.integer(segment) } else { w.raw("null") }
        w.raw(#","model_version":"#)
        w.integer(reply.modelVersion)
        if let slots = reply.slots {
            w.raw(#","slots":["#)
            for (k, slot) in slots.enumerated() {
                if k > 0 { w.raw(",") }
                w.raw(#"{"slot":"#)
                w.integer(k)
                w.raw(#","event_id":"#)
                w.string(slot.eventID)
                w.raw(#","action_id":"#)
                w.string(slot.actionID)
                w.raw(#","probability":"#)
                w.number(slot.probability)
                w.raw(#","probabilities":"#)
                probabilities(slot.probabilities, into: &w)
                w.raw("}")
            }
            w.raw("]")
        }
        w.raw("}")
        return w.bytes
    }

    /// `{"event_id", "status"}`.
    static func reward(_ reply: RewardResponse) -> [UInt8] {
        var w = JSONText.Writer(capacity: 64)
        w.raw(#"{"event_id":"#)
        w.string(reply.eventID)
        w.raw(#","status":"#)
        w.string(reply.status.rawValue)
        w.raw("}")
        return w.bytes
    }

    private static func probabilities(_ items: [DecisionResponse.Probability], into w: inout JSONText.Writer) {
        w.raw("[")
        for (i, p) in items.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw(#"{"id":"#)
            w.string(p.id)
            w.raw(#","probability":"#)
            w.number(p.probability)
            w.raw("}")
        }
        w.raw("]")
    }
}
