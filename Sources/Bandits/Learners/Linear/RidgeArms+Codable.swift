import Foundation

// MARK: - Codable and Equatable (the packed copy is derived, not state)

extension RidgeArms {
    enum CodingKeys: String, CodingKey {
        case count, dimension, ridge, forgetting, inverses, targets, coefficients, counts, clock
        case lastUpdate = "last_update"
        case largestDiagonal = "largest_diagonal"
        case window
        case windowRing = "window_ring"
        case windowStart = "window_start"
        case windowFill = "window_fill"
        case windowSinceRefactor = "window_since_refactor"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
        dimension = try c.decode(Int.self, forKey: .dimension)
        ridge = try c.decode(Double.self, forKey: .ridge)
        forgetting = try c.decode(Double.self, forKey: .forgetting)
        inverses = try c.decode([Double].self, forKey: .inverses)
        targets = try c.decode([Double].self, forKey: .targets)
        coefficients = try c.decode([Double].self, forKey: .coefficients)
        counts = try c.decode([Double].self, forKey: .counts)
        clock = try c.decode(Double.self, forKey: .clock)
        lastUpdate = try c.decode([Double].self, forKey: .lastUpdate)
        largestDiagonal = try c.decode([Double].self, forKey: .largestDiagonal)
        // Window fields are written only for windowed models, so older snapshots still load.
        window = try c.decodeIfPresent(Int.self, forKey: .window) ?? 0
        windowRing = try c.decodeIfPresent([Double].self, forKey: .windowRing) ?? []
        windowStart = try c.decodeIfPresent([Int].self, forKey: .windowStart) ?? []
        windowFill = try c.decodeIfPresent([Int].self, forKey: .windowFill) ?? []
        windowSinceRefactor = try c.decodeIfPresent([Int].self, forKey: .windowSinceRefactor) ?? []
        let d = dimension
        let slots = window > 0 ? count : 0
        guard window >= 0, windowRing.count == slots * window * (d + 2), windowStart.count == slots,
              windowFill.count == slots, windowSinceRefactor.count == slots,
              windowStart.allSatisfy({ $0 >= 0 && $0 < max(window, 1) }), windowFill.allSatisfy({ $0 >= 0 && $0 <= window }),
              windowSinceRefactor.allSatisfy({ $0 >= 0 })
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "sliding window of inconsistent shape"))
        }
        guard count >= 0, d >= 0, inverses.count == count * d * d, targets.count == count * d, coefficients.count == count * d,
              counts.count == count, lastUpdate.count == count, largestDiagonal.count == count
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "ridge statistics of inconsistent shapes"))
        }
        refreshPacked()
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(dimension, forKey: .dimension)
        try c.encode(ridge, forKey: .ridge)
        try c.encode(forgetting, forKey: .forgetting)
        try c.encode(inverses, forKey: .inverses)
        try c.encode(targets, forKey: .targets)
        try c.encode(coefficients, forKey: .coefficients)
        try c.encode(counts, forKey: .counts)
        try c.encode(clock, forKey: .clock)
        try c.encode(lastUpdate, forKey: .lastUpdate)
        try c.encode(largestDiagonal, forKey: .largestDiagonal)
        if window > 0 {
            try c.encode(window, forKey: .window)
            try c.encode(windowRing, forKey: .windowRing)
            try c.encode(windowStart, forKey: .windowStart)
            try c.encode(windowFill, forKey: .windowFill)
            try c.encode(windowSinceRefactor, forKey: .windowSinceRefactor)
        }
    }

    static func == (lhs: RidgeArms, rhs: RidgeArms) -> Bool {
        lhs.count == rhs.count && lhs.dimension == rhs.dimension && lhs.ridge == rhs.ridge && lhs.forgetting == rhs.forgetting
            && lhs.inverses == rhs.inverses && lhs.targets == rhs.targets && lhs.coefficients == rhs.coefficients
            && lhs.counts == rhs.counts && lhs.clock == rhs.clock && lhs.lastUpdate == rhs.lastUpdate
            && lhs.largestDiagonal == rhs.largestDiagonal && lhs.window == rhs.window && lhs.windowRing == rhs.windowRing
            && lhs.windowStart == rhs.windowStart && lhs.windowFill == rhs.windowFill
            && lhs.windowSinceRefactor == rhs.windowSinceRefactor
    }
}
