import Engine
import Synchronization

/// Request counters and latency histograms per route, rendered with the engine's figures in
/// the Prometheus text format (version 0.0.4).
public final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

    /// The routes counted separately; anything else is counted as `other`.
    public static let routes = ["/v1/decisions", "/v1/rewards", "/v1/events", "/v1/policies", "/v1/segments", "/healthz", "/readyz",
                                "/metrics", "/openapi.json", "/v1/policies/{id}/kill-switch",
                                "/v1/policies/{id}/reload", "/v1/policies/{id}/rollback", "other"]
    private static let routeIndex = Dictionary(uniqueKeysWithValues: routes.enumerated().map { ($1, $0) })
    private static let statusRange = 100..<600
    // Per route: one counter per status code, one per latency bucket, then the count and the
    // latency sum in nanoseconds. Relaxed atomics: request threads never wait on each other here.
    private static let bucketOffset = statusRange.count
    private static let countOffset = bucketOffset + latencyBuckets.count
    private static let sumOffset = countOffset + 1
    private static let stride = sumOffset + 1

    private let counters = AtomicCounters(count: routes.count * stride)

    /// Creates empty metrics.
    public init() {}

    /// Records one request.
    /// - Complexity: O(number of latency buckets), lock-free.
    public func record(route: String, status: Int, seconds: Double) {
        let base = (Self.routeIndex[route] ?? Self.routes.count - 1) * Self.stride
        let code = Self.statusRange.contains(status) ? status : 599
        counters.add(1, at: base + code - Self.statusRange.lowerBound)
        if let i = Self.latencyBuckets.firstIndex(where: { seconds <= $0 }) { counters.add(1, at: base + Self.bucketOffset + i) }
        counters.add(1, at: base + Self.countOffset)
        counters.add(Int((seconds * 1e9).rounded()), at: base + Self.sumOffset)
    }

    /// Requests recorded for `route` with `status`.
    public func count(route: String, status: Int) -> Int {
        guard let r = Self.routeIndex[route], Self.statusRange.contains(status) else { return 0 }
        return counters.value(at: r * Self.stride + status - Self.statusRange.lowerBound)
    }

    struct RouteFigures: Sendable {
        var statusCounts: [Int: Int] = [:]
        var bucketCounts = Array(repeating: 0, count: Metrics.latencyBuckets.count)
        var count = 0
        var sumSeconds = 0.0
    }

    private func figures() -> [String: RouteFigures] {
        var result: [String: RouteFigures] = [:]
        for (r, route) in Self.routes.enumerated() {
            let base = r * Self.stride
            let count = counters.value(at: base + Self.countOffset)
            guard count > 0 else { continue }
            var f = RouteFigures()
            for code in Self.statusRange {
                let n = counters.value(at: base + code - Self.statusRange.lowerBound)
                if n > 0 { f.statusCounts[code] = n }
            }
            for i in Self.latencyBuckets.indices { f.bucketCounts[i] = counters.value(at: base + Self.bucketOffset + i) }
            f.count = count
            f.sumSeconds = Double(counters.value(at: base + Self.sumOffset)) / 1e9
            result[route] = f
        }
        return result
    }

    /// The Prometheus text exposition of these metrics and the engine's statistics.
    public func render(engine statistics: EngineStatistics) -> String {
        let snapshot = figures()
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
        if let events = statistics.customerEvents {
            out += "# HELP attune_customer_events_total Customer events ingested through POST /v1/events since start.\n# TYPE attune_customer_events_total counter\n"
            out += "attune_customer_events_total \(events)\n"
        }
        if let profiles = statistics.customerProfiles {
            out += "# HELP attune_customer_profiles Customer profiles held in memory.\n# TYPE attune_customer_profiles gauge\n"
            out += "attune_customer_profiles \(profiles.held)\n"
            out += "# HELP attune_customer_profiles_evicted_total Customer profiles evicted (idle past the TTL, or least recently used over the cap).\n# TYPE attune_customer_profiles_evicted_total counter\n"
            out += "attune_customer_profiles_evicted_total \(profiles.evicted)\n"
        }
        if let log = statistics.customerEventLog {
            out += "# HELP attune_customer_event_log_bytes Size of the customer event log (customer-events.jsonl).\n# TYPE attune_customer_event_log_bytes gauge\n"
            out += "attune_customer_event_log_bytes \(log.bytes)\n"
            out += "# HELP attune_customer_event_log_compactions_total Compactions of the customer event log (events of evicted profiles dropped).\n# TYPE attune_customer_event_log_compactions_total counter\n"
            out += "attune_customer_event_log_compactions_total \(log.compactions)\n"
        }
        let apprentices = statistics.policies.compactMap { p in p.apprentice.map { (p.id, $0) } }
        if !apprentices.isEmpty {
            out += "# HELP attune_apprentice_agreement_rate Share of apprentice decisions where the policy chose the served baseline.\n# TYPE attune_apprentice_agreement_rate gauge\n"
            for (id, a) in apprentices { out += "attune_apprentice_agreement_rate{policy=\"\(escape(id))\"} \(a.agreementRate)\n" }
            out += "# HELP attune_apprentice_estimated_value Inverse-propensity estimate of the apprentice policy's value on the baseline's joined rounds.\n# TYPE attune_apprentice_estimated_value gauge\n"
            for (id, a) in apprentices { out += "attune_apprentice_estimated_value{policy=\"\(escape(id))\"} \(a.estimatedValue)\n" }
            out += "# HELP attune_apprentice_baseline_value Mean reward of the served baseline on the same rounds.\n# TYPE attune_apprentice_baseline_value gauge\n"
            for (id, a) in apprentices { out += "attune_apprentice_baseline_value{policy=\"\(escape(id))\"} \(a.baselineValue)\n" }
        }
        let counters: [(String, String, Int)] = [
            ("attune_rewards_joined_total", "Rewards joined to an open decision window.", statistics.joiner.joinedRewards),
            ("attune_rewards_late_total", "Rewards received after their decision's window closed (stored, not learned).", statistics.joiner.lateRewards),
            ("attune_rewards_duplicate_total", "Repeated rewards ignored.", statistics.duplicateRewards),
            ("attune_default_rewards_total", "Windows closed without a reward (the policy's default reward was learned).", statistics.joiner.defaultRewards),
            ("attune_windows_closed_total", "Decision windows closed.", statistics.joiner.closedDecisions),
            ("attune_windows_forced_closed_total", "Windows closed before their deadline because the open-window cap was reached.", statistics.joiner.forcedCloses),
            ("attune_learned_total", "Interactions learned (including recovery).", statistics.learned),
            ("attune_commits_total", "Group-commit transactions.", statistics.commits),
            ("attune_committed_entries_total", "Decisions and rewards committed.", statistics.committedEntries),
            ("attune_checkpoints_total", "Checkpoints written.", statistics.checkpoints),
        ]
        for (name, help, value) in counters {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        out += "# HELP attune_commit_seconds_total Time spent committing journal transactions (SQLite work and fsync).\n"
        out += "# TYPE attune_commit_seconds_total counter\nattune_commit_seconds_total \(statistics.commitSeconds)\n"
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
