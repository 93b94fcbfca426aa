import Foundation
import Linalg

/// One ridge regression per action, in contiguous storage: the sufficient statistics of
/// disjoint linear bandits.
///
/// For action `a` with weighted observations `(xᵢ, rᵢ, wᵢ)` and forgetting factor γ:
/// ```
/// A_a = λ I + Σ wᵢ xᵢ xᵢᵀ,   b_a = Σ wᵢ rᵢ xᵢ,   θ_a = A_a⁻¹ b_a
/// ```
/// Only `A⁻¹` is stored (full, row-major, the K blocks stacked) and kept current by
/// Sherman–Morrison rank-one updates, so an update costs three O(d²) BLAS calls and no
/// factorization:
/// ```
/// u = A⁻¹x,   A⁻¹ ← A⁻¹ − w u uᵀ / (1 + w xᵀu),   θ = A⁻¹ b
/// ```
/// θ is recomputed from `A⁻¹ b` at every update rather than updated incrementally, so
/// rounding does not accumulate in it.
///
/// With γ < 1 every learned round discounts the past of *every* action (`A ← γA`, `b ← γb`,
/// i.e. `A⁻¹ ← A⁻¹/γ`), so old observations fade, an action left alone regains its
/// uncertainty and a drifting reward is tracked. The discount is applied lazily: an action
/// not updated for `Δ` rounds has its inverse scaled by `γ^(−Δ)` when it is next scored or
/// updated, so a round still costs O(d²), not O(K d²). Discounting also fades the prior λI;
/// so that directions the data stop exciting cannot grow without bound, the scaling is
/// capped to keep the inverse within the prior's variance (`max diag A⁻¹ ≤ 1/λ`). A and b
/// are discounted by the same factor, so θ is unchanged by it.
///
/// ## References
/// Li, Chu, Langford & Schapire (2010), Algorithm 1; Sherman & Morrison (1950);
/// Russac, Vernade & Cappé, "Weighted linear bandits for non-stationary environments" (2019).
struct RidgeArms: Sendable, Codable, Equatable {
    /// Number of actions.
    let count: Int
    /// Context dimension d.
    let dimension: Int
    /// Ridge λ.
    let ridge: Double
    /// Forgetting factor γ ∈ (0, 1].
    let forgetting: Double
    /// Sliding window W: each action keeps only its last W observations (0 = no window;
    /// exclusive with γ < 1). See ``RidgeArms/window``'s extension.
    var window: Int = 0
    /// The window's observations: ``count`` rings of ``window`` slots, each slot `d + 2`
    /// doubles (`x`, `r`, `w`); empty without a window.
    var windowRing: [Double] = []
    /// Per action: the ring slot of the oldest kept observation.
    var windowStart: [Int] = []
    /// Per action: the number of kept observations (≤ W).
    var windowFill: [Int] = []
    /// Per action: updates since the last refactorization from the window.
    var windowSinceRefactor: [Int] = []
    /// `A_a⁻¹` for each action: `count` row-major blocks of d×d, stacked.
    var inverses: [Double]
    /// `b_a`, `count` blocks of d.
    var targets: [Double]
    /// `θ_a`, `count` blocks of d.
    var coefficients: [Double]
    /// Weighted (discounted) observation count per action.
    var counts: [Double]
    /// Rounds learned so far (the discount clock).
    var clock: Double
    /// The clock value at each action's last update.
    var lastUpdate: [Double]
    /// The largest diagonal entry of each action's stored inverse (for the discount cap).
    var largestDiagonal: [Double]
    /// For d ≥ ``largeDimension``: a single-precision copy of each inverse's upper triangle,
    /// packed row by row with the off-diagonal entries doubled, so the width `xᵀA⁻¹x` reads a
    /// quarter of the bytes of the full double matrix (scoring many actions is bound by
    /// memory traffic). Derived from `inverses` after every change; not part of the state.
    var packed: [Float] = []

