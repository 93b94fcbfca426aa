import AttuneCore
import Bandits
import Foundation

// MARK: - Validation

extension PolicyGradientSpecification {
    /// Checks the fields the types cannot: the format, the family's required parts, ranges.
    /// - Throws: `PolicyGradientError.invalidSpecification` with the JSON path, the problem and the fix.
    public func validate() throws(PolicyGradientError) {
        guard format == Self.currentFormat else {
            throw .invalidSpecification(path: "$.format", problem: "'\(format)' is not a policy-gradient format", fix: "write \"\(Self.currentFormat)\"")
        }
        guard !id.isEmpty else { throw .invalidSpecification(path: "$.id", problem: "the id is empty", fix: "name the policy") }
        guard objective.discountPerWeek > 0, objective.discountPerWeek <= 1 else {
            throw .invalidSpecification(path: "$.objective.discount_per_week", problem: "\(objective.discountPerWeek) is outside (0, 1]", fix: "use e.g. 0.99")
        }
        guard objective.horizonWeeks > 0, objective.horizonWeeks.isFinite else {
            throw .invalidSpecification(path: "$.objective.horizon_weeks", problem: "\(objective.horizonWeeks) is not a positive number", fix: "use e.g. 26")
        }
        guard featureSchema.dimension >= 1 else {
            throw .invalidSpecification(path: "$.feature_schema", problem: "it declares no feature", fix: "list features or set \"intercept\": true")
        }
        switch policy.kind {
        case "softmax":
            guard let catalog, !catalog.isEmpty else {
                throw .invalidSpecification(path: "$.catalog", problem: "a softmax policy needs actions", fix: "list the offers")
            }
            guard let scorer = policy.scorer else {
                throw .invalidSpecification(path: "$.policy.scorer", problem: "missing", fix: "write {\"kind\": \"linear\"} or {\"kind\": \"mlp\", \"hidden\": 16}")
            }
            guard scorer.kind == "linear" || scorer.kind == "mlp" else {
                throw .invalidSpecification(path: "$.policy.scorer.kind", problem: "unknown scorer '\(scorer.kind)'", fix: "use \"linear\" or \"mlp\"")
            }
            if scorer.kind == "mlp", (scorer.hidden ?? 0) < 1 {
                throw .invalidSpecification(path: "$.policy.scorer.hidden", problem: "an MLP needs a hidden width ≥ 1", fix: "write e.g. \"hidden\": 16")
            }
        case "gaussian_price":
            guard let g = policy.guardrails else {
                throw .invalidSpecification(path: "$.policy.guardrails", problem: "a price policy needs guardrails", fix: "write {\"low\": …, \"high\": …}")
            }
            guard g.low.isFinite, g.high.isFinite, g.low < g.high else {
                throw .invalidSpecification(path: "$.policy.guardrails", problem: "low \(g.low) is not below high \(g.high)", fix: "write finite low < high")
            }
            if let catalog {
                if let k = catalog.firstIndex(where: { !($0.price?.isFinite ?? false) }) {
                    throw .invalidSpecification(path: "$.catalog[\(k)].price", problem: "a price point needs a finite price", fix: "write \"price\": 25")
                }
                guard catalog.contains(where: { ($0.price ?? .nan) >= g.low && ($0.price ?? .nan) <= g.high }) else {
                    throw .invalidSpecification(path: "$.catalog", problem: "no price point lies within the guardrails [\(g.low), \(g.high)]",
                                                fix: "list prices between the guardrails")
                }
            }
            if let w = policy.meanWeights, w.count != featureSchema.dimension {
                throw .invalidSpecification(path: "$.policy.mean_weights", problem: "\(w.count) weights for \(featureSchema.dimension) features",
                                            fix: "write one weight per feature (and the intercept)")
            }
        default:
            throw .invalidSpecification(path: "$.policy.kind", problem: "unknown policy family '\(policy.kind)'", fix: "use \"softmax\" or \"gaussian_price\"")
        }
        guard learner.algorithm == "reinforce" || learner.algorithm == "ppo" else {
            throw .invalidSpecification(path: "$.learner.algorithm", problem: "unknown algorithm '\(learner.algorithm)'", fix: "use \"reinforce\" or \"ppo\"")
        }
        do {
            _ = try learnerConfiguration()
        } catch {
            guard case .invalidParameter(let field, let value, let expected) = error else { throw error }
            throw .invalidSpecification(path: "$.learner.\(field)", problem: "\(value) is invalid", fix: "use \(expected)")
        }
    }

