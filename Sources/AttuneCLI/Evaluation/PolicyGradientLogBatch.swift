import AttuneCore
import Bandits
import Evaluation
import PolicyGradient

/// A decision log as a policy-gradient batch (the glue between `Evaluation`'s reader and
/// `PolicyGradient`'s learner, which do not depend on each other).
enum PolicyGradientLogBatch {
    /// One step per logged round: its context, candidates and chosen action mapped to the
    /// policy's catalog by id (logs without action ids name actions `0…K−1`, taken as catalog
    /// indices), the logged propensity as the behaviour probability, and the reward as the
    /// return (the log has no customer journeys, so returns are one-step).
    /// - Throws: `PolicyGradientError.invalidSpecification` for an action id the catalog does
    ///   not have, `.dimensionMismatch` for contexts of another dimension, and as
    ///   `TrajectoryBatch.append(features:candidates:action:behaviourProbability:return:)`
    ///   (naming the log line) for a bad round.
    static func make(from log: DecisionLog, catalog: ActionCatalog, dimension: Int) throws(PolicyGradientError) -> TrajectoryBatch {
        guard log.contextDimension == dimension else {
            throw .dimensionMismatch(field: "\(log.source): context", expected: dimension, actual: log.contextDimension)
        }
        let numbered = log.actionIDs.allSatisfy { Int($0).map { (0..<catalog.count).contains($0) } ?? false }
        var index: [Int] = []
        for id in log.actionIDs {
            if let k = catalog.index(of: ActionID(id)) {
                index.append(k)
            } else if numbered, let k = Int(id) {
                index.append(k)
            } else {
                throw .invalidSpecification(path: "\(log.source): action '\(id)'", problem: "the policy's catalog has no such action",
                                            fix: "learn from a log of the same catalog (\(catalog.actions.map(\.id.rawValue).joined(separator: ", ")))")
            }
        }
        var batch = try TrajectoryBatch(dimension: dimension, actionCount: catalog.count)
        var candidates: [Int] = []
        for i in 0..<log.count {
            candidates.removeAll(keepingCapacity: true)
            for j in log.candidateRange(i) { candidates.append(index[log.candidates[j]]) }
            let features = Array(log.contexts[(i * dimension)..<((i + 1) * dimension)])
            do {
                try batch.append(features: features, candidates: candidates, action: index[log.chosenAction(i)],
                                 behaviourProbability: log.propensities[i], return: log.rewards[i])
            } catch {
                throw .invalidSpecification(path: "\(log.source):\(log.lineNumbers[i])", problem: error.description, fix: "fix or drop the line")
            }
        }
        return batch
    }
}
