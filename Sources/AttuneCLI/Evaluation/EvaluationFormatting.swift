import Evaluation
import Foundation

/// Tables and JSON for the evaluation commands (formatting only).
enum EvaluationFormatting {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func number(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        return String(format: "%.\(digits)f", x)
    }

    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = first.map(\.count)
        for row in rows { for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) } }
        return rows.map { row in
            row.enumerated().map { k, cell in
                k == 0 ? cell.padding(toLength: widths[k], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[k] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func table(_ report: OfflineEvaluation.Report) -> String {
        var rows = [["estimator", "value", "std_error", "ci_low", "ci_high", "ess", "max_weight"]]
        for e in report.estimates {
            rows.append([e.estimator, number(e.value), number(e.standardError), number(e.ciLow), number(e.ciHigh),
                         number(e.effectiveSampleSize, 1), number(e.maxWeight, 2)])
        }
        var text = "target: \(report.target), rounds: \(report.rounds)\n" + table(rows)
        if !report.segments.isEmpty {
            var segmentRows = [["segment", "rounds"] + report.estimates.map(\.estimator)]
            for g in report.segments {
                segmentRows.append([g.segment ?? "(none)", "\(g.rounds)"]
                    + g.estimates.map { "\(number($0.value)) ±\(number(($0.ciHigh - $0.ciLow) / 2, 3))" })
            }
            text += "per segment (value ± half-width of the normal interval):\n" + table(segmentRows)
        }
        if let model = report.rewardModel {
            text += "reward model: \(model.kind), \(model.folds)-fold held-out MSE \(number(model.heldOutMSE)) (constant: \(number(model.baselineMSE)))\n"
        }
        return text
    }

    static func table(_ verdict: DeploymentGate.Verdict, candidate: String, baseline: String) -> String {
        var text = "\(verdict.promote ? "PROMOTE" : "REFUSE"): candidate \(candidate) vs baseline \(baseline)\n"
        text += "candidate value \(number(verdict.candidateValue)), baseline value \(number(verdict.baselineValue)), improvement lower bound \(number(verdict.improvementLowerBound))\n"
        for reason in verdict.reasons { text += "  \(reason)\n" }
        return text
    }

    struct LearnReport: Encodable {
        var output: String
        var trainingRounds: Int
        var heldOutRounds: Int
        var estimates: [Estimate]
        var loggingValue: Estimate?

        enum CodingKeys: String, CodingKey {
            case output, estimates
            case trainingRounds = "training_rounds"
            case heldOutRounds = "held_out_rounds"
            case loggingValue = "logging_value"
        }
    }

    static func json(_ result: OffPolicyLearner.Result, output: String) throws -> String {
        try json(LearnReport(output: output, trainingRounds: result.trainingRounds, heldOutRounds: result.heldOutRounds,
                             estimates: result.heldOutEstimates, loggingValue: result.loggingValue))
    }

    static func table(_ result: OffPolicyLearner.Result, output: String) -> String {
        let text = "learned policy written to \(output) (\(result.trainingRounds) training rounds, \(result.heldOutRounds) held out)\n"
        var rows = [["held-out estimate", "value", "ci_low", "ci_high", "ess"]]
        for e in result.heldOutEstimates {
            rows.append([e.estimator, number(e.value), number(e.ciLow), number(e.ciHigh), number(e.effectiveSampleSize, 1)])
        }
        if let l = result.loggingValue { rows.append(["logging (observed)", number(l.value), number(l.ciLow), number(l.ciHigh), "-"]) }
        return text + (result.heldOutEstimates.isEmpty ? "" : table(rows))
    }
}
