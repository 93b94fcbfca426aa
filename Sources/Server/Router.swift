import AttuneCore
import Bandits
import Engine
import Foundation
import Synchronization

/// Routes requests to the engine and formats replies; no sockets, so every endpoint and error
/// is testable in memory. `HTTPServer` feeds it from libmicrohttpd.
///
/// | route | scope | does |
/// | --- | --- | --- |
/// | `POST /v1/decisions` | decide | decide, log durably, reply |
/// | `POST /v1/rewards` | reward | log a reward, join it |
/// | `POST /v1/events` | reward | raw touchpoint events (JSON Lines) update customers' profiles and segments |
/// | `GET /v1/policies`, `GET /v1/segments` | admin | what is loaded |
/// | `POST /v1/policies/{id}/kill-switch` | admin | serve a fixed action instead of the policy (`{"enabled", "action"?}`) |
/// | `POST /v1/policies/{id}/reload`, `…/rollback` | admin | re-read the policy file (refused with the problem, old version kept; 409 `restart_required` for a prebuilt model) / serve the previous version |
/// | `POST /v1/policies/{id}/candidates` | admin | evaluate a candidate version on the policy's log; promoted only if the deployment gate accepts it (409 with every check otherwise) |
/// | `GET /metrics` | admin | Prometheus text |
/// | `GET /healthz`, `GET /readyz`, `GET /openapi.json` | none | liveness, readiness, API document |
public final class Router: Sendable {
    /// The engine requests go to.
    public let engine: Engine
    /// Request metrics.
    public let metrics: Metrics
    /// HTTP settings.
    public let configuration: ServerConfiguration
    private let clock: @Sendable () -> Double
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let decoder = StrictJSONDecoder()
    /// Threads for the deferred routes that may block (see ``handle(_:completion:)``).
    let blockingWorkers = BlockingWorkers(count: 32, name: "attune-work")

    /// Creates a router.
    public init(engine: Engine, configuration: ServerConfiguration = .init(), metrics: Metrics = Metrics(),
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.engine = engine
        self.configuration = configuration
        self.metrics = metrics
        self.clock = clock
    }

