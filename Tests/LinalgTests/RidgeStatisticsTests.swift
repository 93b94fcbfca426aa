import Foundation
import Linalg
import Testing
import _AttuneTestSupport

/// A reproducible stream of (context, reward, weight) observations.
private struct Stream {
    var contexts: [Vector]
    var rewards: [Double]
    var weights: [Double]

    init(dimension d: Int, count: Int, seed: UInt64, weighted: Bool = false) {
        let truth = LinalgFixtures.vector(d, seed: seed &+ 1)
        let xs = (0..<count).map { LinalgFixtures.vector(d, seed: seed &* 1_000 &+ UInt64($0)) }
        let noise = LinalgFixtures.normals(count, seed: seed &+ 2)
        contexts = xs
        rewards = xs.indices.map { i in
            zip(xs[i].elements, truth.elements).reduce(0) { $0 + $1.0 * $1.1 } + 0.1 * noise[i]
        }
        weights = weighted ? xs.indices.map { 0.5 + Double($0 % 3) } : Array(repeating: 1, count: count)
    }

    func feed(_ stats: inout RidgeStatistics, range: Range<Int>? = nil) throws {
        for i in range ?? contexts.indices {
            try stats.update(with: contexts[i], reward: rewards[i], weight: weights[i])
        }
    }

    /// `λI + Σ γ^(t−s) w x xᵀ` and `Σ γ^(t−s) w r x` by explicit sums.
    func explicitSums(dimension d: Int, ridge: Double, forgetting gamma: Double, range: Range<Int>) -> (Matrix, Vector) {
        var a = Matrix(rows: d, columns: d)
        var b = Vector(count: d)
        for i in 0..<d { a[i, i] = ridge }
        let t = range.upperBound - 1
        for s in range {
            let discount = pow(gamma, Double(t - s)) * weights[s]
            a = NaiveLinearAlgebra.ger(a, alpha: discount, contexts[s], contexts[s])
            for i in 0..<d { b[i] += discount * rewards[s] * contexts[s][i] }
        }
        return (a, b)
    }
}

/// `θ + s·y` where `Lᵀ y = z` and `L` is the naive Cholesky factor of the precision.
private func expectedDraw(_ stats: RidgeStatistics, scale: Double, _ z: Vector) throws -> Vector {
    let l = try #require(NaiveLinearAlgebra.cholesky(stats.precision))
    let y = NaiveLinearAlgebra.triangularSolve(l, lower: true, transpose: true, z)
    var expected = stats.coefficients
    for i in 0..<stats.dimension { expected[i] += scale * y[i] }
    return expected
}

@Suite("RidgeStatistics")
struct RidgeStatisticsTests {
    @Test("empty statistics are the prior", arguments: [1, 3, 8])
    func prior(d: Int) throws {
        let stats = try RidgeStatistics(dimension: d, ridge: 2.5)
        var a = Matrix(rows: d, columns: d), ainv = Matrix(rows: d, columns: d)
        for i in 0..<d { a[i, i] = 2.5; ainv[i, i] = 1 / 2.5 }
        #expect(stats.precision == a)
        #expect(stats.inverse == ainv)
        #expect(stats.coefficients == Vector(count: d))
        #expect(stats.count == 0)
        #expect(abs(try stats.variance(of: Vector(count: d, repeating: 1)) - Double(d) / 2.5) <= 1e-15 * Double(d))
    }

