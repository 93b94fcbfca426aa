import AttuneCore
import Foundation
import Linalg
import Testing

@testable import Segmentation

@Suite("k-means")
struct KMeansTests {
    @Test("Recovers a separable Gaussian mixture", arguments: [(UInt64(11), 4, 5), (12, 6, 3), (13, 3, 16)])
    func separableMixture(seed: UInt64, k: Int, d: Int) throws {
        let (x, truth) = EventFixtures.mixture(n: 600, k: k, d: d, separation: 8, seed: seed)
        var rng = SeededGenerator(seed: seed)
        let model = try KMeans(.init(k: k, initializations: 4)).fit(x, using: &rng)
        let labels = try model.assign(x)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, labels) >= 0.95)
        #expect(model.sizes.reduce(0, +) == 600)
    }

    @Test("k-means++ seeding chooses the same centres as a naive implementation", arguments: [UInt64(1), 2, 3, 4])
    func seedingMatchesNaive(seed: UInt64) throws {
        let (x, _) = EventFixtures.mixture(n: 80, k: 5, d: 3, separation: 3, seed: seed)
        for k in [1, 2, 5, 9] {
            var a = SeededGenerator(seed: seed * 100 + UInt64(k))
            var b = a
            let fast = KMeans.seedIndices(x, k: k, using: &a)
            let naive = try NaiveReferences.kMeansPlusPlus(x, k: k, generator: &b)
            #expect(fast == naive)
            #expect(Set(fast).count == k)
        }
    }

    @Test("Blocked gemm assignment agrees with direct distances")
    func gemmAssignment() throws {
        let (x, _) = EventFixtures.mixture(n: 5_000, k: 7, d: 6, separation: 2, seed: 5)
        var rng = SeededGenerator(seed: 5)
        let centres = try Matrix(rows: 7, columns: 6, elements: (0..<42).map { _ in rng.nextStandardNormal() * 2 })
        let model = KMeans.Model(centres: centres, inertia: 0, iterations: 0, sizes: [])
        let (labels, distances) = try model.assignWithDistances(x)
        #expect(labels == NaiveReferences.nearest(x, centres: centres))
        for i in stride(from: 0, to: 5_000, by: 97) {
            let exact = NaiveReferences.distance2(x, i, centres.row(labels[i]).elements)
            #expect(abs(distances[i] - exact) <= 1e-9 * max(1, exact))
        }
    }

    @Test("The fit is a Lloyd fixed point and its inertia is exact")
    func fixedPoint() throws {
        let (x, _) = EventFixtures.mixture(n: 400, k: 3, d: 4, separation: 4, seed: 21)
        var rng = SeededGenerator(seed: 21)
        let model = try KMeans(.init(k: 3, initializations: 3, tolerance: 0)).fit(x, using: &rng)
        let labels = try model.assign(x)
        var inertia = 0.0
        for c in 0..<3 {
            let members = (0..<400).filter { labels[$0] == c }
            #expect(members.count == model.sizes[c])
            for j in 0..<4 {
                let mean = members.reduce(0) { $0 + x[$1, j] } / Double(members.count)
                #expect(abs(mean - model.centres[c, j]) < 1e-9)
            }
            inertia += members.reduce(0) { $0 + NaiveReferences.distance2(x, $1, model.centres.row(c).elements) }
        }
        #expect(abs(inertia - model.inertia) <= 1e-9 * inertia)
    }

    @Test("Same seed, same model, whatever the parallelism; the model survives JSON")
    func determinism() throws {
        let (x, _) = EventFixtures.mixture(n: 300, k: 4, d: 3, separation: 2, seed: 3)
        var r1 = SeededGenerator(seed: 99), r2 = SeededGenerator(seed: 99), r3 = SeededGenerator(seed: 99)
        let a = try KMeans(.init(k: 4, initializations: 6, parallelism: 1)).fit(x, using: &r1)
        let b = try KMeans(.init(k: 4, initializations: 6, parallelism: 2)).fit(x, using: &r2)
        let c = try KMeans(.init(k: 4, initializations: 1, parallelism: 1)).fit(x, using: &r3)
        #expect(a == b)
        // Run 0 of the six draws from the same child stream as the single run: never worse.
        #expect(a.inertia <= c.inertia)
        let decoded = try JSONDecoder().decode(KMeans.Model.self, from: JSONEncoder().encode(a))
        #expect(decoded == a)
        #expect(try decoded.assign(x) == a.assign(x))
    }

    @Test("Metrics are invariant under label permutation")
    func permutationInvariance() throws {
        let (x, truth) = EventFixtures.mixture(n: 300, k: 4, d: 3, separation: 2, seed: 8)
        var rng = SeededGenerator(seed: 8)
        let labels = try KMeans(.init(k: 4, initializations: 2)).fit(x, using: &rng).assign(x)
        let permutation = [2, 0, 3, 1]
        let permuted = labels.map { permutation[$0] + 10 }
        #expect(try ClusterMetrics.adjustedRandIndex(truth, labels) == ClusterMetrics.adjustedRandIndex(truth, permuted))
        #expect(try ClusterMetrics.adjustedRandIndex(labels, permuted) == 1)
        var s1 = SeededGenerator(seed: 1), s2 = SeededGenerator(seed: 1)
        #expect(try ClusterMetrics.silhouette(x, labels: labels, sampleSize: 100, using: &s1)
            == ClusterMetrics.silhouette(x, labels: permuted, sampleSize: 100, using: &s2))
        let db1 = try ClusterMetrics.daviesBouldin(x, labels: labels)
        let db2 = try ClusterMetrics.daviesBouldin(x, labels: permuted)
        #expect(abs(db1 - db2) <= 1e-12 * db1)
    }

    @Test("ARI, silhouette and Davies–Bouldin on hand-checked cases")
    func metricValues() throws {
        #expect(abs(try ClusterMetrics.adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4.0 / 7) < 1e-15)
        #expect(try ClusterMetrics.adjustedRandIndex([0, 1, 0, 1], [0, 0, 1, 1]) < 0)
        // Two points per cluster at 0,1 and 10,11 on a line.
        let x = try Matrix(rows: 4, columns: 1, elements: [0, 1, 10, 11])
        var rng = SeededGenerator(seed: 1)
        let s = try ClusterMetrics.silhouette(x, labels: [0, 0, 1, 1], using: &rng)
        // a = 1 for every point; b = 9.5, 10.5, 10.5, 9.5 → s = 8.5/9.5, 9.5/10.5, …
        #expect(abs(s - (2 * (8.5 / 9.5) + 2 * (9.5 / 10.5)) / 4) < 1e-12)
        // S = 0.5 each, centroid distance 10 → DB = 0.1.
        #expect(abs(try ClusterMetrics.daviesBouldin(x, labels: [0, 0, 1, 1]) - 0.1) < 1e-12)
    }

    @Test("Silhouette selects the true k of a separable mixture")
    func selectK() throws {
        let (x, _) = EventFixtures.mixture(n: 300, k: 3, d: 4, separation: 10, seed: 4)
        var rng = SeededGenerator(seed: 4)
        let selection = try KMeans.selectK(x, candidates: 2...6, configuration: .init(k: 2, initializations: 2), sampleSize: 200, using: &rng)
        #expect(selection.k == 3)
        #expect(selection.scores.map(\.k) == [2, 3, 4, 5, 6])
    }

    @Test("Bad configurations and inputs are refused")
    func badInput() throws {
        #expect(throws: SegmentationError.self) { try KMeans.Configuration(k: 0) }
        #expect(throws: SegmentationError.self) { try KMeans.Configuration(k: 2, initializations: 0) }
        #expect(throws: SegmentationError.self) { try KMeans.Configuration(k: 2, tolerance: -1) }
        var rng = SeededGenerator(seed: 1)
        let tiny = try Matrix(rows: 2, columns: 2, elements: [0, 1, 2, 3])
        #expect(throws: SegmentationError.self) { try KMeans(.init(k: 3)).fit(tiny, using: &rng) }
        let bad = try Matrix(rows: 3, columns: 1, elements: [0, .nan, 1])
        #expect(throws: SegmentationError.nonFiniteValue(row: 1, column: 0)) { try KMeans(.init(k: 2)).fit(bad, using: &rng) }
    }
}

