import AttuneCore
import Foundation
import Linalg
import Testing

@testable import Segmentation

@Suite("Decision-tree rules")
struct DecisionTreeTests {
    static func uniform(n: Int, d: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        var x = Matrix(rows: n, columns: d)
        for i in 0..<(n * d) { x.elements[i] = (rng.nextUniform() * 1000).rounded() / 1000 }
        return x
    }

    static func satisfies(_ clause: [FeatureBound], _ x: Matrix, _ row: Int, _ names: [String]) -> Bool {
        clause.allSatisfy { b in
            guard let j = names.firstIndex(of: b.feature) else { return false }
            let v = x[row, j]
            return (b.lower.map { v > $0 } ?? true) && (b.upper.map { v <= $0 } ?? true)
        }
    }

    @Test("An axis-aligned truth is recovered with fidelity 1 and readable rules")
    func axisAligned() throws {
        let x = Self.uniform(n: 2_000, d: 3, seed: 1)
        let labels = (0..<2_000).map { i in x[i, 0] <= 0.3 ? 0 : (x[i, 1] > 0.5 ? 1 : 2) }
        let names = ["recency_days", "aov", "noise"]
        let tree = try DecisionTree(.init(maximumDepth: 2)).fit(x, labels: labels)
        let rules = try tree.rules(featureNames: names, x: x, labels: labels, segmentCount: 3)
        #expect(rules.fidelity == 1)
        #expect(rules.rules[0].description.hasPrefix("recency_days ≤ 0.3"))
        #expect(rules.rules[1].description.contains("aov > 0.5"))
        #expect(rules.rules.allSatisfy { $0.precision == 1 && $0.recall == 1 })
    }

    @Test("Fidelity and precision are recomputed honestly, and the rules partition the rows", arguments: [UInt64(2), 3])
    func honestFidelity(seed: UInt64) throws {
        let (x, truth) = EventFixtures.mixture(n: 900, k: 5, d: 4, separation: 1.2, seed: seed)
        let names = ["a", "b", "c", "d"]
        let tree = try DecisionTree(.init(maximumDepth: 3, minimumLeafSize: 5)).fit(x, labels: truth)
        let rules = try tree.rules(featureNames: names, x: x, labels: truth, segmentCount: 5)
        var agree = 0
        for i in 0..<900 {
            let matching = rules.rules.filter { r in r.clauses.contains { Self.satisfies($0, x, i, names) } }
            #expect(matching.count == 1)
            if matching.first?.segment == truth[i] { agree += 1 }
        }
        #expect(abs(rules.fidelity - Double(agree) / 900) < 1e-15)
        #expect(rules.fidelity < 1)  // overlapping clusters: a depth-3 tree cannot be perfect
        #expect(tree.depth <= 3)
    }

    @Test("The root split is the best Gini split found by brute force")
    func rootSplitIsOptimal() throws {
        let x = Self.uniform(n: 150, d: 3, seed: 5)
        var rng = SeededGenerator(seed: 5)
        let labels = (0..<150).map { i in (x[i, 1] > 0.4 ? 1 : 0) ^ (rng.nextUniform() < 0.2 ? 1 : 0) + (x[i, 2] > 0.8 ? 2 : 0) }
        let tree = try DecisionTree(.init(maximumDepth: 1)).fit(x, labels: labels)
        func weightedGini(_ feature: Int, _ threshold: Double) -> Double {
            var sides = [[Int: Int](), [Int: Int]()]
            for i in 0..<150 { sides[x[i, feature] <= threshold ? 0 : 1][labels[i], default: 0] += 1 }
            return sides.reduce(0) { total, side in
                let m = Double(side.values.reduce(0, +))
                guard m > 0 else { return total }
                return total + m * (1 - side.values.reduce(0) { $0 + Double($1) * Double($1) } / (m * m))
            }
        }
        var best = Double.infinity
        for f in 0..<3 {
            for i in 0..<150 { best = min(best, weightedGini(f, x[i, f])) }
        }
        let root = tree.nodes[0]
        #expect(root.feature >= 0)
        #expect(abs(weightedGini(root.feature, root.threshold) - best) < 1e-9)
    }