    @Test("statistics equal the explicit sums and a fresh solve", arguments: [1, 2, 5, 20])
    func matchesReference(d: Int) throws {
        let stream = Stream(dimension: d, count: 60, seed: UInt64(d), weighted: true)
        var stats = try RidgeStatistics(dimension: d, ridge: 0.7)
        try stream.feed(&stats)
        let (a, b) = stream.explicitSums(dimension: d, ridge: 0.7, forgetting: 1, range: 0..<60)
        #expect(stats.count == 60)
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.precision, a) <= 1e-12 * NaiveLinearAlgebra.maxAbs(a))
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.moment, b) <= 1e-12 * 60)
        let reference = try #require(NaiveLinearAlgebra.inverse(a))
        let cond = NaiveLinearAlgebra.conditionNumber(a)
        // 60 rank-one corrections, each adding O(ε·cond·d) relative error.
        let tolerance = 1e-15 * cond * Double(d) * 60
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.inverse, reference) <= tolerance * NaiveLinearAlgebra.maxAbs(reference))
        let theta = try #require(NaiveLinearAlgebra.solve(a, b))
        let thetaScale = max(1, theta.elements.map(abs).max() ?? 0)
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.coefficients, theta) <= tolerance * thetaScale)
        #expect(stats.precision == stats.precision.transposed())
        #expect(stats.inverse == stats.inverse.transposed())

        // Queries against their definitions.
        let x = LinalgFixtures.vector(d, seed: 99)
        let mean = zip(x.elements, theta.elements).reduce(0) { $0 + $1.0 * $1.1 }
        let quad = zip(x.elements, NaiveLinearAlgebra.gemv(reference, x).elements).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(try stats.mean(of: x) - mean) <= tolerance * thetaScale * Double(d))
        #expect(abs(try stats.variance(of: x) - quad) <= tolerance * max(1, quad) * Double(d))
    }

    @Test("Sherman–Morrison after 1,000 updates stays close to a fresh Cholesky inverse", arguments: [8, 40])
    func shermanMorrisonDrift(d: Int) throws {
        let stream = Stream(dimension: d, count: 1_000, seed: 7)
        var stats = try RidgeStatistics(dimension: d, ridge: 1)
        try stream.feed(&stats)
        var fresh = stats
        try fresh.refactor()
        let cond = NaiveLinearAlgebra.conditionNumber(stats.precision)
        // Each update adds O(ε·cond·d) relative error; the bound sums them over 1,000 updates.
        let tolerance = 1.1e-16 * cond * Double(d) * 1_000
        let scale = NaiveLinearAlgebra.maxAbs(fresh.inverse)
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.inverse, fresh.inverse) <= tolerance * scale)
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.coefficients, fresh.coefficients) <= tolerance * 10)
        // The refactored inverse really inverts the precision.
        let product = NaiveLinearAlgebra.gemm(stats.precision, fresh.inverse)
        #expect(NaiveLinearAlgebra.maxAbsDifference(product, Matrix.identity(d)) <= 1e-14 * cond * Double(d))
    }

    @Test("merging two shards equals one learner fed both streams", arguments: [1, 6, 24])
    func mergeIsExact(d: Int) throws {
        let stream = Stream(dimension: d, count: 300, seed: 11, weighted: true)
        var whole = try RidgeStatistics(dimension: d, ridge: 1.5)
        try stream.feed(&whole)
        var first = try RidgeStatistics(dimension: d, ridge: 1.5)
        var second = try RidgeStatistics(dimension: d, ridge: 1.5)
        try stream.feed(&first, range: 0..<120)
        try stream.feed(&second, range: 120..<300)
        try first.merge(second)
        #expect(first.count == 300)
        let scale = NaiveLinearAlgebra.maxAbs(whole.precision)
        #expect(NaiveLinearAlgebra.maxAbsDifference(first.precision, whole.precision) <= 1e-12 * scale)
        #expect(NaiveLinearAlgebra.maxAbsDifference(first.moment, whole.moment) <= 1e-12 * scale)
        #expect(NaiveLinearAlgebra.maxAbsDifference(first.coefficients, whole.coefficients) <= 1e-10)
        #expect(NaiveLinearAlgebra.maxAbsDifference(first.inverse, whole.inverse) <= 1e-10)
        // Four shards merged one after the other, as a trainer gathering replicas would.
        let bounds = [0, 50, 51, 200, 300]
        var shards: [RidgeStatistics] = []
        for s in 0..<4 {
            var shard = try RidgeStatistics(dimension: d, ridge: 1.5)
            try stream.feed(&shard, range: bounds[s]..<bounds[s + 1])
            shards.append(shard)
        }
        var gathered = shards[0]
        for shard in shards.dropFirst() { try gathered.merge(shard) }
        #expect(gathered.count == 300)
        #expect(NaiveLinearAlgebra.maxAbsDifference(gathered.precision, whole.precision) <= 1e-12 * scale)
        #expect(NaiveLinearAlgebra.maxAbsDifference(gathered.coefficients, whole.coefficients) <= 1e-10)
        // Merging empty statistics leaves the precision exactly as it was.
        let same = try whole.merging(try RidgeStatistics(dimension: d, ridge: 1.5))
        #expect(same.precision == whole.precision)
        #expect(same.moment == whole.moment)
    }

    @Test("forgetting equals the explicitly discounted sums, the prior kept between λ/2 and λ",
          arguments: [(1, 0.97), (4, 0.97), (12, 0.97), (5, 0.6), (3, 0.3)])
    func forgetting(d: Int, gamma: Double) throws {
        let stream = Stream(dimension: d, count: 150, seed: 5, weighted: true)
        var stats = try RidgeStatistics(dimension: d, ridge: 0.5, forgetting: gamma)
        // The prior's share: discounted with the data, restored to 1 before it drops below 1/2.
        var expectedScale = 1.0
        var restores = 0
        for i in 0..<150 {
            try stats.update(with: stream.contexts[i], reward: stream.rewards[i], weight: stream.weights[i])
            if gamma * expectedScale >= 0.5 { expectedScale *= gamma } else { expectedScale = 1; restores += 1 }
            #expect(stats.priorScale == expectedScale)
        }
        #expect(restores >= 150 / (Int((log(0.5) / log(gamma)).rounded(.up)) + 1))
        let (a, b) = stream.explicitSums(dimension: d, ridge: 0.5 * stats.priorScale, forgetting: gamma, range: 0..<150)
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.precision, a) <= 1e-12 * NaiveLinearAlgebra.maxAbs(a))
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.moment, b) <= 1e-12 * 150)
        #expect(stats.precision == stats.precision.transposed())
        #expect(stats.inverse == stats.inverse.transposed())
        // The inverse is the inverse of the stored precision, whichever path the last update took.
        let reference = try #require(NaiveLinearAlgebra.inverse(a))
        let cond = NaiveLinearAlgebra.conditionNumber(a)
        let tolerance = 1e-14 * cond * Double(d) * 50
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.inverse, reference) <= tolerance * NaiveLinearAlgebra.maxAbs(reference))
        let theta = try #require(NaiveLinearAlgebra.solve(a, b))
        #expect(NaiveLinearAlgebra.maxAbsDifference(stats.coefficients, theta) <= tolerance * 10)
        // Refactoring restores the whole prior: A = λI + Σ γ^(t−s) w x xᵀ exactly.
        var restored = stats
        try restored.refactor()
        #expect(restored.priorScale == 1)
        let (full, _) = stream.explicitSums(dimension: d, ridge: 0.5, forgetting: gamma, range: 0..<150)
        #expect(NaiveLinearAlgebra.maxAbsDifference(restored.precision, full) <= 1e-12 * NaiveLinearAlgebra.maxAbs(full))
        let fullInverse = try #require(NaiveLinearAlgebra.inverse(full))
        #expect(NaiveLinearAlgebra.maxAbsDifference(restored.inverse, fullInverse) <= tolerance * NaiveLinearAlgebra.maxAbs(fullInverse))
        // Merging with empty statistics gives the same full-prior precision.
        let merged = try stats.merging(try RidgeStatistics(dimension: d, ridge: 0.5, forgetting: gamma))
        #expect(NaiveLinearAlgebra.maxAbsDifference(merged.precision, full) <= 1e-12 * NaiveLinearAlgebra.maxAbs(full))
        // The discounted data weighs less than the same data at full weight.
        var plain = try RidgeStatistics(dimension: d, ridge: 0.5)
        try stream.feed(&plain)
        #expect(stats.precision[0, 0] < plain.precision[0, 0])
        #expect(stats.precision[0, 0] >= 0.25)
    }

    @Test("posterior draws are θ + s·L⁻ᵀz with A = LLᵀ", arguments: [1, 3, 16])
    func thompsonDraw(d: Int) throws {
        let stream = Stream(dimension: d, count: 40, seed: 3)
        var stats = try RidgeStatistics(dimension: d, ridge: 1)
        try stream.feed(&stats)
        let z = LinalgFixtures.normals(d, seed: 21)
        let draw = try stats.sampleCoefficients(scale: 0.3, normals: z)
        #expect(NaiveLinearAlgebra.maxAbsDifference(draw, try expectedDraw(stats, scale: 0.3, z)) <= 1e-12 * Double(d))
        // The cached factor is refreshed by the next update.
        try stats.update(with: stream.contexts[0], reward: 5)
        let again = try stats.sampleCoefficients(scale: 0.3, normals: z)
        #expect(NaiveLinearAlgebra.maxAbsDifference(again, try expectedDraw(stats, scale: 0.3, z)) <= 1e-12 * Double(d))
        // Scale 0 gives the mean.
        #expect(try stats.sampleCoefficients(scale: 0, normals: z) == stats.coefficients)
    }

    @Test("JSON round trip restores identical statistics; corrupt documents are rejected")
    func codable() throws {
        let stream = Stream(dimension: 4, count: 25, seed: 8)
        var stats = try RidgeStatistics(dimension: 4, ridge: 1, forgetting: 0.99)
        try stream.feed(&stats)
        let data = try JSONEncoder().encode(stats)
        var restored = try JSONDecoder().decode(RidgeStatistics.self, from: data)
        #expect(restored == stats)
        // The restored copy keeps learning exactly like the original.
        try restored.update(with: stream.contexts[1], reward: 1)
        try stats.update(with: stream.contexts[1], reward: 1)
        #expect(restored == stats)

        #expect(stats.priorScale < 1)
        for (key, value) in [("moment", [1.0, 2.0] as Any), ("forgetting", 1.5), ("count", -1), ("ridge", 0.0), ("prior_scale", 0.1)] {
            var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            object[key] = value
            let bad = try JSONSerialization.data(withJSONObject: object)
            #expect(throws: DecodingError.self, "corrupt \(key)") { try JSONDecoder().decode(RidgeStatistics.self, from: bad) }
        }
    }

    // MARK: - Bad input

    enum BadUpdate: String, CaseIterable, Sendable {
        case nanContext, infiniteContext, nanReward, shortContext, longContext, negativeWeight, nanWeight, overflowingContext
    }

    @Test("bad updates throw the right error and change nothing", arguments: BadUpdate.allCases, [1.0, 0.9])
    func badUpdate(_ kind: BadUpdate, forgetting: Double) throws {
        var stats = try RidgeStatistics(dimension: 3, forgetting: forgetting)
        try stats.update(with: Vector([1, 2, 3]), reward: 1)
        let before = stats
        let error = #expect(throws: LinalgError.self) {
            switch kind {
            case .nanContext: try stats.update(with: Vector([1, .nan, 3]), reward: 1)
            case .infiniteContext: try stats.update(with: Vector([1, 2, -.infinity]), reward: 1)
            case .nanReward: try stats.update(with: Vector([1, 2, 3]), reward: .nan)
            case .shortContext: try stats.update(with: Vector([1, 2]), reward: 1)
            case .longContext: try stats.update(with: Vector([1, 2, 3, 4]), reward: 1)
            case .negativeWeight: try stats.update(with: Vector([1, 2, 3]), reward: 1, weight: -1)
            case .nanWeight: try stats.update(with: Vector([1, 2, 3]), reward: 1, weight: .nan)
            case .overflowingContext: try stats.update(with: Vector([1e200, 0, 0]), reward: 1)
            }
        }
        switch (kind, error) {
        case (.nanContext, .nonFinite(_, let index)?): #expect(index == 1)
        case (.infiniteContext, .nonFinite(_, let index)?): #expect(index == 2)
        case (.nanReward, .nonFinite(_, let index)?): #expect(index == 3)
        case (.overflowingContext, .nonFinite?): break
        case (.shortContext, .dimensionMismatch?), (.longContext, .dimensionMismatch?): break
        case (.negativeWeight, .invalidArgument?), (.nanWeight, .invalidArgument?): break
        default: Issue.record("unexpected error \(String(describing: error)) for \(kind)")
        }
        #expect(stats == before)
    }

    @Test("bad parameters throw invalidArgument", arguments: [
        (0, 1.0, 1.0), (-2, 1.0, 1.0), (3, 0.0, 1.0), (3, -1.0, 1.0), (3, .nan, 1.0),
        (3, 1.0, 0.0), (3, 1.0, 1.5), (3, 1.0, .infinity),
    ])
    func badParameters(d: Int, ridge: Double, forgetting: Double) {
        let error = #expect(throws: LinalgError.self) { try RidgeStatistics(dimension: d, ridge: ridge, forgetting: forgetting) }
        guard case .invalidArgument? = error else { Issue.record("expected invalidArgument, got \(String(describing: error))"); return }
    }

    @Test("merge and queries refuse statistics or inputs of another shape")
    func badMergeAndQueries() throws {
        var stats = try RidgeStatistics(dimension: 3, ridge: 1)
        #expect(throws: LinalgError.dimensionMismatch(operation: "RidgeStatistics.merge", expected: "dimension 3", actual: "dimension 4")) {
            try stats.merge(try RidgeStatistics(dimension: 4, ridge: 1))
        }
        let otherRidge = #expect(throws: LinalgError.self) { try stats.merge(try RidgeStatistics(dimension: 3, ridge: 2)) }
        if case .invalidArgument? = otherRidge {} else { Issue.record("expected invalidArgument for another ridge") }
        let otherForgetting = #expect(throws: LinalgError.self) { try stats.merge(try RidgeStatistics(dimension: 3, forgetting: 0.9)) }
        if case .invalidArgument? = otherForgetting {} else { Issue.record("expected invalidArgument for another forgetting") }
        #expect(throws: LinalgError.self) { try stats.mean(of: Vector([1, 2])) }
        #expect(throws: LinalgError.self) { try stats.variance(of: Vector([1, 2, 3, 4])) }
        #expect(throws: LinalgError.self) { _ = try stats.sampleCoefficients(scale: -1, normals: Vector([0, 0, 0])) }
        #expect(throws: LinalgError.self) { _ = try stats.sampleCoefficients(scale: 1, normals: Vector([0, .nan, 0])) }
        #expect(throws: LinalgError.self) { _ = try stats.sampleCoefficients(scale: 1, normals: Vector([0, 0])) }
    }
}