@Suite("Mini-batch k-means")
struct MiniBatchKMeansTests {
    @Test("Recovers a separable mixture with an inertia close to full k-means")
    func separable() throws {
        let (x, truth) = EventFixtures.mixture(n: 3_000, k: 5, d: 4, separation: 8, seed: 31)
        var r1 = SeededGenerator(seed: 31), r2 = SeededGenerator(seed: 31)
        let mini = try MiniBatchKMeans(.init(k: 5, batchSize: 128, iterations: 60, seedingSample: 500)).fit(x, using: &r1)
        let full = try KMeans(.init(k: 5, initializations: 3)).fit(x, using: &r2)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, mini.assign(x)) >= 0.95)
        #expect(mini.inertia <= full.inertia * 1.02)
        #expect(mini.sizes.reduce(0, +) == 3_000)
    }

    @Test("A stream of partial fits is exactly the sequential centre update")
    func partialFit() throws {
        let (x, _) = EventFixtures.mixture(n: 200, k: 3, d: 2, separation: 5, seed: 2)
        let method = MiniBatchKMeans(try .init(k: 3, seedingSample: 200))
        var rng = SeededGenerator(seed: 2)
        var state = try method.initialState(from: x, using: &rng)
        var centres = (0..<3).map { state.centres.row($0).elements }
        var counts = [0, 0, 0]
        for start in stride(from: 0, to: 200, by: 50) {
            let batch = try Matrix(rows: 50, columns: 2, elements: Array(x.elements[(start * 2)..<((start + 50) * 2)]))
            // Reference: assignments against the centres before the batch, then running means.
            let before = try Matrix(rowArrays: centres)
            let labels = NaiveReferences.nearest(batch, centres: before)
            for (i, c) in labels.enumerated() {
                counts[c] += 1
                for j in 0..<2 { centres[c][j] += (batch[i, j] - centres[c][j]) / Double(counts[c]) }
            }
            try method.partialFit(batch, state: &state)
        }
        #expect(state.counts == counts)
        for c in 0..<3 { for j in 0..<2 { #expect(abs(state.centres[c, j] - centres[c][j]) < 1e-12) } }
    }
}

@Suite("k-means with Hamerly's bounds")
struct HamerlyTests {
    @Test("Reaches the same fixed point as plain Lloyd from the same seeds", arguments: [(UInt64(1), 5), (2, 9), (3, 2)])
    func sameAsLloyd(seed: UInt64, k: Int) throws {
        // Overlapping clusters: many iterations, so the bounds are exercised.
        let (x, _) = EventFixtures.mixture(n: 1_500, k: 6, d: 3, separation: 1.5, seed: seed)
        var a = SeededGenerator(seed: seed), b = SeededGenerator(seed: seed)
        let lloyd = try KMeans(.init(k: k, initializations: 2, tolerance: 0, algorithm: .lloyd)).fit(x, using: &a)
        let hamerly = try KMeans(.init(k: k, initializations: 2, tolerance: 0, algorithm: .hamerly)).fit(x, using: &b)
        #expect(lloyd.iterations > 5)
        #expect(hamerly.iterations == lloyd.iterations)
        #expect(try hamerly.assign(x) == lloyd.assign(x))
        for (u, v) in zip(hamerly.centres.elements, lloyd.centres.elements) { #expect(abs(u - v) < 1e-9) }
        #expect(abs(hamerly.inertia - lloyd.inertia) <= 1e-9 * lloyd.inertia)
    }
}

@Suite("Choosing k by the gap statistic")
struct GapStatisticTests {
    /// Two groups close together and a third far away: the silhouette merges the close pair.
    static func nestedGroups(seed: UInt64) throws -> (Matrix, [Int]) {
        var rng = SeededGenerator(seed: seed)
        let centres: [[Double]] = [[0, 0, 0, 0], [6, 0, 0, 0], [60, 0, 0, 0]]
        var elements: [Double] = []
        var labels: [Int] = []
        for i in 0..<240 {
            let c = i % 3
            labels.append(c)
            elements += centres[c].map { $0 + rng.nextStandardNormal() }
        }
        return (try Matrix(rows: 240, columns: 4, elements: elements), labels)
    }

    @Test("Nested groups: the gap keeps the close pair apart where the silhouette merges it")
    func nested() throws {
        let (x, truth) = try Self.nestedGroups(seed: 3)
        var rng = SeededGenerator(seed: 3)
        let selection = try KMeans.selectK(x, candidates: 2...6, configuration: .init(k: 2, initializations: 3), using: &rng)
        #expect(selection.silhouetteK == 2)
        #expect(selection.k == 3)
        let labels = try KMeans(.init(k: selection.k, initializations: 3)).fit(x, using: &rng).assign(x)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, labels) >= 0.95)
    }

    @Test("A separable mixture's k is recovered", arguments: [(UInt64(41), 3), (42, 5)])
    func separable(seed: UInt64, k: Int) throws {
        let (x, _) = EventFixtures.mixture(n: 300, k: k, d: 5, separation: 8, seed: seed)
        var rng = SeededGenerator(seed: seed)
        let gap = try KMeans.gapStatistic(x, candidates: 2...7, configuration: .init(k: 2, initializations: 2), using: &rng)
        #expect(gap.k == k)
        #expect(gap.scores.map(\.k) == Array(2...7))
        #expect(gap.scores.allSatisfy { $0.standardError > 0 && $0.gap.isFinite })
    }

    @Test("Too few references is refused")
    func badReferences() throws {
        let (x, _) = EventFixtures.mixture(n: 30, k: 2, d: 2, separation: 8, seed: 1)
        var rng = SeededGenerator(seed: 1)
        #expect(throws: SegmentationError.self) {
            try KMeans.gapStatistic(x, candidates: 2...3, configuration: .init(k: 2), references: 1, using: &rng)
        }
    }
}
