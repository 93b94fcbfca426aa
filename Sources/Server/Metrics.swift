import Engine
import Synchronization

/// Request counters and latency histograms per route, rendered with the engine's figures in
/// the Prometheus text format (version 0.0.4).
public final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

    struct RouteFigures: Sendable {
        var statusCounts: [Int: Int] = [:]
        var bucketCounts = Array(repeating: 0, count: Metrics.latencyBuckets.count)
        var count = 0
        var sumSeconds = 0.0
    }

    private let routes = Mutex<[String: RouteFigures]>([:])

    /// Creates empty metrics.
    public init() {}

    /// Records one request.
    public func record(route: String, status: Int, seconds: Double) {
        routes.withLock { r in
            var f = r[route] ?? RouteFigures()
            f.statusCounts[status, default: 0] += 1
            f.count += 1
            f.sumSeconds += seconds
            if let i = Self.latencyBuckets.firstIndex(where: { seconds <= $0 }) { f.bucketCounts[i] += 1 }
            r[route] = f
        }
    }

    /// Requests recorded for `route` with `status`.
    public func count(route: String, status: Int) -> Int { routes.withLock { $0[route]?.statusCounts[status] ?? 0 } }

    /// The Prometheus text exposition of these metrics and the engine's statistics.
    public func render(engine statistics: EngineStatistics) -> String {
        let snapshot = routes.withLock { $0 }
        var out = ""
        out += "# HELP attune_http_requests_total HTTP requests by route and status code.\n# TYPE attune_http_requests_total counter\n"
        for route in snapshot.keys.sorted() {
            for (status, n) in snapshot[route, default: .init()].statusCounts.sorted(by: { $0.key < $1.key }) {
                out += "attune_http_requests_total{route=\"\(route)\",status=\"\(status)\"} \(n)\n"
            }
        }
        out += "# HELP attune_http_request_duration_seconds Time from the complete request to the reply, by route.\n"
        out += "# TYPE attune_http_request_duration_seconds histogram\n"
        for route in snapshot.keys.sorted() {
            let f = snapshot[route, default: .init()]
            var cumulative = 0
            for (i, bound) in Self.latencyBuckets.enumerated() {
                cumulative += f.bucketCounts[i]
                out += "attune_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "attune_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(f.count)\n"
            out += "attune_http_request_duration_seconds_sum{route=\"\(route)\"} \(f.sumSeconds)\n"
            out += "attune_http_request_duration_seconds_count{route=\"\(route)\"} \(f.count)\n"
        }
        out += "# HELP attune_decisions_total Decisions logged, by policy and chosen action.\n# TYPE attune_decisions_total counter\n"
        for p in statistics.policies {
            for (action, n) in p.decisionsByAction {
                out += "attune_decisions_total{policy=\"\(escape(p.id))\",action=\"\(escape(action))\"} \(n)\n"
            }
        }
        out += "# HELP attune_model_version Updates learned by the serving model, by policy.\n# TYPE attune_model_version gauge\n"
        for p in statistics.policies { out += "attune_model_version{policy=\"\(escape(p.id))\"} \(p.modelVersion)\n" }
        let counters: [(String, String, Int)] = [
            ("attune_rewards_joined_total", "Rewards joined to an open decision window.", statistics.joiner.joinedRewards),
            ("attune_rewards_late_total", "Rewards received after their decision's window closed (stored, not learned).", statistics.joiner.lateRewards),
            ("attune_rewards_duplicate_total", "Repeated rewards ignored.", statistics.duplicateRewards),
            ("attune_default_rewards_total", "Windows closed without a reward (the policy's default reward was learned).", statistics.joiner.defaultRewards),
            ("attune_windows_closed_total", "Decision windows closed.", statistics.joiner.closedDecisions),
            ("attune_learned_total", "Interactions learned (including recovery).", statistics.learned),
            ("attune_commits_total", "Group-commit transactions.", statistics.commits),
            ("attune_committed_entries_total", "Decisions and rewards committed.", statistics.committedEntries),
            ("attune_checkpoints_total", "Checkpoints written.", statistics.checkpoints),
        ]
        for (name, help, value) in counters {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        let gauges: [(String, String, Int)] = [
            ("attune_pending_decisions", "Decisions whose reward window is open.", statistics.pendingDecisions),
            ("attune_journal_queue_depth", "Requests waiting for the next commit.", statistics.journalQueueDepth),
            ("attune_learner_queue_depth", "Closed decisions waiting for the learner.", statistics.learnerQueueDepth),
        ]
        for (name, help, value) in gauges {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
        }
        return out
    }

    private func escape(_ label: String) -> String {
        var out = ""
        for c in label {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
