#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Bandits

// MARK: - Softmax, log-probability and entropy gradients

extension SoftmaxPolicy {
    /// The softmax of `scores` (indexed by catalog action) over `candidates`, written aligned
    /// with `candidates` into `probabilities`; the maximum is subtracted first so that large
    /// scores cannot overflow.
    /// - Complexity: O(candidates), no allocation once `probabilities` has grown.
    @inlinable
    public static func softmax(_ scores: [Double], among candidates: [Int], into probabilities: inout [Double]) {
        if probabilities.count != candidates.count { probabilities = Array(repeating: 0, count: candidates.count) }
        var top = -Double.infinity
        for c in candidates { top = Swift.max(top, scores[c]) }
        var sum = 0.0
        for i in 0..<candidates.count {
            let e = exp(scores[candidates[i]] - top)
            probabilities[i] = e
            sum += e
        }
        for i in 0..<candidates.count { probabilities[i] /= sum }
    }

    /// Adds `coefficient · ∂log π(chosen)/∂s + entropyBonus · ∂H/∂s` to `scoreGradient`
    /// (indexed by catalog action):
    ///
    /// ```
    /// ∂log π(a)/∂s_b = 1[b = a] − π(b)        ∂H/∂s_b = −π(b) (log π(b) + H)
    /// ```
    /// - Parameter chosen: The chosen action's position in `candidates` (or −1 for none).
    /// - Complexity: O(candidates), no allocation.
    @inlinable
    public static func accumulateScoreGradient(probabilities: [Double], among candidates: [Int], chosen: Int,
                                               coefficient: Double, entropyBonus: Double, into scoreGradient: inout [Double]) {
        if coefficient != 0 {
            for i in 0..<candidates.count {
                scoreGradient[candidates[i]] += coefficient * ((i == chosen ? 1 : 0) - probabilities[i])
            }
        }
        if entropyBonus != 0 {
            var h = 0.0
            for p in probabilities where p > 0 { h -= p * log(p) }
            for i in 0..<candidates.count where probabilities[i] > 0 {
                let p = probabilities[i]
                scoreGradient[candidates[i]] -= entropyBonus * p * (log(p) + h)
            }
        }
    }

    /// `∇θ log π(action | x, candidates)`, one entry per scorer parameter.
    /// - Throws: `BanditsError` as ``distribution(for:among:into:)``, and
    ///   `.invalidParameter` when `action` is not a candidate.
    /// - Complexity: O(d K) for a linear scorer.
    public func gradientOfLogProbability(of action: Int, for context: Context, among candidates: [Int]) throws(BanditsError) -> [Double] {
        var p: [Double] = []
        try distribution(for: context, among: candidates, into: &p)
        guard let position = candidates.firstIndex(of: action) else {
            throw .invalidParameter(field: "action", value: "\(action)", expected: "one of the candidates \(candidates)")
        }
        var g = Array(repeating: 0.0, count: catalog.count)
        Self.accumulateScoreGradient(probabilities: p, among: candidates, chosen: position, coefficient: 1, entropyBonus: 0, into: &g)
        return parameterGradient(context: context, scoreGradient: g)
    }

    /// The entropy `H = −Σ π log π` of `π(· | x, candidates)`, in nats.
    /// - Throws: as ``distribution(for:among:into:)``.
    public func entropy(for context: Context, among candidates: [Int]) throws(BanditsError) -> Double {
        var p: [Double] = []
        try distribution(for: context, among: candidates, into: &p)
        return p.reduce(0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
    }

    /// `∇θ H(π(· | x, candidates))`.
    /// - Throws: as ``distribution(for:among:into:)``.
    public func gradientOfEntropy(for context: Context, among candidates: [Int]) throws(BanditsError) -> [Double] {
        var p: [Double] = []
        try distribution(for: context, among: candidates, into: &p)
        var g = Array(repeating: 0.0, count: catalog.count)
        Self.accumulateScoreGradient(probabilities: p, among: candidates, chosen: -1, coefficient: 0, entropyBonus: 1, into: &g)
        return parameterGradient(context: context, scoreGradient: g)
    }

    func parameterGradient(context: Context, scoreGradient: [Double]) -> [Double] {
        var out = Array(repeating: 0.0, count: scorer.parameters.count)
        var work = ScorerWorkspace()
        var s = Array(repeating: 0.0, count: catalog.count)
        context.features.withUnsafeBufferPointer { x in
            s.withUnsafeMutableBufferPointer { sp in scorer.scores(x, rows: 1, into: sp, workspace: &work) }
            scoreGradient.withUnsafeBufferPointer { g in
                out.withUnsafeMutableBufferPointer { o in scorer.accumulateGradient(x, rows: 1, scoreGradient: g, into: o, workspace: &work) }
            }
        }
        return out
    }
}
