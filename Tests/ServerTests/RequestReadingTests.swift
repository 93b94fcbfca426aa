import AttuneCore
import Engine
import Foundation
@testable import Server
import Testing

/// The one-pass readings of decision and reward bodies against the strict decoder: the same
/// values on valid bodies, a deviation (hence the strict decoder's own error) on bad ones.
@Suite("Request body reading")
struct RequestReadingTests {
    static func strict<T: Decodable>(_ type: T.Type, _ text: String) -> Result<T, AttuneCoreError> {
        do throws(AttuneCoreError) {
            return .success(try StrictJSONDecoder().decode(type, from: Data(text.utf8), source: "body"))
        } catch {
            return .failure(error)
        }
    }

    static func combined<T: Decodable>(_ type: T.Type, _ text: String,
                                       _ read: (inout JSONReader) throws(JSONReader.Deviation) -> T) -> Result<T, AttuneCoreError> {
        do throws(AttuneCoreError) {
            return .success(try StrictJSONDecoder().decode(type, from: Array(text.utf8), source: "body", reading: read))
        } catch {
            return .failure(error)
        }
    }

    // Outside the test macros: the compiler does not lower typed-throws function references inside them.
    static func readDecision(_ text: String) -> DecisionRequest? { JSONReader.read(Array(text.utf8), RequestReading.decision) }
    static func readReward(_ text: String) -> RewardRequest? { JSONReader.read(Array(text.utf8), RequestReading.reward) }

    @Test(arguments: [
        #"{"context": [0.5, -1, 2e-3, 0, 1E+2]}"#,
        #"{"context": []}"#,
        #"{"context": {}}"#,
        #"{"context": {"x": 1.5, "y": -2}, "customer_id": "c1", "event_id": "e1", "policy": "offers", "segment": 2, "slots": 2, "actions": [{"id": "a"}, {"id": "b", "features": [1, 2]}, {"features": null, "id": "c"}], "excluded_actions": ["c"]}"#,
        #"{"context": {}, "policy": null, "segment": null, "actions": null, "excluded_actions": null, "slots": null, "event_id": null, "customer_id": null}"#,
        " \n{ \"customer_id\" : \"é😀\" , \"context\" : [ 1 , -0.25 ] } \n",
        #"{"event_id":"e-7","customer_id":"c12","context":[0.123,-0.998,0.5,0.001,-0.75,0.25,0.5,0.125,-0.375,0.875,0.0625,-0.5,0.3,0.7,-0.1,0.9,-0.2,0.4,-0.6,0.8]}"#,
    ])
    func validDecisionBodiesReadAsTheyDecode(text: String) throws {
        let strict = try Self.strict(DecisionRequest.self, text).get()
        let read = Self.readDecision(text)
        let fast = try #require(read, "deviated on \(text)")
        #expect(fast == strict)
    }

    @Test(arguments: [
        "", "{", "[]", #"{}"#, #"{"context": null}"#, #"{"context": "x"}"#, #"{"context": [1, 2,]}"#,
        #"{"context": [1], "context": [2]}"#, #"{"context": {"x": 1, "x": 2}}"#, #"{"context": [1, NaN]}"#,
        #"{"context": [01]}"#, #"{"context": [1e400]}"#, #"{"context": [[1]]}"#, #"{"context": {"x": true}}"#,
        #"{"context": [1], "segment": 1.5}"#, #"{"context": [1], "segment": "1"}"#, #"{"context": [1], "slots": 99999999999999999999}"#,
        #"{"context": [1], "actions": [{"id": "a", "feature": [1]}]}"#, #"{"context": [1], "actions": [{"features": [1]}]}"#,
        #"{"context": [1], "actions": {"id": "a"}}"#, #"{"context": [1], "actions": [{"id": "a", "features": ["1"]}]}"#,
        #"{"context": [1], "excluded_actions": ["a", 1]}"#, #"{"context": [1], "policy": 3}"#, #"{"contxt": [1]}"#,
        #"{"context": [1], "extra": null}"#, #"{"context": [1],}"#, #"{"context": [1]} x"#, "{\"context\": [1], \"event_id\": \"a\tb\"}",
        #"{"context": [1], "event_id": "\u0061", "event_id": "b"}"#,
    ])
    func malformedDecisionBodiesGiveTheStrictError(text: String) {
        let read = Self.readDecision(text)
        #expect(read == nil)
        guard case .failure(let expected) = Self.strict(DecisionRequest.self, text) else {
            Issue.record("the strict decoder accepted \(text)")
            return
        }
        guard case .failure(let error) = Self.combined(DecisionRequest.self, text, RequestReading.decision) else {
            Issue.record("the combined decode accepted \(text)")
            return
        }
        #expect(error == expected)
    }

    @Test(arguments: [#"{"context": [1], "segment": 3.0}"#, #"{"context": [1], "event_id": "e\u00e9"}"#])
    func bodiesTheReaderLeavesStillDecode(text: String) throws {
        let read = Self.readDecision(text)
        #expect(read == nil)
        let combined = try Self.combined(DecisionRequest.self, text, RequestReading.decision).get()
        #expect(try combined == Self.strict(DecisionRequest.self, text).get())
    }

    @Test(arguments: [
        #"{"event_id": "e", "reward": 1}"#, #"{"reward": -0.5e1, "event_id": "e", "reward_id": null}"#,
        #"{"event_id": "e", "reward": 0, "reward_id": "click-2"}"#,
    ])
    func validRewardBodiesReadAsTheyDecode(text: String) throws {
        let strict = try Self.strict(RewardRequest.self, text).get()
        let read = Self.readReward(text)
        #expect(read == strict)
    }

    @Test(arguments: [
        #"{"event_id": "e", "reward": "1"}"#, #"{"event_id": "e"}"#, #"{"reward": 1}"#, #"{"event_id": "e", "reward": 1, "rewardid": "x"}"#,
        #"{"event_id": null, "reward": 1}"#, #"{"event_id": "e", "reward": 1, "reward": 2}"#, #"{"event_id": "e", "reward": null}"#,
    ])
    func malformedRewardBodiesGiveTheStrictError(text: String) {
        let read = Self.readReward(text)
        #expect(read == nil)
        guard case .failure(let expected) = Self.strict(RewardRequest.self, text),
              case .failure(let error) = Self.combined(RewardRequest.self, text, RequestReading.reward) else {
            Issue.record("a decoder accepted \(text)")
            return
        }
        #expect(error == expected)
    }

    @Test func theRouterRepliesWithTheStrictErrorsPath() throws {
        let router = try Support.makeRouter()
        defer { router.engine.shutdown() }
        let response = router.handle(HTTPRequest(method: "POST", path: "/v1/decisions",
                                                 body: #"{"context": {"x": 1}, "actions": [{"id": "a", "featurs": [1]}]}"#))
        #expect(response.status == 400 && response.text.contains("actions[0].featurs"), "\(response.text)")
    }
}