    // MARK: - Factories

    /// The learner's configuration.
    /// - Throws: `PolicyGradientError.invalidParameter` for an out-of-range hyper-parameter.
    public func learnerConfiguration() throws(PolicyGradientError) -> PolicyGradientLearner.Configuration {
        let l = learner
        return try PolicyGradientLearner.Configuration(
            objective: l.algorithm == "ppo" ? .ppo : .reinforce, learningRate: l.learningRate ?? 0.01, epochs: l.epochs ?? 1,
            minibatchSize: l.minibatchSize ?? 256, entropyBonus: l.entropyBonus ?? 0.01, gradientClip: l.gradientClip ?? 1,
            ppoClip: l.ppoClip ?? 0.2, importanceWeightCap: l.importanceWeightCap ?? 10,
            normalizeAdvantages: l.normalizeAdvantages ?? true, baselineRidge: l.baselineRidge ?? 1, slateSize: l.slateSize ?? 1)
    }

    /// The catalog of a softmax policy.
    /// - Throws: `.invalidSpecification` for a missing catalog or duplicate ids.
    public func makeCatalog() throws(PolicyGradientError) -> ActionCatalog {
        guard let catalog else { throw .invalidSpecification(path: "$.catalog", problem: "missing", fix: "list the offers") }
        do {
            return try ActionCatalog(catalog.map(\.action))
        } catch {
            throw .invalidSpecification(path: "$.catalog", problem: error.description, fix: "fix the action list")
        }
    }

    /// The policy the file describes (frozen: it serves; learners train it), as `any Policy`:
    /// the softmax policy, or for a Gaussian price file with a catalog of price points its
    /// ``GaussianPricePointPolicy``. The policy's fingerprint includes the file's
    /// ``fingerprint``, so snapshots of another version of the file are refused.
    /// - Throws: `.invalidSpecification` for a softmax file whose parameters do not fit the
    ///   scorer, or for a Gaussian file without a catalog.
    public func makePolicy() throws(PolicyGradientError) -> any Policy {
        if policy.kind == "gaussian_price" { return try makeGaussianPricePointPolicy() }
        guard let scorer = policy.scorer, policy.kind == "softmax" else {
            throw .invalidSpecification(path: "$.policy.kind", problem: "'\(policy.kind)' is not a discrete-action policy", fix: "use makeGaussianPricePolicy()")
        }
        if scorer.kind == "mlp" { return try makeMLPPolicy() }
        return try makeLinearPolicy()
    }

    /// The linear softmax policy of a `"linear"` scorer.
    /// - Throws: as ``makePolicy()``.
    public func makeLinearPolicy() throws(PolicyGradientError) -> SoftmaxPolicy<LinearScorer> {
        let catalog = try makeCatalog()
        var scorer = try LinearScorer(inputDimension: featureSchema.dimension, outputCount: catalog.count)
        try load(policy.scorer?.parameters, into: &scorer.parameters)
        return try SoftmaxPolicy(catalog: catalog, scorer: scorer, salt: fingerprint)
    }

    /// The MLP softmax policy of an `"mlp"` scorer.
    /// - Throws: as ``makePolicy()``.
    public func makeMLPPolicy() throws(PolicyGradientError) -> SoftmaxPolicy<MLPScorer> {
        let catalog = try makeCatalog()
        var rng = SeededGenerator(seed: policy.scorer?.seed ?? 0)
        var scorer = try MLPScorer(inputDimension: featureSchema.dimension, hiddenWidth: policy.scorer?.hidden ?? 0, outputCount: catalog.count, using: &rng)
        try load(policy.scorer?.parameters, into: &scorer.parameters)
        return try SoftmaxPolicy(catalog: catalog, scorer: scorer, salt: fingerprint)
    }