    @Test("On enough rows for the parallel split search and partition, every split of a depth-2 tree is the best Gini split")
    func parallelSplitsAreOptimal() throws {
        let n = 12_000, d = 5
        let x = Self.uniform(n: n, d: d, seed: 9)
        var rng = SeededGenerator(seed: 9)
        let labels = (0..<n).map { i in ((x[i, 3] > 0.3 ? 1 : 0) + (x[i, 1] > 0.6 ? 1 : 0)) ^ (rng.nextUniform() < 0.1 ? 1 : 0) }
        let tree = try DecisionTree(.init(maximumDepth: 2)).fit(x, labels: labels)
        func squares(_ counts: [Int: Int]) -> Double { counts.values.reduce(0) { $0 + Double($1) * Double($1) } }
        func weightedGini(_ rows: [Int], _ feature: Int, _ threshold: Double) -> Double {
            var sides = [[Int: Int](), [Int: Int]()]
            for i in rows { sides[x[i, feature] <= threshold ? 0 : 1][labels[i], default: 0] += 1 }
            return sides.reduce(0) { total, side in
                let m = Double(side.values.reduce(0, +))
                return m > 0 ? total + m - squares(side) / m : total
            }
        }
        // Brute force by a sorted sweep per feature over every boundary between distinct values.
        func best(_ rows: [Int]) -> Double {
            var result = Double.infinity
            var all = [Int: Int]()
            for i in rows { all[labels[i], default: 0] += 1 }
            for f in 0..<d {
                let sorted = rows.sorted { x[$0, f] < x[$1, f] }
                var left = [Int: Int](), right = all
                for (k, i) in sorted.enumerated().dropLast() {
                    left[labels[i], default: 0] += 1
                    right[labels[i], default: 0] -= 1
                    guard x[i, f] < x[sorted[k + 1], f] else { continue }
                    let nl = Double(k + 1), nr = Double(rows.count - k - 1)
                    result = min(result, nl - squares(left) / nl + nr - squares(right) / nr)
                }
            }
            return result
        }
        let root = tree.nodes[0]
        let all = Array(0..<n)
        #expect(root.feature >= 0)
        #expect(abs(weightedGini(all, root.feature, root.threshold) - best(all)) < 1e-6)
        let sides = [all.filter { x[$0, root.feature] <= root.threshold }, all.filter { x[$0, root.feature] > root.threshold }]
        for (child, rows) in zip([root.left, root.right], sides) {
            let node = tree.nodes[child]
            #expect(node.samples == rows.count)
            guard node.feature >= 0 else { continue }
            #expect(abs(weightedGini(rows, node.feature, node.threshold) - best(rows)) < 1e-6)
        }
    }

    @Test("Bad tree inputs are refused")
    func badInput() throws {
        #expect(throws: SegmentationError.self) { try DecisionTree.Configuration(maximumDepth: 0) }
        let x = try Matrix(rows: 2, columns: 1, elements: [0, 1])
        #expect(throws: SegmentationError.self) { try DecisionTree(.init()).fit(x, labels: [0]) }
        #expect(throws: SegmentationError.self) { try DecisionTree(.init()).fit(x, labels: [0, -1]) }
    }
}

@Suite("DBSCAN")
struct DBSCANTests {
    static func blobsWithNoise(seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        var rows: [[Double]] = []
        for c in 0..<3 {
            for _ in 0..<80 { rows.append([Double(c) * 6 + rng.nextStandardNormal() * 0.7, rng.nextStandardNormal() * 0.7, rng.nextUniform()]) }
        }
        for _ in 0..<40 { rows.append([rng.nextUniform() * 20 - 3, rng.nextUniform() * 10 - 5, rng.nextUniform()]) }
        return (try? Matrix(rowArrays: rows)) ?? Matrix(rows: 0, columns: 3)
    }

    @Test("k-d tree DBSCAN gives exactly the brute-force O(n²) labels", arguments: [(UInt64(1), 0.8, 5), (2, 0.5, 4), (3, 1.2, 10), (4, 0.3, 1)])
    func matchesBruteForce(seed: UInt64, epsilon: Double, minimumPoints: Int) throws {
        let x = Self.blobsWithNoise(seed: seed)
        let model = try DBSCAN(.init(epsilon: epsilon, minimumPoints: minimumPoints)).fit(x)
        #expect(model.labels == NaiveReferences.dbscan(x, epsilon: epsilon, minimumPoints: minimumPoints))
    }

