import AttuneCore
import Linalg

// MARK: - Lloyd iterations

extension KMeans {
    /// One initialisation: k-means++ seeds, then Lloyd until the centre shift is at most
    /// `tolerance` (absolute, squared), the labels stop changing, or `maximumIterations`.
    ///
    /// An empty cluster is re-seeded at the point farthest from its centre, so `k` clusters
    /// always come back. The reported inertia is recomputed directly as `Σ ‖x − c‖²`, free
    /// of the cancellation of the gemm expansion.
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
        x.elements.withUnsafeBufferPointer { xe in
            norms.withUnsafeBufferPointer { nb in
                guard let xb = xe.baseAddress, let nn = nb.baseAddress else { return }
                func assignAll() {
                    centres.withUnsafeBufferPointer { cb in
                        labels.withUnsafeMutableBufferPointer { lb in
                            distances.withUnsafeMutableBufferPointer { db in
                                guard let c = cb.baseAddress, let l = lb.baseAddress, let dd = db.baseAddress else { return }
                                search.assign(x: xb, rowNorms: nn, range: 0..<n, centres: c, labels: l, distances: dd)
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
                    // Update step.
                    for j in 0..<(k * d) { sums[j] = 0 }
                    for j in 0..<k { counts[j] = 0 }
                    sums.withUnsafeMutableBufferPointer { sb in
                        for i in 0..<n {
                            let c = Int(labels[i])
                            counts[c] += 1
                            let row = xb + i * d
                            for t in 0..<d { sb[c * d + t] += row[t] }
                        }
                    }
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
        // Exact inertia and sizes for the final centres.
        var inertia = 0.0
        var sizes = [Int](repeating: 0, count: k)
        x.elements.withUnsafeBufferPointer { xe in
            centres.withUnsafeBufferPointer { cb in
                guard let xb = xe.baseAddress, let c = cb.baseAddress else { return }
                for i in 0..<n {
                    let l = Int(labels[i])
                    sizes[l] += 1
                    inertia += squaredDistance(xb + i * d, c + l * d, d)
                }
            }
        }
        let centreMatrix = (try? Matrix(rows: k, columns: d, elements: centres)) ?? Matrix(rows: k, columns: d)
        return Model(centres: centreMatrix, inertia: inertia, iterations: iterations, sizes: sizes)
    }
}
