/// A scorer whose statistics are additive, so shards trained on disjoint data merge into
/// the model one learner fed everything would hold (scale-out: stateless deciders, several
/// trainers).
public protocol MergeableScorer: Scorer {
    /// Adds the observations `other` holds; both must have started from the same untrained
    /// configuration.
    /// - Throws: `BanditsError.snapshotMismatch` for another configuration,
    ///   `BanditsError.invalidParameter` when the configuration cannot merge (forgetting),
    ///   `BanditsError.numerical` on a numerical failure.
    mutating func merge(_ other: Self) throws(BanditsError)
}

extension LinUCB: MergeableScorer {
    /// Adds the shard's ridge statistics per action (`A = A₁ + A₂ − λI`, `b = b₁ + b₂`).
    /// - Throws: as ``MergeableScorer/merge(_:)``.
    /// - Complexity: O(K d³).
    public mutating func merge(_ other: LinUCB) throws(BanditsError) {
        guard other.configuration == configuration else { throw .snapshotMismatch(reason: "the shard has another configuration") }
        try arms.merge(other.arms)
    }
}

extension LinearThompsonSampling: MergeableScorer {
    /// Adds the shard's ridge statistics per action (`A = A₁ + A₂ − λI`, `b = b₁ + b₂`).
    /// - Throws: as ``MergeableScorer/merge(_:)``.
    /// - Complexity: O(K d³).
    public mutating func merge(_ other: LinearThompsonSampling) throws(BanditsError) {
        guard other.configuration == configuration else { throw .snapshotMismatch(reason: "the shard has another configuration") }
        try arms.merge(other.arms)
    }
}

extension UCB1: MergeableScorer {
    /// Adds the shard's counts and reward sums.
    /// - Throws: `BanditsError.snapshotMismatch` for another configuration or shape.
    /// - Complexity: O(S K).
    public mutating func merge(_ other: UCB1) throws(BanditsError) {
        guard other.configuration == configuration, other.actionCount == actionCount else {
            throw .snapshotMismatch(reason: "the shard has another configuration")
        }
        for i in counts.indices {
            counts[i] += other.counts[i]
            rewardSums[i] += other.rewardSums[i]
        }
        for s in segmentTotals.indices { segmentTotals[s] += other.segmentTotals[s] }
    }
}

extension BetaBernoulliThompson: MergeableScorer {
    /// Adds the shard's successes and failures (its prior counted once).
    /// - Throws: `BanditsError.snapshotMismatch` for another configuration or shape.
    /// - Complexity: O(S K).
    public mutating func merge(_ other: BetaBernoulliThompson) throws(BanditsError) {
        guard other.configuration == configuration, other.actionCount == actionCount else {
            throw .snapshotMismatch(reason: "the shard has another configuration")
        }
        guard configuration.forgetting == 1 else {
            throw .invalidParameter(field: "forgetting", value: "\(configuration.forgetting)",
                                    expected: "1 to merge shards (discounted statistics have no common clock)")
        }
        for i in alphas.indices {
            alphas[i] += other.alphas[i] - configuration.priorAlpha
            betas[i] += other.betas[i] - configuration.priorBeta
        }
    }
}

extension ContextualBandit where S: MergeableScorer {
    /// Merges a shard of this policy (same configuration, trained on other data): the model
    /// becomes the one a single learner fed both shards' interactions would hold, and the
    /// model versions add.
    /// - Throws: `BanditsError.snapshotMismatch` when `other` has another fingerprint; as
    ///   ``MergeableScorer/merge(_:)`` otherwise.
    /// - Complexity: that of the scorer's merge.
    public mutating func merge(_ other: ContextualBandit<S, E>) throws(BanditsError) {
        guard other.fingerprint == fingerprint else {
            throw .snapshotMismatch(reason: "the shard was built from another policy configuration")
        }
        try scorer.merge(other.scorer)
        modelVersion += other.modelVersion
    }
}
