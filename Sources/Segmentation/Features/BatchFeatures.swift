/// Features of one customer computed from the complete list of their events at once: the
/// batch path, written independently of ``CustomerProfile`` (two-pass statistics, direct
/// counting) so that the two can be checked against each other.
///
/// Events are taken in the order given (time order for a sorted log), like the profile.
public enum BatchFeatures {
    /// The feature vector of `events` (one customer's) in the column order of `schema`, at
    /// the reference time `asOf` (epoch seconds).
    /// - Complexity: O(events + text length).
    public static func features(of events: [Event], schema: FeatureSchema, asOf: Double) -> [Double] {
        var x = [Double](repeating: 0, count: schema.count)
        guard !events.isEmpty else { return x }
        let day = 86_400.0
        let times = events.map(\.timestamp)
        let first = times.min() ?? asOf
        let tenure = max(0, asOf - first) / day
        let purchases = events.filter { $0.type == .purchase }
        let revenue = purchases.reduce(0) { $0 + ($1.value ?? 0) }
        x[0] = purchases.isEmpty ? tenure : max(0, asOf - (purchases.map(\.timestamp).max() ?? asOf)) / day
        x[1] = Double(purchases.count)
        x[2] = revenue
        x[3] = purchases.isEmpty ? 0 : revenue / Double(purchases.count)
        if purchases.count >= 2 {
            let gaps = (1..<purchases.count).map { max(0, purchases[$0].timestamp - purchases[$0 - 1].timestamp) / day }
            let mean = gaps.reduce(0, +) / Double(gaps.count)
            let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count)
            x[4] = mean
            x[5] = mean > 0 ? variance.squareRoot() / mean : 0
        }
        let quantities = purchases.compactMap(\.quantity)
        x[6] = quantities.isEmpty ? 0 : quantities.reduce(0, +) / Double(quantities.count)
        x[7] = purchases.isEmpty ? 0 : Double(purchases.filter { ($0.discount ?? 0) > 0 }.count) / Double(purchases.count)

        let categories = events.compactMap(\.category)
        if !categories.isEmpty {
            for (k, name) in schema.topCategories.enumerated() {
                x[schema.categoryOffset + k] = Double(categories.filter { $0 == name }.count) / Double(categories.count)
            }
            let top = Set(schema.topCategories)
            x[schema.categoryOffset + schema.topCategories.count] =
                Double(categories.filter { !top.contains($0) }.count) / Double(categories.count)
        }
        let n = Double(events.count)
        for (k, channel) in FeatureSchema.channels.enumerated() {
            x[schema.channelOffset + k] = Double(events.filter { $0.channel == channel }.count) / n
        }
        let t = schema.timeOffset
        for e in events {
            let c = CustomerProfile.cyclical(e.timestamp)
            x[t] += c.hourSin
            x[t + 1] += c.hourCos
            x[t + 2] += c.dowSin
            x[t + 3] += c.dowCos
        }
        for k in 0..<4 { x[t + k] /= n }
        var sessions = events.filter { $0.type == .appSession }.count
        var lastWeb: Double?
        for e in events where e.channel == .web {
            if lastWeb == nil || e.timestamp - (lastWeb ?? 0) > CustomerProfile.sessionGapSeconds { sessions += 1 }
            lastWeb = e.timestamp
        }
        let pageViews = events.filter { $0.type == .pageView }.count
        x[t + 4] = sessions > 0 ? Double(pageViews) / Double(sessions) : 0
        let dwell = events.filter { $0.type == .pageView || $0.type == .appSession }.compactMap(\.durationSeconds)
        x[t + 5] = dwell.isEmpty ? 0 : dwell.reduce(0, +) / Double(dwell.count)

        let count = { (type: EventType) in events.filter { $0.type == type }.count }
        let sends = max(count(.emailSent), count(.emailOpen))
        x[schema.emailOffset] = sends > 0 ? Double(count(.emailOpen)) / Double(sends) : 0
        let clicks = count(.emailClick)
        x[schema.emailOffset + 1] = max(sends, clicks) > 0 ? Double(clicks) / Double(max(sends, clicks)) : 0
        x[schema.emailOffset + 2] = count(.emailUnsubscribe) > 0 ? 1 : 0

        let terms = events.compactMap(\.query).flatMap { TextFeatures.tokens($0) }
        for term in terms {
            x[schema.searchOffset + TextFeatures.bucket(of: term, buckets: schema.searchBuckets)] += 1 / Double(terms.count)
        }
        let r = schema.tailOffset
        let scores = events.filter { $0.type == .review }.compactMap(\.text).map(TextFeatures.sentiment)
        x[r] = scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
        let ratings = events.compactMap(\.rating)
        x[r + 1] = ratings.isEmpty ? 3 : ratings.reduce(0, +) / Double(ratings.count)
        x[r + 2] = tenure
        let asOfDay = CustomerProfile.dayIndex(asOf)
        let ages = events.map { asOfDay - CustomerProfile.dayIndex($0.timestamp) }
        let last = ages.filter { $0 < 30 }.count
        let previous = ages.filter { $0 >= 30 && $0 < 60 }.count
        x[r + 3] = last + previous > 0 ? Double(last - previous) / Double(last + previous) : 0
        let storeRevenue = purchases.filter { $0.channel == .store }.reduce(0) { $0 + ($1.value ?? 0) }
        x[r + 4] = revenue > 0 ? storeRevenue / revenue : 0
        x[r + 5] = n / max(1, tenure / 7)
        return x
    }
}