    init(count: Int, dimension: Int, ridge: Double, forgetting: Double, window: Int = 0) {
        self.count = count
        self.dimension = dimension
        self.ridge = ridge
        self.forgetting = forgetting
        self.window = max(window, 0)
        if window > 0 {
            windowRing = Array(repeating: 0, count: count * window * (dimension + 2))
            windowStart = Array(repeating: 0, count: count)
            windowFill = windowStart
            windowSinceRefactor = windowStart
        }
        let d = dimension
        inverses = Array(repeating: 0, count: count * d * d)
        for a in 0..<count {
            for i in 0..<d { inverses[a * d * d + i * d + i] = 1 / ridge }
        }
        targets = Array(repeating: 0, count: count * d)
        coefficients = targets
        counts = Array(repeating: 0, count: count)
        clock = 0
        lastUpdate = counts
        largestDiagonal = Array(repeating: 1 / ridge, count: count)
        refreshPacked()
    }

    /// The factor by which action `a`'s stored inverse is scaled by the discounts pending
    /// since its last update, plus `extra` rounds: `min(γ^(−Δ), (1/λ) / max diag A⁻¹)`, ≥ 1.
    @inline(__always)
    func pendingScale(of a: Int, extra: Double = 0) -> Double {
        guard forgetting < 1 else { return 1 }
        let steps = clock - lastUpdate[a] + extra
        guard steps > 0 else { return 1 }
        let cap = largestDiagonal[a] > 0 ? (1 / ridge) / largestDiagonal[a] : 1
        return max(1, min(Foundation.pow(forgetting, -steps), cap))
    }

    /// `θ_a · x`.
    /// - Complexity: O(d), no allocation.
    @inline(__always)
    func mean(of action: Int, x: UnsafePointer<Double>) -> Double {
        let d = dimension
        guard d > 0 else { return 0 }
        return coefficients.withUnsafeBufferPointer { theta in
            BLAS.dot(n: d, x: theta.baseAddress! + action * d, y: x)
        }
    }

    /// `xᵀ A_a⁻¹ x` (≥ 0 up to rounding), using `scratch` (d doubles) for `A_a⁻¹ x`.
    /// - Complexity: O(d²), no allocation.
    @inline(__always)
    func variance(of action: Int, x: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        let d = dimension
        guard d > 0 else { return 0 }
        if d >= Self.largeDimension {
            return max(packedQuadraticForm(action, x: x), 0) * pendingScale(of: action)
        }
        return inverses.withUnsafeBufferPointer { inv in
            BLAS.gemv(m: d, n: d, a: inv.baseAddress! + action * d * d, lda: d, x: x, y: scratch)
            return max(BLAS.dot(n: d, x: x, y: scratch), 0) * pendingScale(of: action)
        }
    }

    /// From this dimension on, scoring is bound by memory traffic rather than arithmetic, and
    /// the width is computed from the packed single-precision triangle (``packed``).
    static let largeDimension = 40

    /// Writes `A_a⁻¹ x` (with pending discounts) into `result` (d doubles).
    /// - Complexity: O(d²), no allocation.
    @inline(__always)
    func inverseTimes(_ action: Int, x: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>) {
        let d = dimension
        guard d > 0 else { return }
        inverses.withUnsafeBufferPointer { inv in
            BLAS.gemv(m: d, n: d, alpha: pendingScale(of: action), a: inv.baseAddress! + action * d * d, lda: d, x: x, y: result)
        }
    }

    /// `θ_a · v` for any d-vector `v`.
    @inline(__always)
    func coefficientsDot(_ action: Int, _ v: UnsafePointer<Double>) -> Double {
        mean(of: action, x: v)
    }

    /// Scratch doubles ``scores(x:candidates:means:variances:scratch:)`` needs: `count · d`.
    var batchScratchCount: Int { count * dimension }

