import Bandits

extension Engine {
    /// Folds raw touchpoint events (JSON Lines, the `attune segment` event format) into the
    /// customers' live profiles and segments.
    /// - Throws: `EngineError.invalidField(field: "segment_model", …)` when the engine has no
    ///   segmentation model, or the malformed event's field (`events[i].<field>`); nothing is
    ///   applied when any line is malformed.
    /// - Complexity: O(bytes + events · (features + k·d)).
    public func ingestEvents(jsonLines body: [UInt8]) throws(EngineError) -> [CustomerSegments.Ingested] {
        guard let customers else {
            throw .invalidField(field: "segment_model",
                                reason: "no segmentation model is configured; set segment_model in the serve configuration to accept events")
        }
        // The event log is synced by the journal's group commit: one fsync for every request waiting.
        return try customers.ingest(jsonLines: body, now: clock()) { descriptor throws(EngineError) in
            try journal.sync(descriptor: descriptor)
        }
    }

    /// The request with the customer's live segment and profile features added: the segment
    /// when the request names none and the policy learns per segment (and the segment is
    /// within the policy's segment count), and every profile feature the policy's feature
    /// schema names that a named context does not already give.
    func addingCustomer(to request: DecisionRequest, _ live: LivePolicy, now: Double) -> DecisionRequest {
        guard let customers, let customerID = request.customerID else { return request }
        var names: [String] = []
        if case .named(let values) = request.context {
            names = live.specification.featureSchema.features.map(\.name).filter { values[$0] == nil }
        }
        guard let found = customers.lookup(customerID, features: names, now: now) else { return request }
        var result = request
        if result.segment == nil, let count = live.specification.segmentation?.count, (0..<count).contains(found.segment) {
            result.segment = found.segment
        }
        if case .named(var values) = request.context, !found.values.isEmpty {
            for (name, value) in found.values { values[name] = value }
            result.context = .named(values)
        }
        return result
    }
}
