import Testing
import AttuneCore

@Suite struct SamplingTests {
    @Test func categoricalFrequenciesFollowTheWeights() throws {
        // Four positive cells: 3 degrees of freedom, 1e-4 critical value 21.1.
        let weights = [1.0, 2, 3, 0, 4]
        var g = SeededGenerator(seed: 21)
        var counts = [Int](repeating: 0, count: weights.count)
        for _ in 0..<50_000 { counts[try g.nextCategorical(weights: weights)] += 1 }
        #expect(counts[3] == 0)
        #expect(chiSquare(counts, weights.map { $0 / 10 }) < 21.1)
    }

    @Test func categoricalOverABufferMatchesTheArrayForm() throws {
        let weights = [0.5, 0.0, 2.5, 1.0]
        var a = SeededGenerator(seed: 22), b = a
        for _ in 0..<1_000 {
            let fromArray = try a.nextCategorical(weights: weights)
            let fromBuffer = try weights.withUnsafeBufferPointer { buffer throws(AttuneCoreError) in try b.nextCategorical(weights: buffer) }
            #expect(fromArray == fromBuffer)
        }
    }

    @Test func integersBelowABoundAreUniform() throws {
        // 7 cells: 6 degrees of freedom, 1e-4 critical value 27.9.
        var g = SeededGenerator(seed: 23)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<35_000 { counts[try g.nextInt(below: 7)] += 1 }
        #expect(chiSquare(counts, [Double](repeating: 1.0 / 7, count: 7)) < 27.9)
        // A bound near 2⁶³ exercises the rejection step of Lemire's method.
        let big = Int.max / 3 * 2
        for _ in 0..<1_000 {
            let value = try g.nextInt(below: big)
            #expect(value >= 0 && value < big)
        }
    }

    @Test func shuffleGivesEveryPermutationEqually() {
        // 3! = 6 permutations: 5 degrees of freedom, 1e-4 critical value 25.7.
        var g = SeededGenerator(seed: 24)
        var counts: [[Int]: Int] = [:]
        for _ in 0..<30_000 {
            var items = [0, 1, 2]
            g.shuffle(&items)
            counts[items, default: 0] += 1
        }
        #expect(counts.count == 6)
        #expect(chiSquare(Array(counts.values), [Double](repeating: 1.0 / 6, count: 6)) < 25.7)
    }

    @Test(arguments: [(3, 5), (40, 50), (5, 1_000)])
    func sampledIndicesAreDistinctAndEquallyLikely(count: Int, population: Int) throws {
        var g = SeededGenerator(seed: 25)
        var inclusions = [Int](repeating: 0, count: population)
        let rounds = 4_000
        for _ in 0..<rounds {
            let indices = try g.sampleIndices(count, from: population)
            #expect(indices.count == count)
            #expect(Set(indices).count == count)
            for index in indices { inclusions[index] += 1 }
        }
        // Each index is included with probability count/population; check the total
        // deviation with χ² over the inclusion counts (a conservative use, as the cells of
        // one round are negatively correlated).
        let p = Double(count) / Double(population)
        let expected = Double(rounds) * p
        let statistic = inclusions.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / (expected * (1 - p)) }
        let dof = Double(population - 1)
        #expect(statistic < dof + 5 * (2 * dof).squareRoot())
    }

    @Test func sampleReturnsElementsOfTheCollection() throws {
        var g = SeededGenerator(seed: 26)
        let letters = Array("abcdefgh")
        let picked = try g.sample(3, from: letters)
        #expect(picked.count == 3 && Set(picked).count == 3 && picked.allSatisfy { letters.contains($0) })
        #expect(try g.sample(0, from: letters).isEmpty)
        #expect(try Set(g.sample(8, from: letters)) == Set(letters))
    }

    // MARK: - Invalid parameters

    @Test(arguments: [
        ("gamma shape 0", "shape"), ("gamma shape -1", "shape"), ("gamma shape nan", "shape"), ("gamma shape inf", "shape"),
        ("gamma scale 0", "scale"), ("beta alpha 0", "alpha"), ("beta beta -2", "beta"),
        ("normal sd -1", "standardDeviation"), ("normal mean nan", "mean"), ("exponential rate 0", "rate"),
        ("poisson -1", "mean"), ("poisson 1e16", "mean"), ("poisson nan", "mean"), ("bernoulli 1.5", "probability"),
        ("bernoulli nan", "probability"), ("int 0", "upperBound"), ("sample 5 of 3", "count"), ("sample -1 of 3", "count"),
        ("sample 0 of -1", "population"),
    ])
    func invalidParametersThrowTypedErrors(call: String, name: String) {
        var g = SeededGenerator(seed: 27)
        let error = failure { () throws -> Any in
            switch call {
            case "gamma shape 0": return try g.nextGamma(shape: 0)
            case "gamma shape -1": return try g.nextGamma(shape: -1)
            case "gamma shape nan": return try g.nextGamma(shape: .nan)
            case "gamma shape inf": return try g.nextGamma(shape: .infinity)
            case "gamma scale 0": return try g.nextGamma(shape: 1, scale: 0)
            case "beta alpha 0": return try g.nextBeta(alpha: 0, beta: 1)
            case "beta beta -2": return try g.nextBeta(alpha: 1, beta: -2)
            case "normal sd -1": return try g.nextNormal(mean: 0, standardDeviation: -1)
            case "normal mean nan": return try g.nextNormal(mean: .nan, standardDeviation: 1)
            case "exponential rate 0": return try g.nextExponential(rate: 0)
            case "poisson -1": return try g.nextPoisson(mean: -1)
            case "poisson 1e16": return try g.nextPoisson(mean: 1e16)
            case "poisson nan": return try g.nextPoisson(mean: .nan)
            case "bernoulli 1.5": return try g.nextBernoulli(probability: 1.5)
            case "bernoulli nan": return try g.nextBernoulli(probability: .nan)
            case "int 0": return try g.nextInt(below: 0)
            case "sample 5 of 3": return try g.sampleIndices(5, from: 3)
            case "sample -1 of 3": return try g.sampleIndices(-1, from: 3)
            default: return try g.sampleIndices(0, from: -1)
            }
        }
        guard case .invalidParameter(let errorName, _, let expected)? = error else {
            Issue.record("\(call): expected invalidParameter, got \(String(describing: error))")
            return
        }
        #expect(errorName == name)
        #expect(!expected.isEmpty)
    }

    @Test(arguments: [[Double](), [-1, 2], [0, 0], [.nan, 1], [.infinity, 1], [.greatestFiniteMagnitude, .greatestFiniteMagnitude]])
    func invalidWeightsThrowTypedErrors(weights: [Double]) {
        var g = SeededGenerator(seed: 28)
        let error = failure { try g.nextCategorical(weights: weights) }
        guard case .invalidWeights(let reason)? = error else {
            Issue.record("expected invalidWeights for \(weights), got \(String(describing: error))")
            return
        }
        #expect(!reason.isEmpty)
    }
}
