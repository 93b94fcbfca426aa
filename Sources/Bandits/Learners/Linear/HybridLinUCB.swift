import AttuneCore
import Linalg

/// Hybrid LinUCB (Li et al. 2010, Algorithm 2): a shared model over context ⊗ action features
/// plus a disjoint model per action.
///
/// The reward of action `a` in context `x` is modelled as `z_aᵀβ + xᵀθ_a` with shared
/// features `z_a = x ⊗ f_a` (`k = d·f` values; see ``SharedLinUCB``) and per-action
/// coefficients θ_a, all under one ridge prior. With `A₀ = I + Σ zzᵀ − Σ_a B_aᵀA_a⁻¹B_a`,
/// `A_a = I + Σ xxᵀ`, `B_a = Σ x zᵀ` (both per action):
/// ```
/// β = A₀⁻¹ b₀,   θ_a = A_a⁻¹ (b_a − B_a β),   u = A_a⁻¹ x,   v = B_aᵀ u
/// estimate_a = z_aᵀβ + xᵀθ_a
/// bonus_a    = α √((z_a − v)ᵀ A₀⁻¹ (z_a − v) + xᵀu)
/// ```
/// which equals the joint ridge regression over `[z_a; e_a ⊗ x]` (the test checks it), with
/// the bonus its exact posterior width. New actions with known features start from what the
/// shared part learned; actions seen often get their own correction.
///
/// - Complexity: O(K (d² + d k + k²)) per decision; O(d k² + k³) per update (A₀⁻¹ is
///   refactored by Cholesky), so it suits small k. Updates allocate the factor.
///
/// ## References
/// Li, Chu, Langford & Schapire, "A contextual-bandit approach to personalized news article
/// recommendation", WWW 2010, Algorithm 2.
public struct HybridLinUCB: Scorer {
    /// `"hybrid_linucb"`.
    public static let kind = "hybrid_linucb"

    /// Hyper-parameters.
    public typealias Configuration = SharedLinUCB.Configuration

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Number of actions modelled.
    public let actionCount: Int
    /// Length of the context vectors read.
    public let contextDimension: Int
    /// Action features per action.
    public let featureCount: Int
    let actionFeatures: [Double]
    /// `A₀` (k × k), `b₀`, `A₀⁻¹`, `β`.
    var shared: [Double], sharedTarget: [Double], sharedInverse: [Double], beta: [Double]
    /// Per action: `A_a⁻¹` (d × d), `B_a` (d × k), `b_a` (d).
    var inverses: [Double], cross: [Double], targets: [Double]
    /// Thompson mode: the Cholesky factor of `A₀` from the last update (derived from
    /// `shared` by the same factorization, so it is rebuilt identically on decoding).
    var sharedFactor: Cholesky?
    /// Posterior draws per decision: `configuration.samples` (0 = optimistic scoring).
    public var posteriorSampleCount: Int { configuration.samples }

    /// Creates an untrained learner for `catalog`, whose actions must carry features.
    /// - Throws: `BanditsError.invalidParameter` when actions have no features or the context
    ///   dimension is < 1.
    public init(catalog: ActionCatalog, contextDimension d: Int, configuration: Configuration) throws(BanditsError) {
        let f = catalog.actionFeatureCount
        guard f >= 1 else {
            throw .invalidParameter(field: "catalog.features", value: "none", expected: "action features (the same count for every action)")
        }
        guard d >= 1 else { throw .invalidParameter(field: "context_dimension", value: "\(d)", expected: "an integer >= 1") }
        guard configuration.forgetting == 1 else {
            throw .invalidParameter(field: "forgetting", value: "\(configuration.forgetting)",
                                    expected: "1 for hybrid LinUCB (its shared statistics are rebuilt from per-action terms)")
        }
        let k = d * f, n = catalog.count, lambda = configuration.ridge
        self.configuration = configuration
        actionCount = n
        contextDimension = d
        featureCount = f
        actionFeatures = catalog.actions.flatMap(\.features)
        shared = Self.scaledIdentity(k, lambda)
        sharedInverse = Self.scaledIdentity(k, 1 / lambda)
        sharedTarget = Array(repeating: 0, count: k)
        beta = sharedTarget
        inverses = (0..<n).flatMap { _ in Self.scaledIdentity(d, 1 / lambda) }
        cross = Array(repeating: 0, count: n * d * k)
        targets = Array(repeating: 0, count: n * d)
        if configuration.samples > 0 { sharedFactor = try Self.factor(of: shared, order: k) }
    }

