// MARK: - Raw touchpoint events

extension RetailEnvironment {
    /// The visit's opening events: the channel drawn from the segment's channel weights, and
    /// a search on the web and app one visit in four.
    mutating func recordVisit(round: Int, channelDraw: Double, sessionDraw: Double) {
        let weights = specification.segments[segmentOf[customer]].channels
        let total = weights.reduce(0, +)
        var cumulative = 0.0
        channel = weights.count - 1
        for i in weights.indices where weights[i] > 0 {
            cumulative += weights[i] / total
            if channelDraw < cumulative { channel = i; break }
        }
        let name = RetailSpecification.channelNames[channel]
        let t = timestamp(ofRound: round)
        let duration = 30 + 600 * sessionDraw
        switch name {
        case "app": events.append(TouchpointEvent(customer: customer, timestamp: t, channel: name, type: "app_session", durationSeconds: duration))
        case "email": events.append(TouchpointEvent(customer: customer, timestamp: t, channel: name, type: "email_open"))
        case "social": events.append(TouchpointEvent(customer: customer, timestamp: t, channel: name, type: "social_engagement"))
        case "store": events.append(TouchpointEvent(customer: customer, timestamp: t, channel: name, type: "store_visit", durationSeconds: duration))
        default: events.append(TouchpointEvent(customer: customer, timestamp: t, channel: name, type: "page_view", durationSeconds: duration))
        }
        if (name == "web" || name == "app") && sessionDraw < 0.25 {
            let category = specification.actions[Int(sessionDraw * 4 * Double(actionCount)) % actionCount].category
            events.append(TouchpointEvent(customer: customer, timestamp: t + 5, channel: name, type: "search", category: category, query: category))
        }
    }

    /// A conversion's events: the click (or email click), the cart add, the purchase, and a
    /// review one purchase in twenty.
    mutating func recordPurchase(action: Int, value: Double, reviewDraw: Double) {
        let name = RetailSpecification.channelNames[channel]
        let t = specification.startSeconds + day * 86_400
        let a = specification.actions[action]
        let purchaseChannel = name == "email" || name == "social" ? "web" : name
        if name != "store" {
            events.append(TouchpointEvent(customer: customer, timestamp: t + 10, channel: name, type: name == "email" ? "email_click" : "click", sku: a.id))
            events.append(TouchpointEvent(customer: customer, timestamp: t + 20, channel: purchaseChannel, type: "cart_add", value: value, category: a.category, sku: a.id))
        }
        events.append(TouchpointEvent(customer: customer, timestamp: t + 30, channel: purchaseChannel, type: "purchase", value: value, category: a.category, sku: a.id))
        if reviewDraw < 0.05 {
            events.append(TouchpointEvent(customer: customer, timestamp: t + 3600, channel: purchaseChannel, type: "review", category: a.category, sku: a.id))
        }
    }
}