    /// The Gaussian price policy of a `"gaussian_price"` file.
    /// - Throws: `.invalidSpecification` for another family or bad parameters.
    public func makeGaussianPricePolicy() throws(PolicyGradientError) -> GaussianPricePolicy {
        guard policy.kind == "gaussian_price", let g = policy.guardrails else {
            throw .invalidSpecification(path: "$.policy.kind", problem: "'\(policy.kind)' is not a price policy", fix: "use makePolicy()")
        }
        let d = featureSchema.dimension
        // Without weights, the intercept (last dimension) starts at the guardrails' midpoint.
        let weights = policy.meanWeights ?? (0..<d).map { $0 == d - 1 && featureSchema.intercept == true ? (g.low + g.high) / 2 : 0 }
        do {
            return try GaussianPricePolicy(low: g.low, high: g.high, meanWeights: weights, logStandardDeviation: policy.logStandardDeviation ?? 0,
                                           minimumLogStandardDeviation: policy.minimumLogStandardDeviation ?? -5,
                                           maximumLogStandardDeviation: policy.maximumLogStandardDeviation ?? 3)
        } catch {
            throw .invalidSpecification(path: "$.policy", problem: error.description, fix: "fix the price policy's parameters")
        }
    }

    /// The Gaussian price policy of a `"gaussian_price"` file over its catalog of price
    /// points (each candidate's probability is the Gaussian's mass on its bin).
    /// - Throws: `.invalidSpecification` for another family, a file without a catalog, or an
    ///   action without a price.
    public func makeGaussianPricePointPolicy() throws(PolicyGradientError) -> GaussianPricePointPolicy {
        let gaussian = try makeGaussianPricePolicy()
        guard catalog != nil else {
            throw .invalidSpecification(path: "$.catalog", problem: "a Gaussian price policy chooses among price points only with a catalog",
                                        fix: "list price actions, e.g. {\"id\": \"price_25\", \"kind\": \"price\", \"price\": 25}")
        }
        do {
            return try GaussianPricePointPolicy(catalog: makeCatalog(), gaussian: gaussian, salt: fingerprint)
        } catch {
            throw .invalidSpecification(path: "$.catalog", problem: error.description, fix: "give every price action a finite \"price\"")
        }
    }

    func load(_ values: [Double]?, into parameters: inout [Double]) throws(PolicyGradientError) {
        guard let values else { return }
        guard values.count == parameters.count else {
            throw .invalidSpecification(path: "$.policy.scorer.parameters", problem: "\(values.count) values for \(parameters.count) parameters",
                                        fix: "write the parameters of a scorer of this shape, or none")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidSpecification(path: "$.policy.scorer.parameters[\(i)]", problem: "not finite", fix: "write finite numbers")
        }
        parameters = values
    }
}

// MARK: - Policy factories for studies and servers

extension PolicyGradientSpecification {
    /// Whether `data` is a JSON document whose `"format"` is ``currentFormat`` (a cheap check
    /// that lets a loader send policy-gradient files here and other policy files elsewhere).
    public static func isPolicyGradientDocument(_ data: Data) -> Bool {
        struct Header: Decodable { var format: String? }
        guard let header = try? StrictJSONDecoder(unknownKeys: .ignore).decode(Header.self, from: data) else { return false }
        return header.format == currentFormat
    }

    /// Reads a policy-gradient file and makes its discrete-action policy: the signature of a
    /// simulation study's policy factory (specification bytes and their source name → a policy).
    /// - Throws: as ``init(decoding:source:)`` and ``makePolicy()``.
    public static func makePolicy(specification data: Data, source: String) throws(PolicyGradientError) -> any Policy {
        try PolicyGradientSpecification(decoding: data, source: source).makePolicy()
    }
}
