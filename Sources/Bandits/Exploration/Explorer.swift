/// Turns a scorer's per-candidate scores into the exact distribution a policy samples from.
///
/// An explorer sees two aligned arrays per decision: `estimates` (the scorer's estimate of
/// each candidate's reward, or a posterior sample of it) and `bonuses` (the scorer's
/// optimistic bonus, 0 for scorers without one). It writes a probability for each candidate;
/// actions that are not candidates are never represented, so their probability is exactly 0.
/// The written distribution is the one the policy samples from, so the logged propensity is
/// exact.
///
/// Explorers are small `Codable` values: their parameters are part of a policy's
/// configuration and fingerprint.
///
/// ## References
/// The split between a regressor and an exploration reduction follows Vowpal Wabbit's
/// `cb_explore_adf` (`--epsilon`, `--softmax`, `--squarecb`).
public protocol Explorer: Sendable, Codable, Equatable {
    /// The algorithm id used in snapshots and policy files, in `snake_case` (e.g. `"epsilon_greedy"`).
    static var kind: String { get }

    /// Writes the distribution over the `estimates.count` candidates into `probabilities`.
    ///
    /// - Parameters:
    ///   - estimates: Reward estimate (or posterior sample) of each candidate; finite.
    ///   - bonuses: Optimistic bonus of each candidate, same count as `estimates`; finite, ≥ 0.
    ///   - probabilities: Receives one probability per candidate; resized to `estimates.count`
    ///     (no allocation when its capacity suffices). Non-negative, summing to 1.
    /// - Complexity: O(n) for n candidates, no allocation in the steady state.
    func distribution(estimates: [Double], bonuses: [Double], into probabilities: inout [Double])

    /// Checks the parameters.
    /// - Throws: `BanditsError.invalidParameter` naming the bad field.
    func validate() throws(BanditsError)
}

extension Explorer {
    /// The distribution over candidates as a new array (allocates; for tests and tools).
    public func distribution(estimates: [Double], bonuses: [Double]? = nil) -> [Double] {
        var p: [Double] = []
        distribution(estimates: estimates, bonuses: bonuses ?? Array(repeating: 0, count: estimates.count), into: &p)
        return p
    }
}

// MARK: - Shared helpers

/// Resizes `array` to `count` elements, keeping its storage when the capacity suffices.
@inlinable
func resize(_ array: inout [Double], to count: Int) {
    if array.count != count {
        if array.count > count {
            array.removeLast(array.count - count)
        } else {
            array.append(contentsOf: repeatElement(0, count: count - array.count))
        }
    }
}

/// Puts mass `total` evenly on the maxima of `score(i)` (exact ties split evenly), 0 elsewhere
/// is *not* written: the caller has initialised `probabilities`. Returns the maximum.
@inline(__always)
@discardableResult
func addArgmaxMass(
    _ total: Double, count n: Int, into probabilities: inout [Double], score: (Int) -> Double
) -> Double {
    var best = -Double.infinity
    var ties = 0
    for i in 0..<n {
        let s = score(i)
        if s > best { best = s; ties = 1 } else if s == best { ties += 1 }
    }
    let share = total / Double(ties)
    for i in 0..<n where score(i) == best { probabilities[i] += share }
    return best
}
