import Foundation

// Plain-language wording of the report: what each feature means to a marketer, how far a
// segment stands out, and the typical hour and weekday behind the cyclical encodings.
extension SegmentReport {
    /// A plain-language label of a feature of ``FeatureSchema`` (other names, from a feature
    /// matrix, are returned as they are).
    static func label(_ feature: String) -> String {
        let channels = ["web": "the web shop", "app": "the app", "email": "e-mail", "social": "social media", "store": "stores", "other": "other channels"]
        if let category = feature.dropPrefix("category_share.") {
            return category == "other" ? "share of category activity in other categories" : "share of category activity in \(category)"
        }
        if let channel = feature.dropPrefix("channel_share.") { return "share of activity via \(channels[channel] ?? channel)" }
        if let bucket = feature.dropPrefix("search_bucket.") { return "searches in term group \(bucket)" }
        switch feature {
        case "recency_days": return "days since the last purchase"
        case "frequency": return "purchases"
        case "monetary": return "total spend"
        case "aov": return "average order value"
        case "ipt_mean_days": return "days between purchases"
        case "ipt_cv": return "irregularity of the gaps between purchases"
        case "basket_size": return "items per order"
        case "discount_rate": return "share of orders with a discount"
        case "hour_sin", "hour_cos": return "time of day (cyclical code)"
        case "dow_sin", "dow_cos": return "day of week (cyclical code)"
        case "pages_per_session": return "pages per web visit"
        case "dwell_mean_s": return "seconds per page view or app session"
        case "email_open_rate": return "e-mail open rate"
        case "email_click_rate": return "e-mail click rate"
        case "unsubscribed": return "unsubscribed from e-mail"
        case "review_sentiment": return "tone of reviews (−1 negative … +1 positive)"
        case "review_rating": return "average review rating (3 when none)"
        case "tenure_days": return "days since first seen"
        case "trend_30d": return "activity trend, last 30 days against the 30 before"
        case "in_store_share": return "share of spend in store"
        case "events_per_week": return "interactions per week"
        default: return feature
        }
    }

    /// `"e-mail open rate well above average (+1.4 sd)"`.
    static func phrase(_ d: SegmentEvaluation.Distinction) -> String {
        let size = abs(d.z) >= 1 ? "well " : (abs(d.z) >= 0.5 ? "" : "slightly ")
        let side = d.z > 0 ? "above" : "below"
        return "\(label(d.feature)) \(size)\(side) average (\(d.z > 0 ? "+" : "−")\(String(format: "%.1f", abs(d.z))) sd)"
    }

    /// The typical hour (UTC) and weekday of a segment from its mean cyclical encodings, or a
    /// note that its activity is spread out. The mean vector's angle is the circular mean; its
    /// length (0 when activity is uniform, 1 when it always happens at the same time) says how
    /// typical that time is, and below 0.3 no time is called typical.
    static func typicalTimes(model: SegmentationModel, means: [Double]) -> (hour: String, day: String)? {
        guard let hs = model.featureNames.firstIndex(of: "hour_sin"), let hc = model.featureNames.firstIndex(of: "hour_cos"),
              let ds = model.featureNames.firstIndex(of: "dow_sin"), let dc = model.featureNames.firstIndex(of: "dow_cos"),
              [hs, hc, ds, dc].allSatisfy({ $0 < means.count })
        else { return nil }
        func circular(_ s: Double, _ c: Double, period: Double) -> (value: Double, strength: Double) {
            var angle = atan2(s, c)
            if angle < 0 { angle += 2 * Double.pi }
            return (angle / (2 * Double.pi) * period, (s * s + c * c).squareRoot())
        }
        let hour = circular(means[hs], means[hc], period: 24)
        let day = circular(means[ds], means[dc], period: 7)
        let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let h = Int(hour.value.rounded()) % 24
        return (
            hour.strength >= 0.3 ? String(format: "around %02d:00 UTC", h) : "spread over the day",
            day.strength >= 0.3 ? names[Int(day.value.rounded()) % 7] : "spread over the week")
    }
}

extension String {
    /// The rest of the string after `prefix`, or `nil` when it does not start with it.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
