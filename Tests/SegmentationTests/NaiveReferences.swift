import AttuneCore
import Foundation
import Linalg

@testable import Segmentation

/// Textbook implementations used as references: slow, obvious, independent of the
/// optimised code paths (no gemm, no incremental state, no spatial index).
enum NaiveReferences {
    static func distance2(_ x: Matrix, _ i: Int, _ c: [Double]) -> Double {
        var s = 0.0
        for j in 0..<x.columns {
            let t = x[i, j] - c[j]
            s += t * t
        }
        return s
    }

    /// Greedy k-means++ recomputing every point's nearest-centre distance from scratch at
    /// every step, drawing from the generator exactly as specified.
    static func kMeansPlusPlus(_ x: Matrix, k: Int, generator: inout SeededGenerator) throws -> [Int] {
        let n = x.rows
        let trials = 2 + Int(log(Double(k)))
        var chosen = [try generator.nextInt(below: n)]
        func potentialWeights(_ centres: [Int]) -> [Double] {
            (0..<n).map { i in centres.map { distance2(x, i, x.row($0).elements) }.min() ?? 0 }
        }
        while chosen.count < k {
            let weights = potentialWeights(chosen)
            let total = weights.reduce(0, +)
            var best = (potential: Double.infinity, index: -1)
            for _ in 0..<trials {
                let target = generator.nextUniform() * total
                var cumulative = 0.0
                var index = 0
                for i in 0..<n where weights[i] > 0 {
                    cumulative += weights[i]
                    index = i
                    if cumulative > target { break }
                }
                let potential = potentialWeights(chosen + [index]).reduce(0, +)
                if potential < best.potential { best = (potential, index) }
            }
            chosen.append(best.index)
        }
        return chosen
    }

    /// Nearest centre by direct distances.
    static func nearest(_ x: Matrix, centres: Matrix) -> [Int] {
        (0..<x.rows).map { i in
            var best = 0
            var bestValue = Double.infinity
            for c in 0..<centres.rows {
                let v = distance2(x, i, centres.row(c).elements)
                if v < bestValue {
                    bestValue = v
                    best = c
                }
            }
            return best
        }
    }

    /// DBSCAN over the full O(n²) distance matrix, visiting points in index order.
    static func dbscan(_ x: Matrix, epsilon: Double, minimumPoints: Int) -> [Int] {
        let n = x.rows
        let neighbours: [[Int]] = (0..<n).map { i in
            (0..<n).filter { distance2(x, $0, x.row(i).elements) <= epsilon * epsilon }
        }
        var labels = [Int](repeating: -2, count: n)
        var cluster = 0
        for i in 0..<n where labels[i] == -2 {
            guard neighbours[i].count >= minimumPoints else {
                labels[i] = -1
                continue
            }
            labels[i] = cluster
            var queue = neighbours[i]
            var head = 0
            while head < queue.count {
                let j = queue[head]
                head += 1
                if labels[j] == -1 { labels[j] = cluster }
                guard labels[j] == -2 else { continue }
                labels[j] = cluster
                if neighbours[j].count >= minimumPoints { queue += neighbours[j] }
            }
            cluster += 1
        }
        return labels
    }
}