    /// Writes `θ_aᵀx` into `means[i]` and, when `variances` is non-nil, `xᵀA_a⁻¹x` into
    /// `variances[i]`, for each candidate `a = candidates[i]`.
    ///
    /// When the candidates cover at least half the actions, all actions are computed with
    /// two matrix–vector products over the stacked storage (`[θ_1 … θ_K]ᵀ x` and
    /// `[A_1⁻¹; …; A_K⁻¹] x`), which is several times faster than K small products; otherwise
    /// each candidate gets its own.
    /// - Complexity: O(K d²) or O(n d²), no allocation.
    func scores(x: UnsafePointer<Double>, candidates: UnsafeBufferPointer<Int>,
                means: UnsafeMutablePointer<Double>, variances: UnsafeMutablePointer<Double>?,
                scratch: UnsafeMutablePointer<Double>) {
        let d = dimension, n = candidates.count
        guard d > 0 else {
            for i in 0..<n { means[i] = 0; variances?[i] = 0 }
            return
        }
        guard 2 * n >= count, d < Self.largeDimension else {
            for i in 0..<n {
                means[i] = mean(of: candidates[i], x: x)
                if let variances { variances[i] = variance(of: candidates[i], x: x, scratch: scratch) }
            }
            return
        }
        // All actions at once: scratch[0..<K] ← Θ x.
        coefficients.withUnsafeBufferPointer { theta in
            BLAS.gemv(m: count, n: d, a: theta.baseAddress!, lda: d, x: x, y: scratch)
        }
        for i in 0..<n { means[i] = scratch[candidates[i]] }
        guard let variances else { return }
        // scratch[a·d ..< (a+1)·d] ← A_a⁻¹ x for every action.
        inverses.withUnsafeBufferPointer { inv in
            BLAS.gemv(m: count * d, n: d, a: inv.baseAddress!, lda: d, x: x, y: scratch)
        }
        for i in 0..<n {
            let a = candidates[i]
            let y = scratch + a * d
            var q = 0.0
            for j in 0..<d { q += x[j] * y[j] }
            variances[i] = max(q, 0) * pendingScale(of: a)
        }
    }

    /// Adds observation `(x, r)` with weight `w` to action `a`, using `scratch` (d doubles).
    /// - Complexity: O(d²): two `gemv` and one `ger`; no allocation.
    mutating func update(action a: Int, x: UnsafePointer<Double>, reward r: Double, weight w: Double,
                         scratch u: UnsafeMutablePointer<Double>) {
        clock += 1
        add(action: a, x: x, reward: r, weight: w, scratch: u)
    }

    /// Brings action `a`'s statistics up to the current clock: discounts A and b by the
    /// pending factor (θ is unchanged by it).
    /// - Complexity: O(d²) when a discount is pending, O(1) otherwise; no allocation.
    mutating func applyPendingDiscount(_ a: Int) {
        let d = dimension
        let scale = pendingScale(of: a)
        if scale > 1 {
            inverses.withUnsafeMutableBufferPointer { inv in
                BLAS.scal(n: d * d, alpha: scale, x: inv.baseAddress! + a * d * d)
            }
            targets.withUnsafeMutableBufferPointer { b in
                BLAS.scal(n: d, alpha: 1 / scale, x: b.baseAddress! + a * d)
            }
            counts[a] /= scale
            largestDiagonal[a] *= scale
        }
        lastUpdate[a] = clock
    }

    /// Adds observation `(x, r, w)` to action `a` within the current round (the clock is not
    /// advanced: ``update(action:x:reward:weight:scratch:)`` advances it, an ensemble that
    /// feeds several models one round advances it once itself).
    /// - Complexity: O(d²), no allocation (amortized O(d² + d³/W) with a window W).
    mutating func add(action a: Int, x: UnsafePointer<Double>, reward r: Double, weight w: Double,
                      scratch u: UnsafeMutablePointer<Double>) {
        defer { refreshPacked(a) }
        let d = dimension
        let block = a * d * d
        applyPendingDiscount(a)
        counts[a] += w
        guard d > 0, w > 0 else { return }
        if window > 0 {
            addWindowed(action: a, x: x, reward: r, weight: w, scratch: u)
            return
        }
        inverses.withUnsafeMutableBufferPointer { invBuffer in
            let inv = invBuffer.baseAddress! + block
            BLAS.gemv(m: d, n: d, a: inv, lda: d, x: x, y: u)
            let denominator = 1 + w * BLAS.dot(n: d, x: x, y: u)
            BLAS.ger(m: d, n: d, alpha: -w / denominator, x: u, y: u, a: inv, lda: d)
            targets.withUnsafeMutableBufferPointer { b in
                BLAS.axpy(n: d, alpha: w * r, x: x, y: b.baseAddress! + a * d)
                coefficients.withUnsafeMutableBufferPointer { theta in
                    BLAS.gemv(m: d, n: d, a: inv, lda: d, x: b.baseAddress! + a * d, y: theta.baseAddress! + a * d)
                }
            }
            var largest = 0.0
            for i in 0..<d { largest = max(largest, inv[i * d + i]) }
            largestDiagonal[a] = largest
        }
    }
}

