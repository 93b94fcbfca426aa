import AttuneCore
@testable import Engine
import Foundation
@testable import Server
import Testing

/// The byte writer of the hot replies against the `JSONText.Value` rendering they replace.
@Suite("Reply encoding")
struct ReplyEncodingTests {
    /// The reference: the reply as a `Value` tree, rendered.
    static func reference(_ reply: DecisionResponse) -> String {
        func distribution(_ items: [DecisionResponse.Probability]) -> JSONText.Value {
            .array(items.map { .object([("id", .string($0.id)), ("probability", .number($0.probability))]) })
        }
        var members: [(String, JSONText.Value)] = [
            ("event_id", .string(reply.eventID)), ("policy", .string(reply.policy)), ("action_id", .string(reply.actionID)),
            ("probabilities", distribution(reply.probabilities)),
            ("segment", reply.segment.map { .integer($0) } ?? .null), ("model_version", .integer(reply.modelVersion)),
        ]
        if let slots = reply.slots {
            members.append(("slots", .array(slots.enumerated().map { k, slot in
                .object([("slot", .integer(k)), ("event_id", .string(slot.eventID)), ("action_id", .string(slot.actionID)),
                         ("probability", .number(slot.probability)), ("probabilities", distribution(slot.probabilities))])
            })))
        }
        return JSONText.render(.object(members))
    }

    @Test func decisionRepliesMatchTheValueRendering() throws {
        var generator = SeededGenerator(seed: 21)
        let ids = ["a", "offer_7", "é\"quoted\"", "tab\there", "\u{1}ctl", "😀"]
        let numbers: [Double] = [0, -0.0, 1, 0.1, 1.0 / 3, .leastNonzeroMagnitude, 1e15, 999_999_999_999_999, -2.5, 1e300, .nan, .infinity]
        for round in 0..<300 {
            let count = Int.random(in: 1...12, using: &generator)
            // Rounds 50..<150 draw from three values, as ε-greedy repeats one probability: the
            // writer copies a repeated number's text, which must match its digits wherever it lies.
            let few = (0..<3).map { _ in Double.random(in: 0...1, using: &generator) }
            let probabilities = (0..<count).map { _ in
                let probability = round < 50 ? numbers.randomElement(using: &generator) ?? 0
                    : round < 150 ? few.randomElement(using: &generator) ?? 0 : Double.random(in: 0...1, using: &generator)
                return DecisionResponse.Probability(id: ids.randomElement(using: &generator) ?? "a", probability: probability)
            }
            var reply = DecisionResponse(eventID: ids.randomElement(using: &generator) ?? "e", policy: "p", actionID: probabilities[0].id,
                                         probabilities: probabilities, segment: Bool.random(using: &generator) ? Int.random(in: -5...Int.max, using: &generator) : nil,
                                         modelVersion: Int.random(in: Int.min...Int.max, using: &generator))
            if round % 3 == 0 {
                reply.slots = [DecisionResponse.Slot(eventID: "e#1", actionID: "a", probability: 0.5, probabilities: probabilities)]
            }
            #expect(String(decoding: ReplyEncoding.decision(reply), as: UTF8.self) == Self.reference(reply))
        }
    }

    @Test func repeatedNumbersAreWrittenAsTheirOwnDigits() {
        var w = JSONText.Writer()
        for d in [0.005, 0.005, 0.955, 0.955, 0.005, 2, 0.005, -0.005, .nan, 0.005] {
            w.number(d)
            w.raw(",")
        }
        #expect(String(decoding: w.bytes, as: UTF8.self) == "0.005,0.005,0.955,0.955,0.005,2,0.005,-0.005,null,0.005,")
    }

    @Test func rewardRepliesMatchTheValueRendering() {
        for status in [RewardResponse.Status.joined, .late, .duplicate] {
            let reply = RewardResponse(eventID: "e\"1", status: status)
            let reference = JSONText.render(.object([("event_id", .string(reply.eventID)), ("status", .string(status.rawValue))]))
            #expect(String(decoding: ReplyEncoding.reward(reply), as: UTF8.self) == reference)
        }
    }

    @Test(arguments: [0, 7, -7, 10, -10, Int.max, Int.min, 1_000_000_007])
    func integersAreWrittenAsSwiftPrintsThem(value: Int) {
        var w = JSONText.Writer()
        w.integer(value)
        #expect(String(decoding: w.bytes, as: UTF8.self) == String(value))
    }
}
