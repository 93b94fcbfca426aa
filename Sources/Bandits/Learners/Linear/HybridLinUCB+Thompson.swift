import AttuneCore
import Foundation
import Linalg

// MARK: - Thompson sampling

extension HybridLinUCB {
    /// Writes `sampleCount` Thompson draws from the hybrid model's exact Gaussian posterior,
    /// sampled in two stages: the shared coefficients from their marginal, then each action's
    /// coefficients from their conditional given the shared ones (the Schur complement
    /// structure that defines `A₀`):
    /// ```
    /// β̃ = β + v L₀⁻ᵀ ξ ~ N(β, v² A₀⁻¹)                         (A₀ = L₀L₀ᵀ)
    /// θ̃_a | β̃ ~ N(A_a⁻¹(b_a − B_a β̃), v² A_a⁻¹)
    /// score_a = z_aᵀβ̃ + xᵀθ̃_a = w_aᵀβ̃ + uᵀb_a + v √(xᵀu) ζ_a,   u = A_a⁻¹x,  w_a = z_a − B_aᵀu
    /// ```
    /// (only `xᵀθ̃_a` enters the score, and given β̃ it is Gaussian with that mean and
    /// variance `v² xᵀA_a⁻¹x`, independently across actions). `w_a`, `uᵀb_a` and `√(xᵀu)` are
    /// computed once per decision; each draw costs O(k² + n k). Without a factor (optimistic
    /// mode) the rows hold `estimate + bonus`.
    /// - Complexity: O(n (d² + d k)) + O(M (k² + n k)), no allocation.
    public func sampleScores(
        features: UnsafeBufferPointer<Double>, segment: Int?, candidates: UnsafeBufferPointer<Int>,
        sampleCount: Int, using generator: inout SeededGenerator,
        samples: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = candidates.count
        guard let sharedFactor else {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { bonuses in
                scores(features: features, segment: segment, candidates: candidates,
                       estimates: UnsafeMutableBufferPointer(rebasing: samples[0..<n]), bonuses: bonuses, scratch: scratch)
                for i in 0..<n { samples[i] += bonuses[i] }
            }
            for m in 1..<max(sampleCount, 1) { for i in 0..<n { samples[m * n + i] = samples[i] } }
            return
        }
        let d = contextDimension, k = d * featureCount, v = configuration.scale
        let x = features.baseAddress!, base = scratch.baseAddress!
        // Layout: β̃ (k) | u (d) | per candidate: w_a (k), uᵀb_a, √(xᵀu) | z (k).
        let draw = base, u = base + k, perCandidate = u + d, z = perCandidate + n * (k + 2)
        for i in 0..<n {
            let a = candidates[i]
            let w = perCandidate + i * (k + 2)
            joint(x, a, into: z)
            inverses.withUnsafeBufferPointer { inv in
                BLAS.gemv(m: d, n: d, a: inv.baseAddress! + a * d * d, lda: d, x: x, y: u)
            }
            BLAS.copy(n: k, x: z, y: w)
            cross.withUnsafeBufferPointer { c in
                BLAS.gemv(transpose: .transpose, m: d, n: k, alpha: -1, a: c.baseAddress! + a * d * k, lda: k, x: u, beta: 1, y: w)
            }
            w[k] = targets.withUnsafeBufferPointer { BLAS.dot(n: d, x: u, y: $0.baseAddress! + a * d) }
            w[k + 1] = max(BLAS.dot(n: d, x: x, y: u), 0).squareRoot()
        }
        for m in 0..<sampleCount {
            for j in 0..<k { draw[j] = generator.nextStandardNormal() }
            sharedFactor.factor.elements.withUnsafeBufferPointer { l in
                BLAS.trsv(triangle: .lower, transpose: .transpose, n: k, a: l.baseAddress!, lda: k, x: draw)
            }
            beta.withUnsafeBufferPointer { b in
                for j in 0..<k { draw[j] = b[j] + v * draw[j] }
            }
            for i in 0..<n {
                let w = perCandidate + i * (k + 2)
                samples[m * n + i] = BLAS.dot(n: k, x: w, y: draw) + w[k] + v * w[k + 1] * generator.nextStandardNormal()
            }
        }
    }
}

// MARK: - Codable (the factor is derived from A₀)

extension HybridLinUCB {
    enum CodingKeys: String, CodingKey {
        case configuration, actionCount, contextDimension, featureCount, actionFeatures
        case shared, sharedTarget, sharedInverse, beta, inverses, cross, targets
    }

    /// Decodes the value written by ``encode(to:)``; the Thompson factor is recomputed from
    /// `A₀` exactly as an update computes it.
    /// - Throws: `DecodingError` for malformed or inconsistent data.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = try c.decode(Configuration.self, forKey: .configuration)
        actionCount = try c.decode(Int.self, forKey: .actionCount)
        contextDimension = try c.decode(Int.self, forKey: .contextDimension)
        featureCount = try c.decode(Int.self, forKey: .featureCount)
        actionFeatures = try c.decode([Double].self, forKey: .actionFeatures)
        shared = try c.decode([Double].self, forKey: .shared)
        sharedTarget = try c.decode([Double].self, forKey: .sharedTarget)
        sharedInverse = try c.decode([Double].self, forKey: .sharedInverse)
        beta = try c.decode([Double].self, forKey: .beta)
        inverses = try c.decode([Double].self, forKey: .inverses)
        cross = try c.decode([Double].self, forKey: .cross)
        targets = try c.decode([Double].self, forKey: .targets)
        let d = contextDimension, k = d * featureCount, n = actionCount
        guard d >= 1, featureCount >= 1, n >= 1, actionFeatures.count == n * featureCount, shared.count == k * k,
              sharedInverse.count == k * k, sharedTarget.count == k, beta.count == k, inverses.count == n * d * d,
              cross.count == n * d * k, targets.count == n * d
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "hybrid LinUCB state of inconsistent shapes"))
        }
        if configuration.samples > 0 { sharedFactor = try Self.factor(of: shared, order: k) }
    }

    /// Encodes the complete learned state.
    /// - Throws: the encoder's errors.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configuration, forKey: .configuration)
        try c.encode(actionCount, forKey: .actionCount)
        try c.encode(contextDimension, forKey: .contextDimension)
        try c.encode(featureCount, forKey: .featureCount)
        try c.encode(actionFeatures, forKey: .actionFeatures)
        try c.encode(shared, forKey: .shared)
        try c.encode(sharedTarget, forKey: .sharedTarget)
        try c.encode(sharedInverse, forKey: .sharedInverse)
        try c.encode(beta, forKey: .beta)
        try c.encode(inverses, forKey: .inverses)
        try c.encode(cross, forKey: .cross)
        try c.encode(targets, forKey: .targets)
    }
}
