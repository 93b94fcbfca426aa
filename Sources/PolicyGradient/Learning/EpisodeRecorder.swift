#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects interleaved decision steps of many episodes (customer journeys) and turns them
/// into a ``TrajectoryBatch`` with discounted returns.
///
/// Steps of one episode are recorded in time order, interleaved with other episodes' steps
/// as customers arrive. The return of a step discounts later rewards of the *same* episode
/// by the time elapsed:
///
/// ```
/// G_t = r_t + γ^(τ_{t+1} − τ_t) G_{t+1}          (G = r at an episode's last step)
/// ```
/// with `γ` the discount per unit of time (e.g. per week, with times in weeks). Rewards after
/// the recorded horizon are not seen, so the return is the discounted reward within the
/// horizon, which is the objective "discounted margin over 26 weeks" measures.
public struct EpisodeRecorder: Sendable {
    /// The discount factor per unit of time, in (0, 1].
    public let discount: Double
    var steps: TrajectoryBatch
    var episodes: [Int] = []
    var times: [Double] = []
    var rewards: [Double] = []

    /// An empty recorder.
    /// - Throws: `PolicyGradientError.invalidParameter` for a discount outside (0, 1] or a bad
    ///   dimension or action count.
    public init(dimension: Int, actionCount: Int, discount: Double) throws(PolicyGradientError) {
        guard discount > 0, discount <= 1 else { throw .invalidParameter(field: "discount", value: "\(discount)", expected: "a number in (0, 1]") }
        self.discount = discount
        self.steps = try TrajectoryBatch(dimension: dimension, actionCount: actionCount)
    }

    /// The number of steps recorded.
    public var count: Int { steps.count }

    /// Records one step of episode `episode` at time `time` (non-decreasing within an episode).
    /// - Throws: as `TrajectoryBatch.append(features:candidates:action:behaviourProbability:return:)`,
    ///   and `.nonFinite` for a non-finite time or reward.
    public mutating func record(episode: Int, time: Double, features: [Double], candidates: [Int], action: Int,
                                behaviourProbability: Double, reward: Double) throws(PolicyGradientError) {
        guard time.isFinite else { throw .nonFinite(field: "time") }
        guard reward.isFinite else { throw .nonFinite(field: "reward") }
        try steps.append(features: features, candidates: candidates, action: action, behaviourProbability: behaviourProbability, return: reward)
        episodes.append(episode)
        times.append(time)
        rewards.append(reward)
    }

    /// The recorded steps with their discounted returns; the recorder is emptied.
    /// - Complexity: O(steps) time and O(episodes) extra memory.
    public mutating func finish() -> TrajectoryBatch {
        var returns = Array(repeating: 0.0, count: steps.count)
        var next: [Int: (time: Double, value: Double)] = [:]
        for t in stride(from: steps.count - 1, through: 0, by: -1) {
            var g = rewards[t]
            if let later = next[episodes[t]] { g += pow(discount, later.time - times[t]) * later.value }
            returns[t] = g
            next[episodes[t]] = (times[t], g)
        }
        var batch = steps
        batch.replaceReturns(returns)
        steps.removeAll()
        episodes.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        rewards.removeAll(keepingCapacity: true)
        return batch
    }
}

extension TrajectoryBatch {
    mutating func replaceReturns(_ values: [Double]) { returns = values }
}
