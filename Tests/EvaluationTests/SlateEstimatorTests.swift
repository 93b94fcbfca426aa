import AttuneCore
import Foundation
import Testing
@testable import Evaluation

/// Slate logs and the slot-wise estimators: closed forms, unbiasedness under each estimator's
/// reward assumption, and bad lines.
@Suite struct SlateEstimatorTests {
    /// Two slates worked by hand: weights [1.6, 2, 2] and [1, 2]; rewards [1, 0, 2] and [1, 1].
    static let text = """
        {"event_id":"a","segment":"x","slots":[{"action":0,"propensity":0.5,"reward":1,"target_propensity":0.8},{"action":1,"propensity":0.25,"reward":0,"probabilities":[0.75,0.25],"target_probabilities":[0.5,0.5]},{"action":"s","propensity":0.5,"reward":2,"target_propensity":1}]}
        {"event_id":"b","slots":[{"action":2,"propensity":0.5,"reward":1,"target_propensity":0.5},{"action":0,"propensity":0.2,"reward":1,"target_propensity":0.4}]}
        {"event_id":"c","slots":[{"action":2,"propensity":0.5,"target_propensity":0.5}]}
        """

    @Test func closedFormsOnAHandMadeSlateLog() throws {
        let log = try SlateLog.parse(Self.text)
        #expect(log.count == 2)
        #expect(log.unjoinedCount == 1)
        // IIPS: (1.6·1 + 2·0 + 2·2 + 1·1 + 2·1) / 2
        #expect(abs(try IndependentItemIPS().estimate(on: log).value - (5.6 + 3) / 2) < 1e-12)
        // RIPS: (1.6·1 + 3.2·0 + 6.4·2 + 1·1 + 2·1) / 2
        #expect(abs(try RewardInteractionIPS().estimate(on: log).value - (14.4 + 3) / 2) < 1e-12)
        // SIPS: (6.4 · 3 + 2 · 2) / 2
        #expect(abs(try StandardSlateIPS().estimate(on: log).value - (19.2 + 4) / 2) < 1e-12)
        let report = try SlateEvaluation.run(log: log, estimators: try SlateEvaluation.estimators(["all"]))
        #expect(report.estimates.map(\.estimator) == ["iips", "rips", "sips"])
        #expect(report.segments.map(\.segment) == ["x", nil])
        #expect(abs(report.segments[0].estimates[0].value - 5.6) < 1e-12)
        #expect(report.weightHistogram.counts.reduce(0, +) == 2)
    }

