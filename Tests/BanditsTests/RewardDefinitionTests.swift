import Bandits
import Testing

@Suite("Reward definitions")
struct RewardDefinitionTests {
    static let offer = Action(id: "ten_percent", cost: 6)
    static let price = Action(id: "p25", kind: .price, cost: 11, price: 25)
    static let events = [
        RewardDefinition.Event(type: "click", secondsAfterDecision: 5),
        RewardDefinition.Event(type: "purchase", secondsAfterDecision: 60, value: 80),
        RewardDefinition.Event(type: "purchase", secondsAfterDecision: 30, value: 20),
        RewardDefinition.Event(type: "purchase", secondsAfterDecision: 9_000, value: 500),  // after the window
        RewardDefinition.Event(type: "purchase", secondsAfterDecision: -1, value: 700),     // before the decision
    ]

    /// (value, aggregation, action, margin, expected reward)
    static let cases: [(RewardDefinition.Value, RewardDefinition.Aggregation, Action, Double?, Double)] = [
        (.constant, .sum, offer, nil, 2),
        (.eventValue, .sum, offer, nil, 100),
        (.eventValue, .first, offer, nil, 20),
        (.eventValue, .last, offer, nil, 80),
        (.eventValue, .max, offer, nil, 80),
        (.revenue, .sum, price, nil, 50),
        (.margin, .first, price, nil, 14),
        (.margin, .sum, offer, 30, 48),
    ]

    @Test(arguments: cases)
    func countsOnlyListedEventsInsideTheWindow(c: (RewardDefinition.Value, RewardDefinition.Aggregation, Action, Double?, Double)) {
        let definition = RewardDefinition(events: ["purchase"], value: c.0, aggregation: c.1, defaultReward: -1, windowSeconds: 3_600)
        #expect(definition.reward(for: c.2, events: Self.events, margin: c.3) == c.4)
    }

    @Test func noCountedEventGivesTheDefaultReward() {
        let definition = RewardDefinition(events: ["purchase"], defaultReward: 0.25, windowSeconds: 10)
        #expect(definition.reward(for: Self.offer, events: Self.events) == 0.25)
        #expect(definition.reward(for: Self.offer, events: []) == 0.25)
    }
}
