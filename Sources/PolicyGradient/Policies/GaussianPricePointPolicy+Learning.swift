#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import Foundation

// MARK: - Learning

extension GaussianPricePointPolicy {
    /// A one-step update from one interaction.
    /// - Throws: as ``learn(from:weight:)``.
    public mutating func learn(from interaction: Interaction) throws(BanditsError) {
        try learn(from: interaction, weight: 1)
    }

    /// A one-step REINFORCE update of `[θ, log σ]` counted `weight` times:
    ///
    /// ```
    /// P = Φ(b) − Φ(a),   a = (m_lo − μ)/σ,  b = (m_hi − μ)/σ      (the chosen price's bin)
    /// ∂log P/∂θ = (φ(a) − φ(b)) / (σ P) · x,     ∂log P/∂log σ = (a φ(a) − b φ(b)) / P
    /// w = min(P / propensity, cap)
    /// [θ, log σ] ← Adam(weight · w · (r − b̄) ∇ log P + β ∇H),   ∇H = (0…, 1)
    /// ```
    /// - Throws: `BanditsError` for a wrong dimension, non-finite features or reward, an action
    ///   outside the catalog or the candidates, a propensity outside (0, 1], or a negative weight.
    /// - Complexity: O(d + K log K).
    public mutating func learn(from interaction: Interaction, weight: Double) throws(BanditsError) {
        let context = interaction.context
        try context.validate(dimension: contextDimension)
        let candidates = interaction.candidates.isEmpty ? catalog.allIndices : interaction.candidates
        try validateCandidates(candidates)
        let position = try interaction.positionForLearning(among: candidates, catalogCount: catalog.count, weight: weight)
        var probabilities: [Double] = []
        let mu = mean(context.features), sigma = exp(gaussian.logStandardDeviation)
        try Self.binProbabilities(prices: prices, candidates: candidates, mean: mu, sigma: sigma, low: gaussian.low, high: gaussian.high,
                                  order: &order, into: &probabilities)
        modelVersion += 1
        guard online.learningRate > 0, weight > 0 else { return }
        guard var gradient = gradientOfLogProbability(position: position, candidates: candidates, features: context.features) else { return }
        let w = min(probabilities[position] / interaction.propensity, online.importanceWeightCap)
        let coefficient = weight * w * (interaction.reward - rewardBaseline)
        rewardBaseline = online.baselineDecay * rewardBaseline + (1 - online.baselineDecay) * interaction.reward
        for j in gradient.indices { gradient[j] *= coefficient }
        gradient[gradient.count - 1] += online.entropyBonus
        var parameters = gaussian.parameters
        optimizer.ascend(&parameters, along: gradient)
        gaussian.parameters = parameters
    }

    /// `∇ log P(candidate at position | x)` with respect to `[θ…, log σ]` (see
    /// ``learn(from:weight:)``), or `nil` when the bin's mass underflows.
    func gradientOfLogProbability(position: Int, candidates: [Int], features: [Double]) -> [Double]? {
        let mu = mean(features), sigma = exp(gaussian.logStandardDeviation)
        let (lower, upper) = binEdges(of: position, candidates: candidates)
        let a = (lower - mu) / sigma, b = (upper - mu) / sigma
        let mass = Self.normalCDF(b) - Self.normalCDF(a)
        guard mass > 1e-300 else { return nil }
        let dMean = (Self.density(a) - Self.density(b)) / (sigma * mass)
        return features.map { dMean * $0 } + [(Self.tilted(a) - Self.tilted(b)) / mass]
    }

    /// The edges of the bin of the candidate at `position` (prices within the guardrails, ties
    /// sharing a bin): ±∞ at the ends.
    func binEdges(of position: Int, candidates: [Int]) -> (Double, Double) {
        let price = prices[candidates[position]]
        var below = -Double.infinity, above = Double.infinity
        for c in candidates {
            let p = prices[c]
            guard p >= gaussian.low, p <= gaussian.high else { continue }
            if p < price { below = max(below, p) }
            if p > price { above = min(above, p) }
        }
        return (below == -.infinity ? below : (below + price) / 2, above == .infinity ? above : (price + above) / 2)
    }

    /// `φ(z)`, 0 at ±∞.
    static func density(_ z: Double) -> Double { z.isFinite ? exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() : 0 }
    /// `z φ(z)`, 0 at ±∞.
    static func tilted(_ z: Double) -> Double { z.isFinite ? z * density(z) : 0 }
}

// MARK: - Snapshots

extension GaussianPricePointPolicy {
    struct SnapshotState: Codable {
        var modelVersion: Int
        var meanWeights: [Double]
        var logStandardDeviation: Double
        var optimizer: Adam
        var rewardBaseline: Double
    }

    /// The complete model state (`θ`, `log σ`, optimiser moments, reward baseline, version).
    /// - Throws: `BanditsError.corruptSnapshot` if the state cannot be encoded.
    public func snapshot() throws(BanditsError) -> PolicySnapshot {
        try PolicySnapshot(kind: Self.kind, fingerprint: fingerprint, modelVersion: modelVersion,
                           state: SnapshotState(modelVersion: modelVersion, meanWeights: gaussian.meanWeights,
                                                logStandardDeviation: gaussian.logStandardDeviation, optimizer: optimizer,
                                                rewardBaseline: rewardBaseline))
    }

    /// Replaces the model state with `snapshot`'s.
    /// - Throws: `BanditsError.corruptSnapshot` for a damaged or misshapen payload,
    ///   `.snapshotMismatch` for another kind or configuration. Nothing changes on error.
    public mutating func restore(from snapshot: PolicySnapshot) throws(BanditsError) {
        let state = try snapshot.state(SnapshotState.self, kind: Self.kind, fingerprint: fingerprint)
        guard state.meanWeights.count == gaussian.meanWeights.count, state.meanWeights.allSatisfy(\.isFinite),
              state.logStandardDeviation >= gaussian.minimumLogStandardDeviation, state.logStandardDeviation <= gaussian.maximumLogStandardDeviation,
              state.optimizer.m.count == gaussian.parameters.count, state.optimizer.v.count == gaussian.parameters.count, state.rewardBaseline.isFinite
        else { throw .corruptSnapshot(reason: "the model state does not have this policy's shape") }
        gaussian.parameters = state.meanWeights + [state.logStandardDeviation]
        optimizer = state.optimizer
        rewardBaseline = state.rewardBaseline
        modelVersion = state.modelVersion
    }
}
