import Foundation

// MARK: - Paired differences and training

extension StudyReport {
    /// The paired differences of the policy-gradient policies with the best bandit, and how
    /// they were trained, as an HTML section (empty when the study has none).
    func differenceSection() -> String {
        let comparisons = result.comparisons
        guard !comparisons.isEmpty || !result.training.isEmpty else { return "" }
        var h = "<h2>Policy gradient against the best bandit</h2>\n"
        h += "<p class=\"note\">Per seed, the difference of the two policies' mean reward per round on the same customers (common random numbers); mean and 95% Student-t interval over seeds. An interval that excludes 0 is not seed noise.</p>\n"
        if !comparisons.isEmpty {
            h += "<table><caption>Paired difference (policy − best bandit)</caption><tr><th>policy</th><th>best bandit</th><th>mean reward difference</th><th>95% interval</th><th>margin / round difference</th><th>95% interval</th><th>seeds</th></tr>\n"
            for d in comparisons {
                h += "<tr\(d.isSignificant ? " class=\"best\"" : "")><td>\(Self.escape(d.policy))</td><td>\(Self.escape(d.versus))</td>"
                h += "<td>\(Self.signed(d.meanReward.mean))</td><td>\(Self.interval(d.meanReward))</td>"
                h += "<td>\(Self.signed(d.marginPerRound.mean))</td><td>\(Self.interval(d.marginPerRound))</td><td>\(d.meanReward.count)</td></tr>\n"
            }
            h += "</table>\n"
        }
        for line in Self.trainingLines(result) { h += "<p class=\"note\">\(Self.escape(line))</p>\n" }
        return h
    }

    /// One line per paired difference and per trained policy, for text output.
    public static func comparisonLines(_ result: StudyResult) -> [String] {
        result.comparisons.map { d in
            "\(d.policy) − \(d.versus) (best bandit), paired over \(d.meanReward.count) seeds: mean reward \(signed(d.meanReward.mean)) "
                + "\(interval(d.meanReward)) per round, margin \(signed(d.marginPerRound.mean)) \(interval(d.marginPerRound)) per round"
                + (d.isSignificant ? " (the interval excludes 0)" : " (the interval contains 0)")
        } + trainingLines(result)
    }

    static func trainingLines(_ result: StudyResult) -> [String] {
        result.training.map { t in
            let seeds = t.seeds.count > 1 ? "\(t.seeds[0])…\(t.seeds[t.seeds.count - 1])" : t.seeds.map(String.init).joined()
            return "\(t.policy): trained\(t.fromScratch ? " from scratch" : "") on \(t.populations) simulated populations (seeds \(seeds), "
                + "\(t.horizon) rounds each, \(t.steps) decisions) in \(String(format: "%.1f", t.seconds)) s; mean reward per round "
                + "\(number(t.firstMeanReward)) on the first population, \(number(t.lastMeanReward)) on the last; frozen for the study"
        }
    }

    /// ``number(_:)`` with an explicit sign.
    static func signed(_ v: Double) -> String { v > 0 ? "+" + number(v) : number(v) }
}
