import AttuneCore
import Engine

/// One-pass readings of the hot request bodies with `JSONReader`. Each accepts only what the
/// type's `Decodable` conformance accepts and builds the same value; anything else (unknown or
/// repeated keys, wrong types, escapes, `3.0` for an integer) deviates, and the router then
/// decodes strictly, which reports the error with its path. Tests compare both on tables of
/// valid and malformed bodies.
///
/// ```swift
/// let request = try StrictJSONDecoder().decode(DecisionRequest.self, from: body, source: "body",
///                                              reading: RequestReading.decision)
/// ```
public enum RequestReading {
    /// Reads a `POST /v1/decisions` body as a `DecisionRequest` (context given as a vector or named features).
    /// - Throws: `JSONReader.Deviation` on anything but a well-formed request without escapes.
    /// - Complexity: O(bytes of the body).
    public static func decision(_ reader: inout JSONReader) throws(JSONReader.Deviation) -> DecisionRequest {
        var policy: String?, eventID: String?, customerID: String?, context: DecisionRequest.ContextInput?
        var segment: Int?, actions: [DecisionRequest.ActionInput]?, excluded: [String]?, slots: Int?
        var seen: UInt8 = 0
        try reader.readObject { reader, key throws(JSONReader.Deviation) in
            let bit: UInt8
            if key == "context" {
                bit = 1
                context = try readContext(&reader)
            } else if key == "customer_id" {
                bit = 2
                customerID = try optionalString(&reader)
            } else if key == "event_id" {
                bit = 4
                eventID = try optionalString(&reader)
            } else if key == "policy" {
                bit = 8
                policy = try optionalString(&reader)
            } else if key == "actions" {
                bit = 16
                actions = try reader.readNull() ? nil : readActions(&reader)
            } else if key == "excluded_actions" {
                bit = 32
                excluded = try reader.readNull() ? nil : reader.readStrings()
            } else if key == "segment" {
                bit = 64
                segment = try reader.readNull() ? nil : reader.readInt()
            } else if key == "slots" {
                bit = 128
                slots = try reader.readNull() ? nil : reader.readInt()
            } else {
                throw JSONReader.Deviation()
            }
            guard seen & bit == 0 else { throw JSONReader.Deviation() }
            seen |= bit
        }
        guard let context else { throw JSONReader.Deviation() }
        return DecisionRequest(policy: policy, eventID: eventID, customerID: customerID, context: context,
                               segment: segment, actions: actions, excludedActions: excluded, slots: slots)
    }

    /// Reads a `POST /v1/rewards` body as a `RewardRequest`.
    /// - Throws: `JSONReader.Deviation` on anything but a well-formed request without escapes.
    /// - Complexity: O(bytes of the body).
    public static func reward(_ reader: inout JSONReader) throws(JSONReader.Deviation) -> RewardRequest {
        var eventID: String?, reward: Double?, rewardID: String?
        var seen: UInt8 = 0
        try reader.readObject { reader, key throws(JSONReader.Deviation) in
            let bit: UInt8
            if key == "event_id" {
                bit = 1
                eventID = try reader.readString()
            } else if key == "reward" {
                bit = 2
                reward = try reader.readDouble()
            } else if key == "reward_id" {
                bit = 4
                rewardID = try optionalString(&reader)
            } else {
                throw JSONReader.Deviation()
            }
            guard seen & bit == 0 else { throw JSONReader.Deviation() }
            seen |= bit
        }
        guard let eventID, let reward else { throw JSONReader.Deviation() }
        return RewardRequest(eventID: eventID, reward: reward, rewardID: rewardID)
    }

    // MARK: - Parts

    private static func optionalString(_ reader: inout JSONReader) throws(JSONReader.Deviation) -> String? {
        try reader.readNull() ? nil : reader.readString()
    }

    /// `ContextInput` tries `[Double]` first, then `[String: Double]`.
    private static func readContext(_ reader: inout JSONReader) throws(JSONReader.Deviation) -> DecisionRequest.ContextInput {
        switch reader.peek() {
        case .array:
            var values: [Double] = []
            values.reserveCapacity(32)
            try reader.readDoubles(into: &values)
            return .vector(values)
        case .object:
            var values: [String: Double] = [:]
            try reader.readObject { reader, key throws(JSONReader.Deviation) in
                guard let name = key.string else { throw JSONReader.Deviation() }
                let value = try reader.readDouble()
                // A repeated key is the strict parser's error.
                guard values.updateValue(value, forKey: name) == nil else { throw JSONReader.Deviation() }
            }
            return .named(values)
        default:
            throw JSONReader.Deviation()
        }
    }

    private static func readActions(_ reader: inout JSONReader) throws(JSONReader.Deviation) -> [DecisionRequest.ActionInput] {
        var actions: [DecisionRequest.ActionInput] = []
        try reader.readArray { reader, _ throws(JSONReader.Deviation) in
            var id: String?, features: [Double]?
            var seen: UInt8 = 0
            try reader.readObject { reader, key throws(JSONReader.Deviation) in
                let bit: UInt8
                if key == "id" {
                    bit = 1
                    id = try reader.readString()
                } else if key == "features" {
                    bit = 2
                    if try !reader.readNull() {
                        var values: [Double] = []
                        try reader.readDoubles(into: &values)
                        features = values
                    }
                } else {
                    throw JSONReader.Deviation()
                }
                guard seen & bit == 0 else { throw JSONReader.Deviation() }
                seen |= bit
            }
            guard let id else { throw JSONReader.Deviation() }
            actions.append(DecisionRequest.ActionInput(id: id, features: features))
        }
        return actions
    }
}