    @Test func independentItemIPSUsesTheLoggedMarginals() throws {
        // Conditional weights 2 and 3; marginal weights 1.5 and 0.5.
        let log = try SlateLog.parse(#"{"slots":[{"action":0,"propensity":0.25,"reward":1,"target_propensity":0.5,"marginal_propensity":0.2,"target_marginal_propensity":0.3},{"action":1,"propensity":0.2,"reward":2,"target_propensity":0.6,"marginal_propensity":0.4,"target_marginal_propensity":0.2}]}"#)
        #expect(abs(try IndependentItemIPS().estimate(on: log).value - (1.5 * 1 + 0.5 * 2)) < 1e-12)
        #expect(abs(try RewardInteractionIPS().estimate(on: log).value - (2 * 1 + 6 * 2)) < 1e-12)
        #expect(abs(try StandardSlateIPS().estimate(on: log).value - 6 * 3) < 1e-12)
    }

    /// Three positions, four items, independent per-position logging and target policies.
    struct Simulation {
        let logging: [[Double]] = [[0.25, 0.25, 0.25, 0.25], [0.1, 0.3, 0.3, 0.3], [0.1, 0.2, 0.3, 0.4]]
        let target: [[Double]] = [[0.7, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1], [0.4, 0.3, 0.2, 0.1]]
        let means: [[Double]] = [[0.2, 0.6, 0.4, 0.3], [0.5, 0.2, 0.7, 0.3], [0.3, 0.4, 0.2, 0.8]]
        /// With `cascade`, a slot's click rate drops tenfold when the item above it is item 0.
        var cascade: Bool

        func factor(above k: Int, _ policy: [[Double]]) -> Double { k == 0 || !cascade ? 1 : policy[k - 1][0] * 0.1 + (1 - policy[k - 1][0]) }

        var truth: Double { value(interaction: target) }

        /// `Σ_k Σ_a π_k(a) m_k(a) E[factor]` with the item above drawn from `interaction`: the
        /// truth with the target, what IIPS converges to with the logging policy.
        func value(interaction: [[Double]]) -> Double {
            var v = 0.0
            for k in 0..<3 { for a in 0..<4 { v += target[k][a] * means[k][a] * factor(above: k, interaction) } }
            return v
        }

        func log(rounds: Int, seed: UInt64) throws -> SlateLog {
            var g = SeededGenerator(seed: seed)
            var text = ""
            for _ in 0..<rounds {
                var slots: [String] = []
                var above = -1
                for k in 0..<3 {
                    let a = try g.nextCategorical(weights: logging[k])
                    let rate = means[k][a] * (cascade && above == 0 ? 0.1 : 1)
                    let r = g.nextUniform() < rate ? 1 : 0
                    slots.append(#"{"action":\#(a),"propensity":\#(logging[k][a]),"reward":\#(r),"target_propensity":\#(target[k][a])}"#)
                    above = a
                }
                text += #"{"slots":[\#(slots.joined(separator: ","))]}"# + "\n"
            }
            return try SlateLog.parse(text)
        }
    }

    @Test func everyEstimatorIsUnbiasedWhenRewardsDoNotInteract() throws {
        let simulation = Simulation(cascade: false)
        let log = try simulation.log(rounds: 3000, seed: 7)
        for estimator in try SlateEvaluation.estimators(["all"]) {
            let e = try estimator.estimate(on: log)
            #expect(abs(e.value - simulation.truth) <= 4 * e.standardError, "\(estimator.name): \(e.value) vs \(simulation.truth)")
        }
        // IIPS has the smallest standard error, SIPS the largest.
        let se = try SlateEvaluation.estimators(["all"]).map { try $0.estimate(on: log).standardError }
        #expect(se[0] < se[1] && se[1] < se[2])
        // The logging policy evaluated on its own log is the observed mean.
        var same = log
        same.targetPropensities = log.propensities
        same.targetMarginalPropensities = log.marginalPropensities
        for estimator in try SlateEvaluation.estimators(["all"]) {
            #expect(abs(try estimator.estimate(on: same).value - log.observedValue) < 1e-12)
        }
    }

    @Test func underCascadeRewardsOnlyTheCascadeEstimatorsStayUnbiased() throws {
        let simulation = Simulation(cascade: true)
        let log = try simulation.log(rounds: 3000, seed: 8)
        let rips = try RewardInteractionIPS().estimate(on: log)
        let sips = try StandardSlateIPS().estimate(on: log)
        let iips = try IndependentItemIPS().estimate(on: log)
        #expect(abs(rips.value - simulation.truth) <= 4 * rips.standardError)
        #expect(abs(sips.value - simulation.truth) <= 4 * sips.standardError)
        // IIPS converges to the value with the logger's items above each slot instead.
        let biased = simulation.value(interaction: simulation.logging)
        #expect(abs(iips.value - biased) <= 4 * iips.standardError)
        #expect(abs(iips.value - simulation.truth) > 4 * iips.standardError, "IIPS ignores the interaction: \(iips.value) vs \(simulation.truth)")
    }

    static let badLines: [(line: String, field: String)] = [
        (#"{"slots":[]}"#, "slots"),
        (#"{"event_id":"e"}"#, "slots"),
        (#"{"slots":[{"action":0,"propensity":0,"reward":1,"target_propensity":0.5}]}"#, "slots[0].propensity"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":1,"target_propensity":0.5},{"action":0,"propensity":1.5,"reward":1,"target_propensity":0.5}]}"#, "slots[1].propensity"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":1}]}"#, "slots[0].target_propensity"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":1,"target_propensity":1.2}]}"#, "slots[0].target_propensity"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":1,"target_probabilities":[0.5,0.6]}]}"#, "slots[0].target_probabilities"),
        (#"{"slots":[{"action":"id","propensity":0.5,"reward":1,"target_probabilities":[0.5,0.5]}]}"#, "slots[0].action"),
        (#"{"slots":[{"action":1,"propensity":0.5,"reward":1,"probabilities":[0.8,0.2],"target_propensity":0.5}]}"#, "slots[0].propensity"),
        (#"{"slots":[{"propensity":0.5,"reward":1,"target_propensity":0.5}]}"#, "slots[0].action"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":"1","target_propensity":0.5}]}"#, "slots[0].reward"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":1,"target_propensity":0.5,"marginal_propensity":0.4}]}"#, "slots[0].target_marginal_propensity"),
        (#"{"slots":[{"action":0,"propensity":0.5,"reward":1,"target_propensity":0.5,"marginal_propensity":0,"target_marginal_propensity":0.1}]}"#, "slots[0].marginal_propensity"),
    ]

    @Test(arguments: badLines)
    func badLinesNameTheLineAndTheSlotField(_ bad: (line: String, field: String)) {
        let good = #"{"slots":[{"action":0,"propensity":0.5,"reward":1,"target_propensity":0.5}]}"#
        #expect {
            _ = try SlateLog.parse(good + "\n" + bad.line, source: "slates")
        } throws: { error in
            guard case .badLine(let source, let line, let field, _) = error as? EvaluationError else { return false }
            return source == "slates" && line == 2 && field == bad.field
        }
    }
}
