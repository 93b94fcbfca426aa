/// The running summary of one customer's events, updated per event in O(features) time and
/// constant space per customer (plus one counter per distinct category the customer touched).
///
/// A profile turns into the feature vector of ``FeatureSchema`` at any reference time with
/// ``features(schema:asOf:)``; ``BatchFeatures`` computes the same numbers from the full
/// event list, and the tests hold the two to agree. Order-dependent quantities (gaps between
/// purchases, web sessions) follow the order events are fed in, which is time order for a
/// sorted log; the reference time must not precede the profile's last event for the 30-day
/// trend to be exact.
///
/// ```
/// var profile = CustomerProfile(searchBuckets: 8)
/// profile.update(with: event)
/// let x = profile.features(schema: schema, asOf: now)
/// ```
public struct CustomerProfile: Sendable, Hashable, Codable {
    /// Seconds in a day.
    static let day = 86_400.0
    /// Inactivity that ends a web session, in seconds.
    public static let sessionGapSeconds = 1_800.0
    /// Days kept for the trend windows.
    static let trendDays = 60

    // Stored in the order one event touches them: the fields every event updates come first
    // and sit together (two to four cache lines), the type-specific ones after, so a profile
    // update in a table of many customers misses the cache as few times as possible.

    /// Events seen.
    public private(set) var eventCount = 0
    /// Earliest and latest event times (epoch seconds); meaningless while `eventCount == 0`.
    public private(set) var firstSeen = Double.infinity
    /// Latest event time (epoch seconds).
    public private(set) var lastSeen = -Double.infinity
    var latestDay = Int.min
    var hourSin = 0.0, hourCos = 0.0, dowSin = 0.0, dowCos = 0.0
    // Fixed-size counters live inline in the profile (SIMD vectors, not heap arrays).
    var channelCounts = SIMD8<Int32>()
    /// In a ``ProfileTable`` row: the first four categories the customer touched, as
    /// (id + 1, count) lane pairs, so most category events update a line already in cache;
    /// further categories are counted in the table's pair counters. Zero elsewhere.
    var tableCategories = SIMD8<UInt32>()
    var categoryTotal = 0
    var webSessions = 0
    var lastWebEventInOrder: Double?
    // Activity per day for the trend: slot `d % trendDays` holds day `d` for the last
    // `trendDays` days up to `latestDay`.
    var dayCounts = SIMD64<UInt16>()

    // Engagement.
    var pageViews = 0
    var dwellSum = 0.0
    var dwellCount = 0
    var appSessions = 0
    var emailSent = 0, emailOpen = 0, emailClick = 0
    var unsubscribed = false
    var searchTermTotal = 0
    var sentimentSum = 0.0
    var sentimentCount = 0
    var ratingSum = 0.0
    var ratingCount = 0

    // Purchases.
    var purchaseCount = 0
    var revenue = 0.0
    var storeRevenue = 0.0
    var discountedPurchases = 0
    var quantitySum = 0.0
    var quantityCount = 0
    var lastPurchase = -Double.infinity
    var previousPurchaseInOrder: Double?
    // Welford's running mean and sum of squared deviations of inter-purchase gaps (days).
    var gapCount = 0
    var gapMean = 0.0
    var gapM2 = 0.0

    /// Counts `category` (a ``ProfileTable`` category id) in ``tableCategories`` when it is
    /// there or there is room; `false` when the caller must count it elsewhere.
    @inline(__always)
    mutating func countTableCategory(_ category: Int) -> Bool {
        let key = UInt32(truncatingIfNeeded: category + 1)
        for lane in stride(from: 0, to: 8, by: 2) {
            if tableCategories[lane] == key {
                tableCategories[lane + 1] &+= 1
                return true
            }
            if tableCategories[lane] == 0 {
                tableCategories[lane] = key
                tableCategories[lane + 1] = 1
                return true
            }
        }
        return false
    }

