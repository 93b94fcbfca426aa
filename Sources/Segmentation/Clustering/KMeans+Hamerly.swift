import AttuneCore
import Linalg

// MARK: - Hamerly's accelerated iterations

extension KMeans {
    /// One initialisation with Hamerly's bounds: the same seeds and the same fixed point as
    /// ``lloyd(_:norms:k:maximumIterations:tolerance:generator:)``, but a point's distances
    /// are recomputed only when its bounds cannot prove its centre is still the nearest.
    ///
    /// Each point keeps an upper bound `u` on the distance to its centre and a lower bound `l`
    /// on the distance to any other centre. With `s(c) = ½ min_{c'≠c} ‖c − c'‖`, the centre
    /// `a` of a point cannot change while
    /// ```
    /// u ≤ max(s(a), l)
    /// ```
    /// After centres move by `p(c)`, `u += p(a)` and `l −= max_{c≠a} p(c)` keep the bounds valid.
    /// Worth it when many iterations are needed (overlapping clusters, large k); the plain
    /// Lloyd loop with its gemm assignment is faster when clusters separate in a few steps.
    ///
    /// ## References
    /// Hamerly, "Making k-means even faster", SDM 2010.
    static func hamerly(
        _ x: Matrix, norms: [Double], k: Int, maximumIterations: Int, tolerance: Double,
        generator: inout SeededGenerator
    ) -> Model {
        let n = x.rows, d = x.columns
        let seeds = seedIndices(x, k: k, rowNorms: norms, using: &generator)
        var centres = [Double](repeating: 0, count: k * d)
        for (j, s) in seeds.enumerated() {
            for t in 0..<d { centres[j * d + t] = x.elements[s * d + t] }
        }
        var labels = [Int32](repeating: 0, count: n)
        var upper = [Double](repeating: 0, count: n)
        var lower = [Double](repeating: .infinity, count: n)
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        var halfGap = [Double](repeating: 0, count: k)
        var moved = [Double](repeating: 0, count: k)
        var iterations = 0
        var converged = false
        x.elements.withUnsafeBufferPointer { xe in
            guard let xb = xe.baseAddress else { return }
            /// Nearest and second-nearest centre of row i, by direct distances.
            func nearestTwo(_ i: Int) -> (best: Int, bestDistance: Double, second: Double) {
                var best = 0, bestValue = Double.infinity, secondValue = Double.infinity
                centres.withUnsafeBufferPointer { cb in
                    guard let c = cb.baseAddress else { return }
                    for j in 0..<k {
                        let v = squaredDistance(xb + i * d, c + j * d, d)
                        if v < bestValue {
                            secondValue = bestValue
                            bestValue = v
                            best = j
                        } else if v < secondValue {
                            secondValue = v
                        }
                    }
                }
                return (best, bestValue.squareRoot(), secondValue.squareRoot())
            }
            func distanceToCentre(_ i: Int, _ j: Int) -> Double {
                centres.withUnsafeBufferPointer { cb in
                    guard let c = cb.baseAddress else { return 0 }
                    return squaredDistance(xb + i * d, c + j * d, d).squareRoot()
                }
            }
            for i in 0..<n {
                let (best, u, l) = nearestTwo(i)
                labels[i] = Int32(best)
                upper[i] = u
                lower[i] = l
            }
            while iterations < maximumIterations {
                iterations += 1
                if iterations > 1 {
                    // Assignment step, pruned by the bounds.
                    for j in 0..<k {
                        var gap = Double.infinity
                        for other in 0..<k where other != j {
                            gap = min(gap, centres.withUnsafeBufferPointer { cb in
                                guard let c = cb.baseAddress else { return Double.infinity }
                                return squaredDistance(c + j * d, c + other * d, d).squareRoot()
                            })
                        }
                        halfGap[j] = gap / 2
                    }
                    var changed = false
                    for i in 0..<n {
                        let a = Int(labels[i])
                        let bound = max(halfGap[a], lower[i])
                        guard upper[i] > bound else { continue }
                        upper[i] = distanceToCentre(i, a)
                        guard upper[i] > bound else { continue }
                        let (best, u, l) = nearestTwo(i)
                        if best != a { changed = true }
                        labels[i] = Int32(best)
                        upper[i] = u
                        lower[i] = l
                    }
                    if !changed {
                        converged = true
                        break
                    }
                }
                // Update step.
                for j in 0..<(k * d) { sums[j] = 0 }
                for j in 0..<k { counts[j] = 0 }
                for i in 0..<n {
                    let c = Int(labels[i])
                    counts[c] += 1
                    for t in 0..<d { sums[c * d + t] += xb[i * d + t] }
                }
                var shift = 0.0
                for j in 0..<k {
                    if counts[j] == 0 {
                        // Re-seed an empty cluster at the point farthest from its centre.
                        var far = 0, farDistance = -1.0
                        for i in 0..<n {
                            let v = distanceToCentre(i, Int(labels[i]))
                            if v > farDistance {
                                farDistance = v
                                far = i
                            }
                        }
                        for t in 0..<d { sums[j * d + t] = xb[far * d + t] }
                        counts[j] = 1
                        // The re-seeded point's bounds are no longer meaningful.
                        upper[far] = .infinity
                        lower[far] = 0
                    }
                    var delta2 = 0.0
                    for t in 0..<d {
                        let v = sums[j * d + t] / Double(counts[j])
                        let delta = v - centres[j * d + t]
                        delta2 += delta * delta
                        centres[j * d + t] = v
                    }
                    moved[j] = delta2.squareRoot()
                    shift += delta2
                }
                // Bounds follow the centres.
                var r = 0
                for j in 1..<max(1, k) where moved[j] > moved[r] { r = j }
                var secondMove = 0.0
                for j in 0..<k where j != r { secondMove = max(secondMove, moved[j]) }
                for i in 0..<n {
                    let a = Int(labels[i])
                    upper[i] += moved[a]
                    lower[i] -= a == r ? secondMove : moved[r]
                }
                if shift <= tolerance { break }
            }
        }
        if !converged {
            // Labels for the final centres.
            for i in 0..<n {
                var best = 0, bestValue = Double.infinity
                for j in 0..<k {
                    var v = 0.0
                    for t in 0..<d {
                        let diff = x.elements[i * d + t] - centres[j * d + t]
                        v += diff * diff
                    }
                    if v < bestValue {
                        bestValue = v
                        best = j
                    }
                }
                labels[i] = Int32(best)
            }
        }
        var inertia = 0.0
        var sizes = [Int](repeating: 0, count: k)
        for i in 0..<n {
            let l = Int(labels[i])
            sizes[l] += 1
            for t in 0..<d {
                let diff = x.elements[i * d + t] - centres[l * d + t]
                inertia += diff * diff
            }
        }
        let centreMatrix = (try? Matrix(rows: k, columns: d, elements: centres)) ?? Matrix(rows: k, columns: d)
        return Model(centres: centreMatrix, inertia: inertia, iterations: iterations, sizes: sizes)
    }
}
