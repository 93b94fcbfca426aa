import Foundation

// MARK: - Compact checkpoint encoding

// A busy server holds many open windows; JSON-encoding each pending decision field by field
// made checkpoints cost more CPU than serving. The pending list is one binary blob instead.
extension RewardJoiner.State {
    enum CodingKeys: String, CodingKey {
        case pending, counters, time
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        counters = try container.decode(RewardJoiner.Counters.self, forKey: .counters)
        time = try container.decode(Double.self, forKey: .time)
        let data = try container.decode(Data.self, forKey: .pending)
        var reader = BinaryReader(Array(data))
        var pending: [RewardJoiner.Pending] = []
        do throws(BinaryReader.Damaged) {
            while !reader.isAtEnd {
                let decision = DecisionRecord(
                    sequence: try reader.int(), eventID: try reader.string(), policyID: try reader.string(),
                    timestamp: try reader.double(), customerID: try reader.optionalString(),
                    segment: try reader.int() == 0 ? nil : Int(try reader.int()), context: try reader.doubles(),
                    candidates: try reader.ints(), candidateIDs: try reader.strings(), position: Int(try reader.int()),
                    probabilities: try reader.doubles(), modelVersion: Int(try reader.int()))
                guard decision.candidates.count == decision.probabilities.count, decision.candidateIDs.count == decision.candidates.count,
                      decision.candidates.indices.contains(decision.position) else {
                    throw BinaryReader.Damaged()
                }
                let deadline = try reader.double()
                let aggregation = RewardJoiner.Aggregation(rawValue: try reader.string()) ?? .sum
                pending.append(RewardJoiner.Pending(decision: decision, deadline: deadline, aggregation: aggregation,
                                                    defaultReward: try reader.double(), rewards: try reader.doubles()))
            }
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .pending, in: container, debugDescription: "damaged pending windows")
        }
        self.pending = pending
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var writer = BinaryWriter()
        for p in pending {
            let d = p.decision
            writer.int(d.sequence)
            writer.string(d.eventID)
            writer.string(d.policyID)
            writer.double(d.timestamp)
            writer.optionalString(d.customerID)
            writer.int(d.segment == nil ? 0 : 1)
            if let segment = d.segment { writer.int(Int64(segment)) }
            writer.doubles(d.context)
            writer.ints(d.candidates)
            writer.strings(d.candidateIDs)
            writer.int(Int64(d.position))
            writer.doubles(d.probabilities)
            writer.int(Int64(d.modelVersion))
            writer.double(p.deadline)
            writer.string(p.aggregation.rawValue)
            writer.double(p.defaultReward)
            writer.doubles(p.rewards)
        }
        try container.encode(Data(writer.bytes), forKey: .pending)
        try container.encode(counters, forKey: .counters)
        try container.encode(time, forKey: .time)
    }
}

// Open windows by reference: one binary blob of (sequence, deadline, aggregation, default
// reward, rewards) per window. Checkpoints of the first format carried whole decisions under
// `pending`; they decode to the same references (the log holds those decisions too).
extension RewardJoiner.CheckpointState: Codable {
    enum CodingKeys: String, CodingKey {
        case windows, pending, counters, time
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        counters = try container.decode(RewardJoiner.Counters.self, forKey: .counters)
        time = try container.decode(Double.self, forKey: .time)
        guard container.contains(.windows) else {
            let legacy = try RewardJoiner.State(from: decoder)
            windows = legacy.pending.map(RewardJoiner.OpenWindow.init)
            return
        }
        var reader = BinaryReader(Array(try container.decode(Data.self, forKey: .windows)))
        var windows: [RewardJoiner.OpenWindow] = []
        do throws(BinaryReader.Damaged) {
            while !reader.isAtEnd {
                let sequence = try reader.int()
                let deadline = try reader.double()
                guard let aggregation = RewardJoiner.Aggregation(rawValue: try reader.string()) else { throw BinaryReader.Damaged() }
                windows.append(RewardJoiner.OpenWindow(sequence: sequence, deadline: deadline, aggregation: aggregation,
                                                       defaultReward: try reader.double(), rewards: try reader.doubles()))
            }
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .windows, in: container, debugDescription: "damaged open windows")
        }
        self.windows = windows
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var writer = BinaryWriter()
        writer.bytes.reserveCapacity(windows.count * 48)
        for w in windows.sorted(by: { $0.sequence < $1.sequence }) {
            writer.int(w.sequence)
            writer.double(w.deadline)
            writer.string(w.aggregation.rawValue)
            writer.double(w.defaultReward)
            writer.doubles(w.rewards)
        }
        try container.encode(Data(writer.bytes), forKey: .windows)
        try container.encode(counters, forKey: .counters)
        try container.encode(time, forKey: .time)
    }
}

// Checkpoints written before `forced_closes` existed decode with it at 0.
extension RewardJoiner.Counters {
    enum CodingKeys: String, CodingKey {
        case joinedRewards, lateRewards, defaultRewards, closedDecisions, forcedCloses
    }

    /// Decodes counters; `forcedCloses` is 0 when absent.
    /// - Throws: `DecodingError` when a counter is missing or not an integer.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        joinedRewards = try container.decode(Int.self, forKey: .joinedRewards)
        lateRewards = try container.decode(Int.self, forKey: .lateRewards)
        defaultRewards = try container.decode(Int.self, forKey: .defaultRewards)
        closedDecisions = try container.decode(Int.self, forKey: .closedDecisions)
        forcedCloses = try container.decodeIfPresent(Int.self, forKey: .forcedCloses) ?? 0
    }

    /// Encodes every counter.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(joinedRewards, forKey: .joinedRewards)
        try container.encode(lateRewards, forKey: .lateRewards)
        try container.encode(defaultRewards, forKey: .defaultRewards)
        try container.encode(closedDecisions, forKey: .closedDecisions)
        try container.encode(forcedCloses, forKey: .forcedCloses)
    }
}