    /// The Cholesky factor of the k × k matrix `a`.
    static func factor(of a: [Double], order k: Int) throws(BanditsError) -> Cholesky {
        do {
            return try Cholesky(Matrix(rows: k, columns: k, elements: a))
        } catch {
            throw .numerical("hybrid LinUCB shared statistics: \(error.description)")
        }
    }

    /// Scratch doubles needed for `candidateCount` candidates.
    public func scratchCount(candidateCount: Int) -> Int {
        let d = contextDimension, k = d * featureCount
        return max(2 * k + d, k + d + candidateCount * (k + 2) + k)
    }

    /// Writes each candidate's hybrid estimate and bonus.
    /// - Complexity: O(n (d² + d k + k²)), no allocation.
    public func scores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        estimates: UnsafeMutableBufferPointer<Double>, bonuses: UnsafeMutableBufferPointer<Double>,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let d = contextDimension, f = featureCount, k = d * f
        let x = features.baseAddress!, base = scratch.baseAddress!
        let z = base, w = base + k, u = base + 2 * k
        for i in 0..<candidates.count {
            let a = candidates[i]
            joint(x, a, into: z)
            inverses.withUnsafeBufferPointer { inv in
                BLAS.gemv(m: d, n: d, a: inv.baseAddress! + a * d * d, lda: d, x: x, y: u)
            }
            // w = z − B_aᵀu;  estimate = zᵀβ + uᵀ(b_a − B_a β) = zᵀβ + uᵀb_a − (B_aᵀu)ᵀβ = wᵀβ + uᵀb_a.
            BLAS.copy(n: k, x: z, y: w)
            cross.withUnsafeBufferPointer { c in
                BLAS.gemv(transpose: .transpose, m: d, n: k, alpha: -1, a: c.baseAddress! + a * d * k, lda: k, x: u, beta: 1, y: w)
            }
            var estimate = beta.withUnsafeBufferPointer { BLAS.dot(n: k, x: w, y: $0.baseAddress!) }
            estimate += targets.withUnsafeBufferPointer { BLAS.dot(n: d, x: u, y: $0.baseAddress! + a * d) }
            estimates[i] = estimate
            // (z − v)ᵀA₀⁻¹(z − v) + xᵀu, with z reused for A₀⁻¹w.
            sharedInverse.withUnsafeBufferPointer { s in
                BLAS.gemv(m: k, n: k, a: s.baseAddress!, lda: k, x: w, y: z)
            }
            let width = BLAS.dot(n: k, x: w, y: z) + BLAS.dot(n: d, x: x, y: u)
            bonuses[i] = configuration.alpha * max(width, 0).squareRoot()
        }
    }

    /// Algorithm 2's update of the shared and per-action statistics, then `A₀⁻¹` and β by
    /// Cholesky.
    /// - Throws: `BanditsError.numerical` if `A₀` loses positive definiteness to rounding.
    /// - Complexity: O(d k² + k³).
    public mutating func learn(
        features: UnsafeBufferPointer<Double>, segment: Int?, action a: Int, reward r: Double, weight: Double
    ) throws(BanditsError) {
        guard weight > 0 else { return }
        let d = contextDimension, k = d * featureCount
        var z = Array(repeating: 0.0, count: k)
        z.withUnsafeMutableBufferPointer { joint(features.baseAddress!, a, into: $0.baseAddress!) }
        let x = Array(features)
        // A₀ += B_aᵀA_a⁻¹B_a, b₀ += B_aᵀA_a⁻¹b_a (remove the action's old contribution).
        addCrossTerms(a, sign: 1)
        // The action's own statistics: A_a += w xxᵀ (Sherman–Morrison), B_a += w x zᵀ, b_a += w r x.
        var u = Array(repeating: 0.0, count: d)
        inverses.withUnsafeMutableBufferPointer { inv in
            let block = inv.baseAddress! + a * d * d
            BLAS.gemv(m: d, n: d, a: block, lda: d, x: x, y: &u)
            let denominator = 1 + weight * BLAS.dot(n: d, x: x, y: u)
            BLAS.ger(m: d, n: d, alpha: -weight / denominator, x: u, y: u, a: block, lda: d)
        }
        cross.withUnsafeMutableBufferPointer { c in
            BLAS.ger(m: d, n: k, alpha: weight, x: x, y: z, a: c.baseAddress! + a * d * k, lda: k)
        }
        targets.withUnsafeMutableBufferPointer { t in BLAS.axpy(n: d, alpha: weight * r, x: x, y: t.baseAddress! + a * d) }
        // A₀ += w zzᵀ − B_aᵀA_a⁻¹B_a, b₀ += w r z − B_aᵀA_a⁻¹b_a (the new contribution).
        shared.withUnsafeMutableBufferPointer { s in BLAS.ger(m: k, n: k, alpha: weight, x: z, y: z, a: s.baseAddress!, lda: k) }
        sharedTarget.withUnsafeMutableBufferPointer { b in BLAS.axpy(n: k, alpha: weight * r, x: z, y: b.baseAddress!) }
        addCrossTerms(a, sign: -1)
        do {
            let matrix = try Matrix(rows: k, columns: k, elements: shared)
            let factor = try Cholesky(matrix)
            sharedInverse = factor.inverse().elements
            beta = try factor.solve(Vector(sharedTarget)).elements
            if sharedFactor != nil { sharedFactor = factor }
        } catch {
            throw .numerical("hybrid LinUCB shared statistics: \(error.description)")
        }
    }

    /// `A₀ += sign · B_aᵀA_a⁻¹B_a`, `b₀ += sign · B_aᵀA_a⁻¹b_a`.
    private mutating func addCrossTerms(_ a: Int, sign: Double) {
        let d = contextDimension, k = d * featureCount
        // C = A_a⁻¹ B_a (d × k), c = A_a⁻¹ b_a (d).
        var c = Array(repeating: 0.0, count: d * k)
        var t = Array(repeating: 0.0, count: d)
        inverses.withUnsafeBufferPointer { inv in
            cross.withUnsafeBufferPointer { b in
                BLAS.gemm(m: d, n: k, k: d, a: inv.baseAddress! + a * d * d, lda: d, b: b.baseAddress! + a * d * k, ldb: k, c: &c, ldc: k)
            }
            targets.withUnsafeBufferPointer { b in
                BLAS.gemv(m: d, n: d, a: inv.baseAddress! + a * d * d, lda: d, x: b.baseAddress! + a * d, y: &t)
            }
        }
        cross.withUnsafeBufferPointer { b in
            shared.withUnsafeMutableBufferPointer { s in
                BLAS.gemm(transposeA: .transpose, m: k, n: k, k: d, alpha: sign, a: b.baseAddress! + a * d * k, lda: k,
                          b: c, ldb: k, beta: 1, c: s.baseAddress!, ldc: k)
            }
            sharedTarget.withUnsafeMutableBufferPointer { s in
                BLAS.gemv(transpose: .transpose, m: d, n: k, alpha: sign, a: b.baseAddress! + a * d * k, lda: k, x: t, beta: 1, y: s.baseAddress!)
            }
        }
    }

    /// `z = x ⊗ f_a`.
    func joint(_ x: UnsafePointer<Double>, _ a: Int, into z: UnsafeMutablePointer<Double>) {
        let f = featureCount
        for i in 0..<contextDimension {
            for j in 0..<f { z[i * f + j] = x[i] * actionFeatures[a * f + j] }
        }
    }

    private static func scaledIdentity(_ n: Int, _ value: Double) -> [Double] {
        var m = Array(repeating: 0.0, count: n * n)
        for i in 0..<n { m[i * n + i] = value }
        return m
    }
}
