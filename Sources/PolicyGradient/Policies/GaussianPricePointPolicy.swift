#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Bandits
import Foundation

/// A ``GaussianPricePolicy`` over a catalog of price points, as a `Bandits.Policy`: the
/// clamped Gaussian draw is rounded to the nearest candidate price, so each candidate's
/// probability is the Gaussian's mass on its bin, and that exact probability is what a
/// decision logs as its propensity.
///
/// With the candidate prices sorted, `p₁ < … < p_K` (all within the guardrails), the bins are
/// cut at the midpoints `m_i = (p_i + p_{i+1}) / 2`; the draw is clamped to `[low, high]`
/// first, so the mass below `low` falls in the lowest bin and the mass above `high` in the
/// highest:
///
/// ```
/// P(p_i | x) = Φ((m_i − μ(x))/σ) − Φ((m_{i−1} − μ(x))/σ),    m_0 = −∞, m_K = +∞,  μ(x) = θᵀx
/// ```
/// Candidates at the same price share their bin evenly; catalog prices outside the guardrails
/// are never chosen (probability 0, and a request offering only such prices has no eligible
/// action). ``learn(from:weight:)`` is a one-step REINFORCE update of `[θ, log σ]` on
/// `∇ log P(p_a | x)` with a running reward baseline and truncated importance weights; with a
/// learning rate of 0 the policy is frozen, as served.
///
/// ## References
/// Williams (1992), Gaussian REINFORCE units; Fujita & Maeda, "Clipped action policy gradient", ICML 2018.
public struct GaussianPricePointPolicy: Policy {
    /// The snapshot kind.
    public static var kind: String { "policy_gradient_gaussian_price_points" }

    /// The price actions; each has a `price`.
    public let catalog: ActionCatalog
    /// The Gaussian over prices.
    public internal(set) var gaussian: GaussianPricePolicy
    /// The per-interaction update (its learning rate 0 freezes the policy).
    public let online: SoftmaxPolicy<LinearScorer>.OnlineUpdate
    /// Identifies the configuration (guardrails, bounds, catalog, online update, salt).
    public let fingerprint: String
    /// Increases by one with every interaction learned.
    public internal(set) var modelVersion = 0
    /// The context dimension.
    public var contextDimension: Int { gaussian.contextDimension }

    let prices: [Double]
    var optimizer: Adam
    var rewardBaseline = 0.0
    var order: [Int] = []

    /// A policy over `catalog`'s price points.
    /// - Throws: `PolicyGradientError.invalidParameter` when an action has no finite price.
    public init(catalog: ActionCatalog, gaussian: GaussianPricePolicy, online: SoftmaxPolicy<LinearScorer>.OnlineUpdate? = nil,
                salt: String = "") throws(PolicyGradientError) {
        var prices: [Double] = []
        for (k, action) in catalog.actions.enumerated() {
            guard let price = action.price, price.isFinite else {
                throw .invalidParameter(field: "catalog[\(k)].price", value: "\(action.price.map { "\($0)" } ?? "none")", expected: "a finite price")
            }
            prices.append(price)
        }
        let update: SoftmaxPolicy<LinearScorer>.OnlineUpdate
        if let online { update = online } else { update = try .init() }
        self.catalog = catalog
        self.gaussian = gaussian
        self.online = update
        self.prices = prices
        self.optimizer = try Adam(count: gaussian.parameters.count, learningRate: update.learningRate)
        let identity = "\(Self.kind)|\(gaussian.low)|\(gaussian.high)|\(gaussian.minimumLogStandardDeviation)|\(gaussian.maximumLogStandardDeviation)|"
            + "\(gaussian.contextDimension)|" + zip(catalog.actions, prices).map { "\($0.id.rawValue)=\($1)" }.joined(separator: ",")
            + "|\(update.learningRate)|\(update.baselineDecay)|\(update.importanceWeightCap)|\(update.entropyBonus)|\(salt)"
        self.fingerprint = PolicySnapshot.fnv1a64(Data(identity.utf8))
    }

    // MARK: - Distribution

    /// Writes `P(p_i | x)` for each candidate into `probabilities`.
    /// - Throws: `BanditsError` for a wrong dimension, a non-finite feature, an unknown or empty
    ///   candidate list, or candidates whose prices are all outside the guardrails.
    /// - Complexity: O(d + K log K).
    public func distribution(for context: Context, among candidates: [Int], into probabilities: inout [Double]) throws(BanditsError) {
        try context.validate(dimension: contextDimension)
        try validateCandidates(candidates)
        var order: [Int] = []
        try Self.binProbabilities(prices: prices, candidates: candidates, mean: mean(context.features), sigma: exp(gaussian.logStandardDeviation),
                                  low: gaussian.low, high: gaussian.high, order: &order, into: &probabilities)
    }

    /// Samples a price point from ``distribution(for:among:into:)``.
    /// - Throws: as ``distribution(for:among:into:)``.
    public mutating func decide(for context: Context, among candidates: [Int], using generator: inout SeededGenerator, into decision: inout Decision) throws(BanditsError) {
        try context.validate(dimension: contextDimension)
        try validateCandidates(candidates)
        try Self.binProbabilities(prices: prices, candidates: candidates, mean: mean(context.features), sigma: exp(gaussian.logStandardDeviation),
                                  low: gaussian.low, high: gaussian.high, order: &order, into: &decision.probabilities)
        let position = ActionDistribution.sample(decision.probabilities, using: &generator)
        decision.position = position
        decision.action = candidates[position]
        if decision.candidates != candidates { decision.candidates = candidates }
        decision.modelVersion = modelVersion
    }

    func mean(_ x: [Double]) -> Double {
        var m = 0.0
        for j in 0..<x.count { m += gaussian.meanWeights[j] * x[j] }
        return m
    }

    /// The bin masses of the candidates (see the type's documentation), renormalised so that
    /// rounding never leaves the sum away from 1.
    static func binProbabilities(prices: [Double], candidates: [Int], mean mu: Double, sigma: Double, low: Double, high: Double,
                                 order: inout [Int], into probabilities: inout [Double]) throws(BanditsError) {
        probabilities.removeAll(keepingCapacity: true)
        for _ in candidates { probabilities.append(0) }
        order.removeAll(keepingCapacity: true)
        for i in candidates.indices where prices[candidates[i]] >= low && prices[candidates[i]] <= high { order.append(i) }
        guard !order.isEmpty else { throw .noEligibleAction }
        order.sort { prices[candidates[$0]] < prices[candidates[$1]] }
        var lowerTail = 0.0   // Φ at the bin's lower edge
        var start = 0
        var total = 0.0
        while start < order.count {
            let price = prices[candidates[order[start]]]
            var end = start + 1
            while end < order.count && prices[candidates[order[end]]] == price { end += 1 }
            let upper: Double
            if end == order.count {
                upper = 1
            } else {
                let edge = (price + prices[candidates[order[end]]]) / 2
                upper = normalCDF((edge - mu) / sigma)
            }
            let share = max(0, upper - lowerTail) / Double(end - start)
            for k in start..<end { probabilities[order[k]] = share }
            total += share * Double(end - start)
            lowerTail = upper
            start = end
        }
        guard total > 0 else { throw .invalidParameter(field: "distribution", value: "all bins empty", expected: "a finite mean") }
        for k in probabilities.indices { probabilities[k] /= total }
    }

    /// `Φ(z) = ½ erfc(−z/√2)`.
    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}