// MARK: - Packed single-precision widths

extension RidgeArms {
    /// Row `i` of a packed triangle holds `d − i` values, padded with zeros to a multiple of
    /// 8 so that every row is read in whole 8-lane vectors.
    @inline(__always)
    static func paddedRow(_ length: Int) -> Int { (length + 7) & ~7 }

    /// Floats per action in ``packed``: `Σ_{L=1…d} 8⌈L/8⌉ = 32q(q+1) + 8r(q+1)` with
    /// `d = 8q + r`.
    var packedBlock: Int {
        let q = dimension / 8, r = dimension % 8
        return 32 * q * (q + 1) + 8 * r * (q + 1)
    }

    /// Rebuilds the packed copy of action `action`'s inverse (every action when `nil`).
    /// - Complexity: O(d²) per action.
    mutating func refreshPacked(_ action: Int? = nil) {
        let d = dimension
        guard d >= Self.largeDimension else { return }
        let block = packedBlock
        if packed.count != count * block { packed = Array(repeating: 0, count: count * block) }
        let actions = action.map { $0..<($0 + 1) } ?? 0..<count
        inverses.withUnsafeBufferPointer { inv in
            packed.withUnsafeMutableBufferPointer { out in
                for a in actions {
                    var row = a * block
                    let m = inv.baseAddress! + a * d * d
                    for i in 0..<d {
                        out[row] = Float(m[i * d + i])
                        // The upper triangle, read along rows: p_ij = 2 a_ij.
                        for j in (i + 1)..<d { out[row + j - i] = Float(2 * m[i * d + j]) }
                        row += Self.paddedRow(d - i)
                    }
                }
            }
        }
    }

    /// `xᵀ A_a⁻¹ x` from the packed triangle: `Σᵢ xᵢ Σ_{j≥i} p_ij x_j` with `p_ii = a_ii`,
    /// `p_ij = 2a_ij`, each row accumulated in single precision (8 lanes) and the rows in
    /// double precision (relative error about 1e-6, ample for a confidence width).
    /// - Complexity: O(d²) reading about d²/2 floats, no allocation (a stack buffer for x).
    func packedQuadraticForm(_ action: Int, x: UnsafePointer<Double>) -> Double {
        let d = dimension
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: d + 8) { xf in
            for i in 0..<d { xf[i] = Float(x[i]) }
            for i in d..<(d + 8) { xf[i] = 0 }
            return packed.withUnsafeBufferPointer { p in
                var row = p.baseAddress! + action * packedBlock
                var total = 0.0
                for i in 0..<d {
                    let length = Self.paddedRow(d - i)
                    let xs = UnsafeRawPointer(xf.baseAddress! + i)
                    let rs = UnsafeRawPointer(row)
                    // Two accumulators, so consecutive additions do not wait for each other.
                    var even = SIMD8<Float>(), odd = SIMD8<Float>()
                    var offset = 0
                    let bytes = length * 4
                    while offset + 64 <= bytes {
                        even += rs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                            * xs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                        odd += rs.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                            * xs.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                        offset += 64
                    }
                    if offset < bytes {
                        even += rs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                            * xs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    }
                    total += Double(xf[i]) * Double((even + odd).sum())
                    row += length
                }
                return total
            }
        }
    }
}