    /// The count of `category` in ``tableCategories``, `nil` when it is not kept there.
    @inline(__always)
    func tableCategoryCount(_ category: Int) -> Int? {
        let key = UInt32(truncatingIfNeeded: category + 1)
        for lane in stride(from: 0, to: 8, by: 2) where tableCategories[lane] == key {
            return Int(tableCategories[lane + 1])
        }
        return nil
    }

    // Per-category and per-search-bucket counters (kept by the owning table when the
    // profile is a table row).
    var categoryCounts: [String: Int] = [:]
    var searchTermCounts: [Int]

    /// Creates an empty profile hashing search terms into `searchBuckets` buckets (at least 1).
    public init(searchBuckets: Int) {
        searchTermCounts = [Int](repeating: 0, count: max(1, searchBuckets))
    }

    /// A profile whose category and search-term counters are kept by its owner (the
    /// ``ProfileTable`` keeps them for all customers in shared tables).
    init(countersKeptByOwner: Void) {
        searchTermCounts = []
    }

    /// Folds one event into the profile.
    /// - Complexity: O(1) plus O(length) of any query or review text.
    public mutating func update(with event: Event) {
        if let category = event.category { categoryCounts[category, default: 0] += 1 }
        EventView.with(event) { view in
            record(view)
            if let query = view.query {
                let buckets = searchTermCounts.count
                TextFeatures.forEachToken(query) { term in
                    searchTermCounts[TextFeatures.bucket(of: term, buckets: buckets)] += 1
                    searchTermTotal += 1
                }
            }
        }
    }

    /// Folds one event into every accumulator except the per-category and per-search-bucket
    /// counters, which the caller keeps (``categoryTotal`` is counted here).
    /// - Complexity: O(1) plus O(length) of review text.
    @inline(__always)
    mutating func record(_ event: EventView) {
        let t = event.timestamp
        eventCount += 1
        firstSeen = min(firstSeen, t)
        lastSeen = max(lastSeen, t)
        // `FeatureSchema.channels` lists the channels in raw-value order.
        channelCounts[Int(event.channel.rawValue)] &+= 1
        let time = CustomerProfile.cyclical(t)
        hourSin += time.hourSin
        hourCos += time.hourCos
        dowSin += time.dowSin
        dowCos += time.dowCos
        recordDay(CustomerProfile.dayIndex(t))
        if event.category != nil { categoryTotal += 1 }
        if let rating = event.rating {
            ratingSum += rating
            ratingCount += 1
        }
        if event.channel == .web {
            if let last = lastWebEventInOrder, t - last <= CustomerProfile.sessionGapSeconds {} else { webSessions += 1 }
            lastWebEventInOrder = t
        }
        switch event.type {
        case .purchase: recordPurchase(event)
        case .pageView:
            pageViews += 1
            recordDwell(event.durationSeconds)
        case .appSession:
            appSessions += 1
            recordDwell(event.durationSeconds)
        case .emailSent: emailSent += 1
        case .emailOpen: emailOpen += 1
        case .emailClick: emailClick += 1
        case .emailUnsubscribe: unsubscribed = true
        case .review:
            if let text = event.text {
                sentimentSum += TextFeatures.sentiment(text)
                sentimentCount += 1
            }
        default: break
        }
    }

    private mutating func recordPurchase(_ event: EventView) {
        let t = event.timestamp
        purchaseCount += 1
        let value = event.value ?? 0
        revenue += value
        if event.channel == .store { storeRevenue += value }
        if let d = event.discount, d > 0 { discountedPurchases += 1 }
        if let q = event.quantity {
            quantitySum += q
            quantityCount += 1
        }
        if let previous = previousPurchaseInOrder {
            let gap = max(0, t - previous) / CustomerProfile.day
            gapCount += 1
            let delta = gap - gapMean
            gapMean += delta / Double(gapCount)
            gapM2 += delta * (gap - gapMean)
        }
        previousPurchaseInOrder = t
        lastPurchase = max(lastPurchase, t)
    }

