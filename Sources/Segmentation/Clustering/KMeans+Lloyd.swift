import AttuneCore
import Linalg

// MARK: - Lloyd iterations

extension KMeans {
    /// One initialisation: k-means++ seeds, then Lloyd until the centre shift is at most
    /// `tolerance` (absolute, squared), the labels stop changing, or `maximumIterations`.
    ///
    /// An empty cluster is re-seeded at the point farthest from its centre, so `k` clusters
    /// always come back. The reported inertia is computed directly as `Σ ‖x − c‖²`, free
    /// of the cancellation of the gemm expansion, in the same pass as the last assignment.
    static func lloyd(
        _ x: Matrix, norms: [Double], k: Int, maximumIterations: Int, tolerance: Double,
        generator: inout SeededGenerator
    ) -> Model {
        let n = x.rows, d = x.columns
        let seeds = seedIndices(x, k: k, rowNorms: norms, using: &generator)
        var centres = [Double](repeating: 0, count: k * d)
        for (j, s) in seeds.enumerated() {
            for t in 0..<d { centres[j * d + t] = x.elements[s * d + t] }
        }
        var labels = [Int32](repeating: -1, count: n)
        var previous = [Int32](repeating: -1, count: n)
        var distances = [Double](repeating: 0, count: n)
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        var search = NearestCentre(k: k, d: d)
        var iterations = 0
        // Exact inertia of the labels against the centres they were assigned with.
        var inertia = 0.0
        x.elements.withUnsafeBufferPointer { xe in
            norms.withUnsafeBufferPointer { nb in
                guard let xb = xe.baseAddress, let nn = nb.baseAddress else { return }
                // One pass over x per iteration: the labels, and, block by block while the rows
                // are in cache, the update step's sums and counts and the exact inertia
                // `Σ ‖x − c‖²` (free of the cancellation of the gemm expansion). Both are
                // accumulated in row order, as separate passes would.
                func assignAll() {
                    for j in 0..<(k * d) { sums[j] = 0 }
                    for j in 0..<k { counts[j] = 0 }
                    inertia = 0
                    centres.withUnsafeBufferPointer { cb in
                        labels.withUnsafeMutableBufferPointer { lb in
                            distances.withUnsafeMutableBufferPointer { db in
                                sums.withUnsafeMutableBufferPointer { sb in
                                    counts.withUnsafeMutableBufferPointer { kb in
                                        guard let c = cb.baseAddress, let l = lb.baseAddress, let dd = db.baseAddress,
                                              let s = sb.baseAddress, let counts = kb.baseAddress
                                        else { return }
                                        search.assign(x: xb, rowNorms: nn, range: 0..<n, centres: c, labels: l, distances: dd) { block in
                                            for i in block {
                                                let label = Int(l[i])
                                                counts[label] += 1
                                                let row = xb + i * d
                                                for t in 0..<d { s[label * d + t] += row[t] }
                                                inertia += squaredDistance(row, c + label * d, d)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                var converged = false
                while iterations < maximumIterations {
                    iterations += 1
                    swap(&labels, &previous)
                    assignAll()
                    if labels == previous {
                        converged = true
                        break
                    }
                    // Update step, from the sums and counts of the pass above.
                    var shift = 0.0
                    for j in 0..<k {
                        if counts[j] == 0 {
                            // Re-seed an empty cluster at the farthest point.
                            var far = 0
                            for i in 1..<max(1, n) where distances[i] > distances[far] { far = i }
                            distances[far] = 0
                            for t in 0..<d { sums[j * d + t] = xb[far * d + t] }
                            counts[j] = 1
                        }
                        let inv = 1 / Double(counts[j])
                        for t in 0..<d {
                            let v = sums[j * d + t] * inv
                            let delta = v - centres[j * d + t]
                            shift += delta * delta
                            centres[j * d + t] = v
                        }
                    }
                    if shift <= tolerance { break }
                }
                // Labels for the final centres; when the labels had converged they already are.
                if !converged { assignAll() }
            }
        }
        // The last pass assigned with the final centres: its counts are the sizes.
        let sizes = counts
        let centreMatrix = (try? Matrix(rows: k, columns: d, elements: centres)) ?? Matrix(rows: k, columns: d)
        return Model(centres: centreMatrix, inertia: inertia, iterations: iterations, sizes: sizes)
    }
}
