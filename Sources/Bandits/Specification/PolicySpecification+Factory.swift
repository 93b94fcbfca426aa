// MARK: - Building the live policy

extension PolicySpecification {
    /// Builds the live, untrained policy this specification describes.
    ///
    /// The scorer comes from `algorithm`, the explorer from `explorer` (or the algorithm's
    /// own when absent: the optimistic argmax for the UCB learners, the greedy choice over
    /// posterior draws for the Thompson samplers), the context dimension from the feature
    /// schema, the segment count from `segmentation` (`per_segment` keeps one model per
    /// segment; `linucb` and `linear_thompson` with any other strategy than `global` are a
    /// ``SegmentedLinUCB``, scoring optimistically or by posterior draws). The policy's fingerprint includes ``fingerprint``, so it only restores
    /// snapshots taken from this very file.
    ///
    /// The result is an existential for tools that load any policy file; hot loops build the
    /// concrete `ContextualBandit<Scorer, Explorer>` type directly.
    /// - Throws: `BanditsError.invalidSpecification` when ``validate()`` fails;
    ///   `BanditsError.invalidParameter` for a hyper-parameter the learner refuses.
    /// - Complexity: O(K d²) memory for the linear learners.
    public func makePolicy() throws(BanditsError) -> any Policy {
        try validate()
        let actions = try ActionCatalog(catalog.map(\.action))
        let d = featureSchema.dimension
        let k = actions.count
        let segments = segmentation?.strategy == .perSegment ? (segmentation?.count ?? 1) : 1
        let a = algorithm
        switch a.kind {
        case .linucb:
            if let segmentation, segmentation.strategy != .global {
                let configuration = try SegmentedLinUCB.Configuration(
                    alpha: a.alpha ?? 1, ridge: a.ridge ?? 1, forgetting: a.forgetting ?? 1, strategy: segmentation.strategy,
                    segmentCount: segmentation.count, shrinkage: segmentation.shrinkage ?? 1, window: a.window ?? 0)
                let scorer = try SegmentedLinUCB(actionCount: k, contextDimension: d, configuration: configuration)
                return try bandit(scorer, catalog: actions, defaultExplorer: OptimisticArgmax())
            }
            let scorer = try LinUCB(actionCount: k, contextDimension: d,
                                    configuration: .init(alpha: a.alpha ?? 1, ridge: a.ridge ?? 1, forgetting: a.forgetting ?? 1,
                                                         window: a.window ?? 0))
            return try bandit(scorer, catalog: actions, defaultExplorer: OptimisticArgmax())
        case .sharedLinucb:
            let scorer = try SharedLinUCB(catalog: actions, contextDimension: d,
                                          configuration: .init(alpha: a.alpha ?? 1, ridge: a.ridge ?? 1, forgetting: a.forgetting ?? 1))
            return try bandit(scorer, catalog: actions, defaultExplorer: OptimisticArgmax())
        case .hybridLinucb:
            let scorer = try HybridLinUCB(catalog: actions, contextDimension: d,
                                          configuration: .init(alpha: a.alpha ?? 1, ridge: a.ridge ?? 1))
            return try bandit(scorer, catalog: actions, defaultExplorer: OptimisticArgmax())
        case .sharedThompson:
            let scorer = try SharedLinUCB(catalog: actions, contextDimension: d, configuration: .init(
                alpha: 0, ridge: a.ridge ?? 1, samples: a.samples ?? 32, scale: (a.variance ?? 1).squareRoot(),
                forgetting: a.forgetting ?? 1))
            return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
        case .hybridThompson:
            let scorer = try HybridLinUCB(catalog: actions, contextDimension: d, configuration: .init(
                alpha: 0, ridge: a.ridge ?? 1, samples: a.samples ?? 32, scale: (a.variance ?? 1).squareRoot()))
            return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
        case .logisticUCB:
            let scorer = try LogisticUCB(actionCount: k, contextDimension: d, configuration: .init(
                alpha: a.alpha ?? 1, ridge: a.ridge ?? 1, forgetting: a.forgetting ?? 1))
            return try bandit(scorer, catalog: actions, defaultExplorer: OptimisticArgmax())
        case .linearThompson:
            if let segmentation, segmentation.strategy != .global {
                let configuration = try SegmentedLinUCB.Configuration(
                    alpha: 0, ridge: a.ridge ?? 1, forgetting: a.forgetting ?? 1, strategy: segmentation.strategy,
                    segmentCount: segmentation.count, shrinkage: segmentation.shrinkage ?? 1,
                    samples: a.samples ?? 32, scale: (a.variance ?? 1).squareRoot(), window: a.window ?? 0)
                let scorer = try SegmentedLinUCB(actionCount: k, contextDimension: d, configuration: configuration)
                return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
            }
            let configuration = try LinearThompsonSampling.Configuration(
                scale: (a.variance ?? 1).squareRoot(), ridge: a.ridge ?? 1, forgetting: a.forgetting ?? 1, samples: a.samples ?? 32,
                window: a.window ?? 0)
            let scorer = try LinearThompsonSampling(actionCount: k, contextDimension: d, configuration: configuration)
            return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
        case .logisticThompson:
            let configuration = try LogisticThompsonSampling.Configuration(
                scale: (a.variance ?? 1).squareRoot(), ridge: a.ridge ?? 1, samples: a.samples ?? 32, forgetting: a.forgetting ?? 1)
            let scorer = try LogisticThompsonSampling(actionCount: k, contextDimension: d, configuration: configuration)
            return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
        case .bootstrapThompson:
            let configuration = try BootstrapThompson.Configuration(
                bags: a.bags ?? 10, ridge: a.ridge ?? 1, samples: a.samples ?? 32, seed: a.seed ?? 0, forgetting: a.forgetting ?? 1)
            let scorer = try BootstrapThompson(actionCount: k, contextDimension: d, configuration: configuration)
            return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
        case .ucb1:
            let scorer = try UCB1(actionCount: k, contextDimension: d,
                                  configuration: .init(alpha: a.alpha ?? 1, segmentCount: segments, forgetting: a.forgetting ?? 1))
            return try bandit(scorer, catalog: actions, defaultExplorer: OptimisticArgmax())
        case .betaBernoulli:
            let configuration = try BetaBernoulliThompson.Configuration(
                priorAlpha: a.priorAlpha ?? 1, priorBeta: a.priorBeta ?? 1, samples: a.samples ?? 32, segmentCount: segments,
                forgetting: a.forgetting ?? 1)
            let scorer = try BetaBernoulliThompson(actionCount: k, contextDimension: d, configuration: configuration)
            return try bandit(scorer, catalog: actions, defaultExplorer: Greedy())
        case .priceThompson:
            let margins = catalog.map { ($0.price ?? 0) - ($0.cost ?? 0) }
            let configuration = try PriceLadderThompson.Configuration(
                margins: margins, priorAlpha: a.priorAlpha ?? 1, priorBeta: a.priorBeta ?? 1, samples: a.samples ?? 32,
                segmentCount: segments, forgetting: a.forgetting ?? 1)
            return try bandit(PriceLadderThompson(contextDimension: d, configuration: configuration),
                              catalog: actions, defaultExplorer: Greedy())
        }
    }

