import Engine
import Foundation

extension Router {
    /// Handles one request and answers through `completion` without blocking the calling
    /// thread on a commit, for event-loop servers: single-slot decisions and rewards are
    /// committed by the engine's journal, whose thread calls `completion` once the entry is
    /// durable; `GET` routes answer at once; the other routes, which may wait (customer events,
    /// policy administration, multi-slot decisions), run on one of a fixed set of worker
    /// threads. Never throws: errors become replies.
    /// - Complexity: the route's work; the commit happens later.
    public func handle(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        let path = request.path
        let isDecision = path == "/v1/decisions"
        guard request.method == "POST", isDecision || path == "/v1/rewards" else {
            if request.method == "GET" {
                completion(handle(request))
            } else {
                blockingWorkers.submit { [self] in completion(handle(request)) }
            }
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let finish: @Sendable (HTTPResponse) -> Void = { [metrics] response in
            metrics.record(route: path, status: response.status, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            completion(response)
        }
        do throws(APIError) {
            if isDecision {
                try authorize(request, scope: .decide)
                let body = try decodeBody(DecisionRequest.self, request, reading: RequestReading.decision)
                guard body.slots == nil else {
                    return blockingWorkers.submit { [self] in completion(handle(request)) }
                }
                // The body is encoded here, on the event loop, not on the journal thread that
                // answers every request of a commit.
                engine.decide(body, preparing: { ReplyEncoding.decision($0) }) { result in
                    switch result {
                    case .success(let encoded): finish(HTTPResponse(status: 200, body: encoded))
                    case .failure(let error): finish(APIError(error).response)
                    }
                }
            } else {
                try authorize(request, scope: .reward)
                let body = try decodeBody(RewardRequest.self, request, reading: RequestReading.reward)
                engine.reward(body) { result in
                    switch result {
                    case .success(let reply): finish(HTTPResponse(status: 200, body: ReplyEncoding.reward(reply)))
                    case .failure(let error): finish(APIError(error).response)
                    }
                }
            }
        } catch {
            finish(error.response)
        }
    }
}