    @Test("Touching blobs in 4-d over a hundred leaves: the brute-force labels whatever the thread count")
    func touchingBlobs() throws {
        var rng = SeededGenerator(seed: 11)
        var rows: [[Double]] = []
        for i in 0..<1_200 {
            let c = Double(i % 3) * 2.2
            rows.append([c + rng.nextStandardNormal() * 0.6, rng.nextStandardNormal() * 0.6, rng.nextStandardNormal() * 0.3, rng.nextUniform()])
        }
        for _ in 0..<100 { rows.append([rng.nextUniform() * 10 - 3, rng.nextUniform() * 6 - 3, rng.nextUniform() * 2 - 1, rng.nextUniform()]) }
        let x = try Matrix(rowArrays: rows)
        let expected = NaiveReferences.dbscan(x, epsilon: 0.35, minimumPoints: 6)
        #expect(Set(expected).count > 3)  // several clusters and noise: the ordering rules matter
        for threads in [1, 2, 3] {
            let model = try DBSCAN(.init(epsilon: 0.35, minimumPoints: 6, parallelism: threads)).fit(x)
            #expect(model.labels == expected)
        }
    }

    @Test("k-d tree radius queries equal a linear scan")
    func kdTree() {
        let x = Self.blobsWithNoise(seed: 7)
        let tree = KDTree(x)
        for q in stride(from: 0, to: x.rows, by: 13) {
            var found: [Int] = []
            tree.forEachNeighbour(of: q, in: x, radius: 1.5) { found.append($0) }
            let expected = (0..<x.rows).filter { NaiveReferences.distance2(x, $0, x.row(q).elements) <= 2.25 }
            #expect(found.sorted() == expected)
        }
    }

    /// New rows join the cluster of the nearest core point within epsilon (the last of equally
    /// near ones), as a scan of every core point decides; also after a JSON round trip,
    /// which rebuilds the index. Queries include core points themselves, their copies and
    /// points exactly epsilon away along an axis.
    @Test("Assignment through the core points' k-d tree equals a scan of every core point", arguments: [(UInt64(1), 0.8, 5), (2, 0.5, 4), (3, 1.2, 10)])
    func assignMatchesAScan(seed: UInt64, epsilon: Double, minimumPoints: Int) throws {
        let x = Self.blobsWithNoise(seed: seed)
        let model = try DBSCAN(.init(epsilon: epsilon, minimumPoints: minimumPoints)).fit(x)
        var rng = SeededGenerator(seed: seed + 100)
        var queries: [[Double]] = []
        for _ in 0..<400 { queries.append([rng.nextUniform() * 20 - 3, rng.nextUniform() * 10 - 5, rng.nextUniform()]) }
        for c in stride(from: 0, to: model.corePoints.rows, by: 7) {
            let core = model.corePoints.row(c).elements
            queries.append(core)
            queries.append([core[0] + epsilon, core[1], core[2]])
        }
        let q = try Matrix(rowArrays: queries)
        var expected: [Int] = []
        for row in queries {
            var best = epsilon * epsilon, label = -1
            for c in 0..<model.corePoints.rows {
                let v = NaiveReferences.distance2(model.corePoints, c, row)
                if v <= best { best = v; label = model.coreLabels[c] }
            }
            expected.append(label)
        }
        #expect(try model.assign(q) == expected)
        #expect(expected.filter { $0 >= 0 }.count > queries.count / 10 && expected.contains(-1))
        let decoded = try JSONDecoder().decode(DBSCAN.Model.self, from: JSONEncoder().encode(model))
        #expect(decoded == model)
        #expect(try decoded.assign(q) == expected)
    }

    @Test("Finds the three blobs; core points assign to their own cluster")
    func blobs() throws {
        let x = Self.blobsWithNoise(seed: 1)
        let model = try DBSCAN(.init(epsilon: 0.8, minimumPoints: 5)).fit(x)
        #expect(model.segmentCount == 3)
        let truth = (0..<280).map { $0 < 240 ? $0 / 80 : -1 }
        let clustered = (0..<240).filter { model.labels[$0] >= 0 }
        #expect(clustered.count > 200)
        #expect(try ClusterMetrics.adjustedRandIndex(clustered.map { truth[$0] }, clustered.map { model.labels[$0] }) == 1)
        #expect(try model.assign(model.corePoints) == model.coreLabels)
        #expect(throws: SegmentationError.self) { try DBSCAN.Configuration(epsilon: 0) }
    }
}