    /// The bandit of `scorer` with the specified explorer, or `defaultExplorer`.
    private func bandit<S: Scorer, D: Explorer>(
        _ scorer: S, catalog: ActionCatalog, defaultExplorer: D
    ) throws(BanditsError) -> any Policy {
        let seed = algorithm.seed ?? 0
        let salt = fingerprint
        guard let e = explorer else {
            return try ContextualBandit(catalog: catalog, scorer: scorer, explorer: defaultExplorer, seed: seed, salt: salt)
        }
        switch e.kind {
        case .greedy:
            return try ContextualBandit(catalog: catalog, scorer: scorer, explorer: Greedy(), seed: seed, salt: salt)
        case .epsilonGreedy:
            return try ContextualBandit(catalog: catalog, scorer: scorer, explorer: EpsilonGreedy(epsilon: e.epsilon ?? .nan),
                                        seed: seed, salt: salt)
        case .softmax:
            return try ContextualBandit(catalog: catalog, scorer: scorer, explorer: Softmax(temperature: e.temperature ?? .nan),
                                        seed: seed, salt: salt)
        case .squarecb:
            return try ContextualBandit(catalog: catalog, scorer: scorer, explorer: SquareCB(gamma: e.gamma ?? .nan),
                                        seed: seed, salt: salt)
        }
    }
}

// MARK: - Constraints

extension PolicySpecification {
    /// The ``DecisionGuard`` enforcing this file's frequency caps, budgets and price
    /// guardrails over its catalog (a guard with nothing to enforce when `constraints` is absent).
    /// - Throws: `BanditsError.invalidSpecification` when ``validate()`` fails.
    /// - Complexity: O(catalog size + constraints).
    public func makeDecisionGuard() throws(BanditsError) -> DecisionGuard {
        try validate()
        return try DecisionGuard(constraints, catalog: ActionCatalog(catalog.map(\.action)))
    }
}
