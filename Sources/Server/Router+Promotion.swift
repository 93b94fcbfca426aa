import Bandits
import Engine
import Foundation

// MARK: - POST /v1/policies/{id}/candidates

extension Router {
    /// Evaluates a candidate version of a policy on the policy's decision log and promotes it
    /// only when the deployment gate accepts it (`Engine.promote`).
    ///
    /// The body is the candidate policy document itself (`{"format": "attune.policy/1", …}`),
    /// or `{"policy": {…}}` / `{"path": "policies/new.json"}` (a file the server can read),
    /// optionally with `"dry_run": true` to evaluate without promoting. Replies 200 with the
    /// report when promoted (or a dry run passed), 409 `gate_refused` with the same report
    /// (every check with its figures) when the gate refuses, 422 when the candidate cannot be
    /// evaluated on the log, 400 for a body that is not such a document.
    func promoteCandidate(_ policyID: String, _ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let (candidate, dryRun) = try candidateBody(request)
        guard candidate.id == policyID else {
            throw APIError(status: 422, code: "invalid_policy",
                           message: "the candidate's id is '\(candidate.id)', not '\(policyID)'; post a candidate to its own policy", field: "id")
        }
        let report: Engine.PromotionReport
        do throws(EngineError) { report = try engine.promote(candidate, dryRun: dryRun) } catch {
            if case .invalidField(let field, _) = error {
                throw APIError(status: 422, code: "candidate_not_evaluable",
                               message: error.description + "; the current version keeps serving", field: field)
            }
            throw APIError(error)
        }
        let status = report.promoted ? "promoted" : report.passed ? "passed" : "refused"
        let checks: [JSONText.Value] = report.checks.map { c in
            .object([("name", .string(c.name)), ("passed", .bool(c.passed)), ("value", Self.number(c.value)),
                     ("comparison", .string(c.comparison)), ("threshold", Self.number(c.threshold)), ("detail", .string(c.detail))])
        }
        var members: [(String, JSONText.Value)] = [
            ("policy", .string(report.policyID)), ("status", .string(status)), ("promoted", .bool(report.promoted)),
            ("candidate_fingerprint", .string(report.candidateFingerprint)),
            ("serving_fingerprint", .string(report.servingFingerprint)),
            ("rounds", .integer(report.rounds)), ("candidate_value", Self.number(report.candidateValue)),
            ("baseline_value", Self.number(report.baselineValue)), ("checks", .array(checks)),
            ("earlier_versions", .integer(report.earlierVersions)),
        ]
        guard report.passed else {
            members.insert(("error", .object([
                ("code", .string("gate_refused")),
                ("message", .string("the deployment gate refused the candidate (failed: \(report.checks.filter { !$0.passed }.map(\.name).joined(separator: ", "))); the current version keeps serving")),
            ])), at: 0)
            return Self.json(.object(members), status: 409)
        }
        return Self.json(.object(members))
    }

    /// A JSON number, or `null` for a non-finite one (an unlimited threshold).
    private static func number(_ x: Double) -> JSONText.Value { x.isFinite ? .number(x) : .null }

    /// Parses the candidate body: a policy document, or `{"policy" | "path", "dry_run"?}`.
    private func candidateBody(_ request: HTTPRequest) throws(APIError) -> (PolicySpecification, Bool) {
        guard !request.isBodyTooLarge, request.body.count <= configuration.maxBodyBytes else {
            throw APIError(status: 413, code: "body_too_large",
                           message: "the body exceeds \(configuration.maxBodyBytes) bytes; send {\"path\": …} naming the candidate file instead")
        }
        guard !request.body.isEmpty else {
            throw APIError(status: 400, code: "invalid_json", message: "the body is empty; send the candidate policy document, or {\"path\": \"…\"}")
        }
        guard JSONText.nestingDepth(of: request.body) <= configuration.maxJSONDepth else {
            throw APIError(status: 400, code: "too_deep", message: "JSON nesting deeper than \(configuration.maxJSONDepth) levels")
        }
        let body = Data(request.body)
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw APIError(status: 400, code: "invalid_json", message: "the body is not a JSON object; send the candidate policy document, or {\"path\": \"…\"}")
        }
        if object["format"] != nil { return (try Self.specification(body, source: "body"), false) }
        for key in object.keys.sorted() where !["policy", "path", "dry_run"].contains(key) {
            throw APIError(status: 400, code: "unknown_field", message: "unknown key '\(key)'; use policy, path or dry_run", field: key)
        }
        struct Flags: Decodable { var dry_run: Bool? }
        guard let flags = try? JSONDecoder().decode(Flags.self, from: body) else {
            throw APIError(status: 422, code: "invalid_field", message: "dry_run must be true or false", field: "dry_run")
        }
        let dryRun = flags.dry_run ?? false
        switch (object["policy"], object["path"]) {
        case (let policy?, nil):
            guard policy is [String: Any], let data = try? JSONSerialization.data(withJSONObject: policy) else {
                throw APIError(status: 422, code: "invalid_field", message: "policy must be a policy document (a JSON object)", field: "policy")
            }
            return (try Self.specification(data, source: "policy"), dryRun)
        case (nil, let path?):
            guard let path = path as? String, !path.isEmpty else {
                throw APIError(status: 422, code: "invalid_field", message: "path must name a policy file", field: "path")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError(status: 422, code: "invalid_policy", message: "\(path) cannot be read; give a policy file the server can read", field: "path")
            }
            return (try Self.specification(data, source: path), dryRun)
        default:
            throw APIError(status: 422, code: "invalid_field", message: "give exactly one of policy (the document) and path (a policy file)", field: "policy")
        }
    }

    private static func specification(_ data: Data, source: String) throws(APIError) -> PolicySpecification {
        do throws(BanditsError) { return try PolicySpecification(decoding: data, source: source) } catch {
            var field: String?
            if case .invalidSpecification(let path, _, _) = error { field = path }
            throw APIError(status: 422, code: "invalid_policy", message: "\(source): \(error.description)", field: field)
        }
    }
}