    /// Handles one request; never throws: errors become 4xx/5xx replies.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        let (route, response) = dispatch(request)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        metrics.record(route: route, status: response.status, seconds: seconds)
        return response
    }

    private func dispatch(_ request: HTTPRequest) -> (String, HTTPResponse) {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        if path.hasPrefix("/v1/policies/"), let action = Self.policyActions.first(where: { path.hasSuffix("/" + $0) }) {
            let route = "/v1/policies/{id}/" + action
            let id = String(path.dropFirst("/v1/policies/".count).dropLast(action.count + 1))
            guard request.method == "POST" else {
                return (route, APIError(status: 405, code: "method_not_allowed", message: "\(route) accepts POST").response)
            }
            do throws(APIError) {
                try authorize(request, scope: .admin)
                switch action {
                case "reload": return (route, try reload(id, request))
                case "rollback": return (route, try rollback(id))
                case "candidates": return (route, try promoteCandidate(id, request))
                default: return (route, try killSwitch(id, request))
                }
            } catch {
                return (route, error.response)
            }
        }
        let matching = Self.routes.filter { $0.path == path }
        guard !matching.isEmpty else {
            return ("other", APIError(status: 404, code: "not_found",
                                      message: "no route \(request.method) \(path); see GET /openapi.json").response)
        }
        guard let route = matching.first(where: { $0.method == request.method }) else {
            return (path, APIError(status: 405, code: "method_not_allowed",
                                   message: "\(path) accepts \(matching.map(\.method).joined(separator: ", "))").response)
        }
        do throws(APIError) {
            try authorize(request, scope: route.scope)
            switch route.endpoint {
            case .decide: return (path, try decide(request))
            case .reward: return (path, try reward(request))
            case .events: return (path, try events(request))
            case .policies: return (path, policies())
            case .segments: return (path, segments())
            case .metrics: return (path, prometheus())
            case .health: return (path, Self.json(.object([("status", .string("ok"))])))
            case .ready: return (path, readiness())
            case .openAPI: return (path, HTTPResponse(status: 200, body: Array(OpenAPIDocument.json.utf8)))
            }
        } catch {
            return (path, error.response)
        }
    }

    private static let policyActions = ["kill-switch", "reload", "rollback", "candidates"]

    private enum Endpoint { case decide, reward, events, policies, segments, metrics, health, ready, openAPI }

    private static let routes: [(method: String, path: String, scope: APIScope?, endpoint: Endpoint)] = [
        ("POST", "/v1/decisions", .decide, .decide),
        ("POST", "/v1/rewards", .reward, .reward),
        ("POST", "/v1/events", .reward, .events),
        ("GET", "/v1/policies", .admin, .policies),
        ("GET", "/v1/segments", .admin, .segments),
        ("GET", "/metrics", .admin, .metrics),
        ("GET", "/healthz", nil, .health),
        ("GET", "/readyz", nil, .ready),
        ("GET", "/openapi.json", nil, .openAPI),
    ]

    // MARK: - Authorization and limits

    func authorize(_ request: HTTPRequest, scope: APIScope?) throws(APIError) {
        guard let scope else { return }
        var client = "anonymous"
        if configuration.apiKeys.isEnabled {
            guard let key = configuration.apiKeys.match(authorization: request.authorization) else {
                throw APIError(status: 401, code: request.authorization == nil ? "missing_api_key" : "invalid_api_key",
                               message: "send 'Authorization: Bearer <key>' with a configured API key", field: "Authorization")
            }
            guard key.scopes.contains(scope) else {
                throw APIError(status: 403, code: "insufficient_scope",
                               message: "key '\(key.name)' lacks the '\(scope.rawValue)' scope this route needs", field: "Authorization")
            }
            client = key.name
        }
        if let rate = configuration.rateLimitPerSecond {
            let now = clock()
            let allowed = buckets.withLock { b in
                var bucket = b[client] ?? TokenBucket(ratePerSecond: rate, burst: configuration.rateLimitBurst, now: now)
                defer { b[client] = bucket }
                return bucket.take(at: now)
            }
            guard allowed else {
                throw APIError(status: 429, code: "rate_limited",
                               message: "more than \(rate) requests per second from '\(client)': slow down and retry")
            }
        }
    }

    /// Decodes a body strictly; with `reading`, a one-pass `JSONReader` reading comes first and
    /// the strict decoder runs only when it deviates (same values, same errors).
    func decodeBody<T: Decodable>(_ type: T.Type, _ request: HTTPRequest,
                                          reading: ((inout JSONReader) throws(JSONReader.Deviation) -> T)? = nil) throws(APIError) -> T {
        if let reading, !request.isBodyTooLarge, request.body.count <= configuration.maxBodyBytes,
           let value = JSONReader.read(request.body, maximumDepth: configuration.maxJSONDepth, reading) {
            return value
        }
        guard !request.isBodyTooLarge, request.body.count <= configuration.maxBodyBytes else {
            throw APIError(status: 413, code: "body_too_large",
                           message: "the body exceeds \(configuration.maxBodyBytes) bytes; send a smaller request")
        }
        guard !request.body.isEmpty else {
            throw APIError(status: 400, code: "invalid_json", message: "the body is empty; send a JSON object")
        }
        guard JSONText.nestingDepth(of: request.body) <= configuration.maxJSONDepth else {
            throw APIError(status: 400, code: "too_deep", message: "JSON nesting deeper than \(configuration.maxJSONDepth) levels")
        }
        do throws(AttuneCoreError) {
            return try decoder.decode(type, from: Data(request.body), source: "body")
        } catch {
            throw APIError(error)
        }
    }

    // MARK: - Handlers

    private func decide(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try decodeBody(DecisionRequest.self, request, reading: RequestReading.decision)
        let reply: DecisionResponse
        do throws(EngineError) { reply = try engine.decide(body) } catch { throw APIError(error) }
        return HTTPResponse(status: 200, body: ReplyEncoding.decision(reply))
    }

    private func reward(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try decodeBody(RewardRequest.self, request, reading: RequestReading.reward)
        let reply: RewardResponse
        do throws(EngineError) { reply = try engine.reward(body) } catch { throw APIError(error) }
        return HTTPResponse(status: 200, body: ReplyEncoding.reward(reply))
    }

    private func events(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        guard !request.isBodyTooLarge, request.body.count <= configuration.maxBodyBytes else {
            throw APIError(status: 413, code: "body_too_large",
                           message: "the body exceeds \(configuration.maxBodyBytes) bytes; send fewer events per request")
        }
        let updates: [CustomerSegments.Ingested]
        do throws(EngineError) { updates = try engine.ingestEvents(jsonLines: request.body) } catch {
            if case .invalidField(let field, _) = error, field.hasPrefix("events") {
                throw APIError(status: 400, code: "invalid_event", message: error.description, field: field)
            }
            if case .invalidField("segment_model", _) = error {
                throw APIError(status: 409, code: "no_segment_model", message: error.description, field: "segment_model")
            }
            throw APIError(error)
        }
        let items: [JSONText.Value] = updates.map { u in
            .object([("customer_id", .string(u.customerID)), ("segment", .integer(u.segment)),
                     ("changes", .array(u.changes.map { .string($0) }))])
        }
        return Self.json(.object([("accepted", .integer(updates.count)), ("events", .array(items))]))
    }

    private func reload(_ policyID: String, _ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let compact = request.body.filter { $0 > 32 }
        guard compact.isEmpty || compact == Array("{}".utf8) else {
            throw APIError(status: 400, code: "invalid_json", message: "reload takes no body (or {}): it re-reads the policy file")
        }
        guard engine.policyIDs.contains(policyID) else { throw APIError(EngineError.unknownPolicy(policyID, available: engine.policyIDs)) }
        if let prebuilt = prebuiltModel(of: engine.specifications.first { $0.id == policyID }) {
            // The engine rebuilds a reloaded version from its attune.policy/1 specification; a
            // prebuilt model has none, so a new version of its file is served from a restart.
            throw APIError(status: 409, code: "restart_required",
                           message: "policy '\(policyID)' serves a \(prebuilt.algorithm) model built from \(prebuilt.file) when the server started; reload cannot rebuild it: restart the server to serve the file's new version (the current version keeps serving)",
                           field: "id")
        }
        guard let path = configuration.policyFiles[policyID] else {
            throw APIError(status: 409, code: "no_policy_file", message: "policy '\(policyID)' was not loaded from a file; nothing to re-read")
        }
        let specification: PolicySpecification
        do throws(BanditsError) { specification = try PolicySpecification(contentsOf: path) } catch {
            throw APIError(status: 422, code: "invalid_policy",
                           message: "\(path): \(error.description); the previous version keeps serving", field: Self.field(of: error))
        }
        guard specification.id == policyID else {
            throw APIError(status: 422, code: "invalid_policy",
                           message: "\(path) now has id '\(specification.id)', not '\(policyID)'; ids cannot change on reload, the previous version keeps serving", field: "id")
        }
        let change: Engine.VersionChange
        do throws(EngineError) { change = try engine.reload(specification) } catch {
            var reply = APIError(error)
            reply.message += "; the previous version keeps serving"
            throw reply
        }
        return Self.versionReply(change, change.fingerprint == change.previousFingerprint ? "unchanged" : "reloaded")
    }

    /// The prebuilt model serving `specification`'s version, if that version is one.
    private func prebuiltModel(of specification: PolicySpecification?) -> ServerConfiguration.PrebuiltModel? {
        guard let specification, let prebuilt = configuration.prebuiltModels[specification.id],
              prebuilt.fingerprint == specification.fingerprint else { return nil }
        return prebuilt
    }

    private func rollback(_ policyID: String) throws(APIError) -> HTTPResponse {
        let change: Engine.VersionChange
        do throws(EngineError) { change = try engine.rollback(policy: policyID) } catch {
            if case .invalidField("version", _) = error {
                throw APIError(status: 409, code: "no_earlier_version", message: error.description, field: "id")
            }
            throw APIError(error)
        }
        return Self.versionReply(change, "rolled_back")
    }

    private static func versionReply(_ change: Engine.VersionChange, _ status: String) -> HTTPResponse {
        json(.object([("policy", .string(change.policyID)), ("status", .string(status)),
                      ("fingerprint", .string(change.fingerprint)), ("previous_fingerprint", .string(change.previousFingerprint)),
                      ("earlier_versions", .integer(change.earlierVersions))]))
    }

    private static func field(of error: BanditsError) -> String? {
        if case .invalidSpecification(let path, _, _) = error { return path }
        return nil
    }

    private func killSwitch(_ policyID: String, _ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try decodeBody(KillSwitchRequest.self, request)
        guard body.enabled || body.action == nil else {
            throw APIError(status: 422, code: "invalid_field", message: "give an action only when enabling the kill switch", field: "action")
        }
        guard let specification = engine.specifications.first(where: { $0.id == policyID }) else {
            throw APIError(EngineError.unknownPolicy(policyID, available: engine.policyIDs))
        }
        let fallback: String? = body.enabled ? (body.action ?? specification.catalog.first?.id) : nil
        do throws(EngineError) {
            try engine.setKillSwitch(policy: policyID, action: fallback)
        } catch {
            throw APIError(error)
        }
        let state: JSONText.Value = fallback.map { .string($0) } ?? .null
        return Self.json(.object([("policy", .string(policyID)), ("kill_switch", state)]))
    }

    private func policies() -> HTTPResponse {
        let switches = engine.killSwitches
        let figures = Dictionary(engine.statistics.policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let items: [JSONText.Value] = engine.specifications.map { s in
            .object([
                ("id", .string(s.id)),
                ("description", s.description.map { .string($0) } ?? .null),
                ("mode", .string((figures[s.id]?.mode ?? .online).rawValue)),
                ("algorithm", .string(prebuiltModel(of: s)?.algorithm ?? s.algorithm.kind.rawValue)),
                ("explorer", prebuiltModel(of: s) != nil ? .null : s.explorer.map { .string($0.kind.rawValue) } ?? .null),
                ("actions", .array(s.catalog.map { .string($0.id) })),
                ("features", .array(s.featureSchema.features.map { .string($0.name) })),
                ("context_dimension", .integer(s.featureSchema.dimension)),
                ("reward_window_seconds", .number(s.reward.windowSeconds)),
                ("default_reward", .number(s.reward.defaultReward ?? 0)),
                ("aggregation", .string((s.reward.aggregation ?? .sum).rawValue)),
                ("model_version", .integer(figures[s.id]?.modelVersion ?? 0)),
                ("fingerprint", .string(s.fingerprint)),
                ("kill_switch", switches[s.id].map { .string($0) } ?? .null),
                ("apprentice", figures[s.id]?.apprentice.map { a in
                    .object([("baseline", .string(a.baselineAction)), ("decisions", .integer(a.decisions)),
                             ("agreement_rate", .number(a.agreementRate)), ("rounds", .integer(a.rounds)),
                             ("estimated_value", .number(a.estimatedValue)), ("standard_error", .number(a.standardError)),
                             ("baseline_value", .number(a.baselineValue))])
                } ?? .null),
            ])
        }
        return Self.json(.object([("policies", .array(items))]))
    }

    private func segments() -> HTTPResponse {
        let items: [JSONText.Value] = engine.specifications.compactMap { s in
            guard let seg = s.segmentation else { return nil }
            return .object([("policy", .string(s.id)), ("field", .string(seg.field)), ("count", .integer(seg.count)),
                            ("strategy", .string(seg.strategy.rawValue))])
        }
        var members: [(String, JSONText.Value)] = [("segmentations", .array(items))]
        if let customers = engine.customers {
            let model = customers.model
            members.append(("live", .object([
                ("method", .string(model.method.rawValue)), ("count", .integer(customers.segmentCount)),
                ("rules", .array((0..<customers.segmentCount).map { .string(model.rule(for: $0)) })),
                ("features", .array(customers.featureNames.map { .string($0) })),
                ("events_ingested", .integer(customers.ingestedEvents)),
            ])))
        }
        return Self.json(.object(members))
    }

    private func prometheus() -> HTTPResponse {
        HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                     body: Array(metrics.render(engine: engine.statistics).utf8))
    }

    private func readiness() -> HTTPResponse {
        let r = engine.recovery
        let failure = engine.checkpointFailure
        return Self.json(.object([
            ("status", .string(failure == nil ? "ready" : "degraded")),
            ("policies", .array(engine.policyIDs.map { .string($0) })),
            ("recovered_entries", .integer(r.replayedEntries)),
            ("recovery_seconds", .number(r.seconds)),
            ("checkpoint_failure", failure.map { .string($0) } ?? .null),
        ]), status: failure == nil ? 200 : 503)
    }

    static func json(_ value: JSONText.Value, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(JSONText.render(value).utf8))
    }
}

/// The body of `POST /v1/policies/{id}/kill-switch`: `{"enabled": true, "action": "no_offer"}`
/// serves that action (the first catalog action when absent); `{"enabled": false}` resumes the policy.
struct KillSwitchRequest: Decodable {
    var enabled: Bool
    var action: String?
}
