extension DeploymentGate {
    /// Decides whether `candidate` may replace `baseline` (both aligned with `log.candidates`).
    /// - Parameters:
    ///   - rewardModel: Cross-fitted predictions for the DR point estimates and the `.normal`
    ///     bound; without them SNIPS is used.
    /// - Throws: `EvaluationError.shapeMismatch` for distributions of another log,
    ///   `.invalidParameter` when a reward lies outside the configured range.
    /// - Complexity: O(Σ Kᵢ).
    public func decide(log: DecisionLog, candidate: [Double], baseline: [Double], rewardModel: [Double]? = nil) throws(EvaluationError) -> Verdict {
        let c = configuration
        let estimator: any OffPolicyEstimator = rewardModel == nil ? SelfNormalizedIPS() : DoublyRobust()
        let sampleWeights = log.sampleWeights.allSatisfy { $0 == 1 } ? [] : log.sampleWeights
        let candidateTerms = try estimator.contributions(on: log, target: candidate, rewardModel: rewardModel)
        let baselineTerms = try estimator.contributions(on: log, target: baseline, rewardModel: rewardModel)
        let candidateEstimate = try Estimate(contributions: candidateTerms, sampleWeights: sampleWeights, confidence: c.confidence)
        let baselineEstimate = try Estimate(contributions: baselineTerms, sampleWeights: sampleWeights, confidence: c.confidence)
        let delta = 1 - c.confidence

        var reasons: [String] = []
        var promote = true
        func check(_ passed: Bool, _ text: String) {
            reasons.append((passed ? "pass: " : "FAIL: ") + text)
            if !passed { promote = false }
        }

        // 1. The improvement's lower bound.
        let improvementBound: Double
        switch c.bound {
        case .normal:
            let cp = candidateTerms.influence(sampleWeights: sampleWeights)
            let bp = baselineTerms.influence(sampleWeights: sampleWeights)
            let difference = Contributions(estimator: "difference", direct: zip(cp, bp).map { $0 - $1 }, weights: [])
            let d = try Estimate(contributions: difference, sampleWeights: sampleWeights, confidence: c.confidence)
            // One-sided: P(Z ≤ z) = 1 − δ  ⇔  two-sided level 1 − 2δ.
            let z = standardNormalQuantile(1 - delta)
            improvementBound = d.value - z * d.standardError
            check(improvementBound > c.margin,
                  "improvement lower bound \(fmt(improvementBound)) (\(estimator.name), paired normal, one-sided \(fmt(c.confidence))) must exceed the margin \(fmt(c.margin))")
        case .empiricalBernstein:
            let range = c.rewardRange ?? observedRange(log)
            let lower = try EmpiricalBernstein.valueLowerBound(
                log: log, target: candidate, maxWeight: c.clipWeight, rewardRange: range, delta: delta / 2)
            let reference: Double
            switch c.baselineReference {
            case .upperBound:
                reference = try EmpiricalBernstein.valueUpperBound(
                    log: log, target: baseline, maxWeight: c.clipWeight, rewardRange: range, delta: delta / 2)
            case .estimate:
                reference = baselineEstimate.value
            }
            improvementBound = lower - reference
            check(improvementBound > c.margin,
                  "candidate lower bound \(fmt(lower)) − baseline \(c.baselineReference == .upperBound ? "upper bound" : "estimate") \(fmt(reference)) = \(fmt(improvementBound)) (empirical Bernstein, clipped at \(fmt(c.clipWeight)), confidence \(fmt(c.confidence))) must exceed the margin \(fmt(c.margin))")
        }

        // 2–4. Support.
        check(candidateEstimate.effectiveSampleSize >= c.minEffectiveSampleSize,
              "effective sample size \(fmt(candidateEstimate.effectiveSampleSize)) must be at least \(fmt(c.minEffectiveSampleSize))")
        let rawWeights = importanceWeights(log: log, target: candidate)
        let maxRaw = rawWeights.max() ?? 0
        check(maxRaw <= c.maxWeight, "largest importance weight \(fmt(maxRaw)) must be at most \(fmt(c.maxWeight))")
        let unsupported = unsupportedMass(log: log, target: candidate)
        check(unsupported <= c.maxUnsupportedMass,
              "mean probability on actions never taken in the log \(fmt(unsupported)) must be at most \(fmt(c.maxUnsupportedMass))")

        return Verdict(
            promote: promote, reasons: reasons, candidateValue: candidateEstimate.value, baselineValue: baselineEstimate.value,
            improvementLowerBound: improvementBound, effectiveSampleSize: candidateEstimate.effectiveSampleSize,
            maxWeight: maxRaw, unsupportedMass: unsupported)
    }

    private func observedRange(_ log: DecisionLog) -> ClosedRange<Double> {
        let lo = log.rewards.min() ?? 0, hi = log.rewards.max() ?? 0
        return lo < hi ? lo...hi : lo...(lo + 1)
    }

    /// Mean target probability on actions never chosen anywhere in the log.
    private func unsupportedMass(log: DecisionLog, target: [Double]) -> Double {
        var taken = [Bool](repeating: false, count: log.actionIDs.count)
        for i in 0..<log.count { taken[log.chosenAction(i)] = true }
        var mass = 0.0
        for k in 0..<log.candidates.count where !taken[log.candidates[k]] { mass += target[k] }
        return mass / Double(max(log.count, 1))
    }
}

/// A number with up to 4 significant decimals for messages.
func fmt(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let r = (x * 10_000).rounded() / 10_000
    return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
}
