// Integers, categorical draws, shuffles and samples with algorithms fixed here rather than
// the standard library's `Int.random(in:using:)` / `shuffle(using:)`, whose algorithms are
// not part of their contract and may change between toolchains: a seed must give the same
// draws on every toolchain.

// MARK: - Integers

extension SeededGenerator {
    /// A uniform integer in `0..<upperBound`, by Lemire's nearly divisionless method
    /// (multiply-shift with rejection of the biased low part; exact, no modulo bias).
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` when
    ///   `upperBound ≤ 0`.
    /// - Complexity: O(1) expected, no allocation.
    ///
    /// ## References
    /// Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
    @inlinable
    public mutating func nextInt(below upperBound: Int) throws(AttuneCoreError) -> Int {
        guard upperBound > 0 else {
            throw .invalidParameter(name: "upperBound", value: "\(upperBound)", expected: "an integer > 0")
        }
        return nextIndex(below: upperBound)
    }

    /// ``nextInt(below:)`` for a bound already known to be positive.
    @inlinable
    internal mutating func nextIndex(below upperBound: Int) -> Int {
        let bound = UInt64(truncatingIfNeeded: upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(truncatingIfNeeded: product.high)
    }
}

// MARK: - Categorical

extension SeededGenerator {
    /// A position drawn with probability proportional to its weight, by inversion of the
    /// cumulative sum (weights need not sum to 1).
    ///
    /// ```
    /// P(i) = w[i] / Σ w
    /// ```
    /// A zero-weight position is never returned.
    /// - Throws: ``AttuneCoreError/invalidWeights(reason:)`` when `weights` is empty, has a
    ///   negative or non-finite entry, or sums to 0 or to infinity.
    /// - Complexity: O(n), no allocation.
    @inlinable
    public mutating func nextCategorical(weights: [Double]) throws(AttuneCoreError) -> Int {
        var result: Result<Int, AttuneCoreError> = .success(0)
        weights.withUnsafeBufferPointer { buffer in
            do throws(AttuneCoreError) {
                result = .success(try nextCategorical(weights: buffer))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// ``nextCategorical(weights:)-([Double])`` over borrowed memory, for hot loops that keep
    /// their weights in a reused buffer.
    /// - Throws: ``AttuneCoreError/invalidWeights(reason:)`` as the array form.
    /// - Complexity: O(n), no allocation.
    @inlinable
    public mutating func nextCategorical(weights: UnsafeBufferPointer<Double>) throws(AttuneCoreError) -> Int {
        guard !weights.isEmpty else { throw .invalidWeights(reason: "the weight list is empty") }
        var total = 0.0
        for i in 0..<weights.count {
            let w = weights[i]
            guard w.isFinite, w >= 0 else {
                throw .invalidWeights(reason: "weight [\(i)] = \(w) is negative or not finite")
            }
            total += w
        }
        guard total > 0, total.isFinite else {
            throw .invalidWeights(reason: "the weights sum to \(total)")
        }
        let target = nextUniform() * total
        var cumulative = 0.0
        var lastPositive = 0
        for i in 0..<weights.count where weights[i] > 0 {
            cumulative += weights[i]
            lastPositive = i
            if target < cumulative { return i }
        }
        // The target fell in the rounding gap between the running sum and `total`.
        return lastPositive
    }
}

// MARK: - Shuffling and sampling without replacement

extension SeededGenerator {
    /// Shuffles `collection` in place, uniformly over all permutations (Fisher–Yates,
    /// from the last position down, each swap partner from ``nextInt(below:)``).
    /// - Complexity: O(n), no allocation.
    ///
    /// ## References
    /// Knuth, TAOCP vol. 2, §3.4.2, Algorithm P.
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ collection: inout C) {
        let n = collection.count
        guard n > 1 else { return }
        for offset in stride(from: n - 1, to: 0, by: -1) {
            let partner = nextIndex(below: offset + 1)
            let i = collection.index(collection.startIndex, offsetBy: offset)
            let j = collection.index(collection.startIndex, offsetBy: partner)
            collection.swapAt(i, j)
        }
    }

    /// `count` distinct indices of `0..<population`, in random order, each ordered
    /// selection equally likely (a partial Fisher–Yates shuffle of `0..<population`).
    ///
    /// When `count` is small against `population`, the shuffle is kept sparse in a
    /// dictionary, so memory is O(count) rather than O(population); both forms give the
    /// same indices for the same seed.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless
    ///   `0 ≤ count ≤ population`.
    /// - Complexity: O(count) time, O(min(count, population)) memory.
    public mutating func sampleIndices(_ count: Int, from population: Int) throws(AttuneCoreError) -> [Int] {
        guard population >= 0 else {
            throw .invalidParameter(name: "population", value: "\(population)", expected: "an integer ≥ 0")
        }
        guard count >= 0, count <= population else {
            throw .invalidParameter(name: "count", value: "\(count)", expected: "an integer in 0...\(population)")
        }
        var result = [Int]()
        result.reserveCapacity(count)
        if count * 4 >= population {
            var pool = Array(0..<population)
            for i in 0..<count {
                let j = i + nextIndex(below: population - i)
                pool.swapAt(i, j)
                result.append(pool[i])
            }
        } else {
            var displaced = [Int: Int](minimumCapacity: count * 2)
            for i in 0..<count {
                let j = i + nextIndex(below: population - i)
                let atJ = displaced[j] ?? j
                displaced[j] = displaced[i] ?? i
                result.append(atJ)
            }
        }
        return result
    }

    /// `count` distinct elements of `collection` (distinct positions), in random order.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless
    ///   `0 ≤ count ≤ collection.count`.
    /// - Complexity: O(count) for random-access collections.
    public mutating func sample<C: Collection>(_ count: Int, from collection: C) throws(AttuneCoreError) -> [C.Element] {
        let offsets = try sampleIndices(count, from: collection.count)
        return offsets.map { collection[collection.index(collection.startIndex, offsetBy: $0)] }
    }
}