    private mutating func recordDwell(_ seconds: Double?) {
        guard let seconds else { return }
        dwellSum += seconds
        dwellCount += 1
    }

    private mutating func recordDay(_ d: Int) {
        let n = CustomerProfile.trendDays
        if latestDay == Int.min {
            latestDay = d
        } else if d > latestDay {
            // Clear the slots of the days skipped over (at most a full turn).
            var day = latestDay + 1
            while day <= d && day <= latestDay + n {
                dayCounts[CustomerProfile.slot(day)] = 0
                day += 1
            }
            latestDay = d
        } else if d <= latestDay - n {
            return
        }
        // Saturating: more than 65 535 events in one day count as 65 535.
        let slot = CustomerProfile.slot(d)
        if dayCounts[slot] < UInt16.max { dayCounts[slot] += 1 }
    }

    static func slot(_ day: Int) -> Int {
        let r = day % trendDays
        return r < 0 ? r + trendDays : r
    }

    /// The day number (days since the epoch, floor) of `t`.
    static func dayIndex(_ t: Double) -> Int {
        let d = (t / day).rounded(.down)
        return d.isFinite && abs(d) < 1e15 ? Int(d) : 0
    }

    /// Cyclical encodings of the hour of day and the day of week of `t` (UTC; Monday = 0).
    ///
    /// ```
    /// hour = (t mod 86400) / 3600,  (sin, cos)(2π · hour / 24)
    /// dow  = (⌊t / 86400⌋ + 3) mod 7,  (sin, cos)(2π · dow / 7)
    /// ```
    /// Whole seconds (the usual case) are looked up: with s = 240a + b, the angle
    /// 2π·s/86400 is A + B where A = 2π·a/360 and B = 2π·b/86400, and
    /// sin(A + B) = sin A cos B + cos A sin B (cos likewise) from two tables of 360 and 240
    /// entries, within a few ulps of `sin`/`cos` and several times cheaper. Batch and
    /// incremental features both come through here, so they agree exactly.
    static func cyclical(_ t: Double) -> (hourSin: Double, hourCos: Double, dowSin: Double, dowCos: Double) {
        let d = dayIndex(t)
        let secondOfDay = t - Double(d) * day
        var dow = (d + 3) % 7
        if dow < 0 { dow += 7 }
        let tables = CyclicalTables.shared
        let dowSin = tables.week[2 * dow], dowCos = tables.week[2 * dow + 1]
        if secondOfDay >= 0, secondOfDay < day, secondOfDay == secondOfDay.rounded(.down) {
            let s = Int(secondOfDay)
            let a = 2 * (s / 240), b = 2 * (s % 240)
            let sa = tables.coarse[a], ca = tables.coarse[a + 1], sb = tables.fine[b], cb = tables.fine[b + 1]
            return (sa * cb + ca * sb, ca * cb - sa * sb, dowSin, dowCos)
        }
        let angle = 2 * Double.pi * secondOfDay / day
        return (sin(angle), cos(angle), dowSin, dowCos)
    }
}

/// Sine and cosine tables of ``CustomerProfile/cyclical(_:)``, interleaved (sin, cos).
private struct CyclicalTables: Sendable {
    static let shared = CyclicalTables()
    /// Steps of 240 s (1/360 of a day).
    let coarse: [Double]
    /// Seconds 0..<240.
    let fine: [Double]
    /// Days of the week.
    let week: [Double]

    init() {
        func table(_ n: Int, _ angle: (Int) -> Double) -> [Double] {
            (0..<n).flatMap { [sin(angle($0)), cos(angle($0))] }
        }
        coarse = table(360) { 2 * Double.pi * Double($0) / 360 }
        fine = table(240) { 2 * Double.pi * Double($0) / 86_400 }
        week = table(7) { 2 * Double.pi * Double($0) / 7 }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
