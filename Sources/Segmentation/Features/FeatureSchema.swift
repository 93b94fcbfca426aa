/// The named, ordered features extracted per customer, so every column of a feature matrix
/// (and every segment built on it) can be described in words.
///
/// The layout is fixed by two data-dependent choices made once at fit time and stored in the
/// model: the top product categories (the rest share `category_share.other`) and the number
/// of hashed search-term buckets. Column order:
///
/// | feature | meaning (units) |
/// | --- | --- |
/// | `recency_days` | days from the last purchase to the reference time (no purchase: days since first seen) |
/// | `frequency` | number of purchases |
/// | `monetary` | total purchase value (currency units) |
/// | `aov` | average order value = monetary / frequency (0 without purchases) |
/// | `ipt_mean_days`, `ipt_cv` | mean and coefficient of variation of the days between consecutive purchases (0 with fewer than 2 purchases) |
/// | `basket_size` | mean items per purchase that reports a quantity |
/// | `discount_rate` | share of purchases with a discount > 0 |
/// | `category_share.<name>` …, `category_share.other` | shares of the category-carrying events per top category |
/// | `channel_share.<channel>` | shares of all events per channel (web, app, email, social, store, other) |
/// | `hour_sin`, `hour_cos`, `dow_sin`, `dow_cos` | mean cyclical encoding of the hour of day and day of week (UTC) |
/// | `pages_per_session`, `dwell_mean_s` | web page views per web session (30-minute inactivity gap), mean `duration_s` of page views and app sessions |
/// | `email_open_rate`, `email_click_rate`, `unsubscribed` | opens / sends, clicks / sends (sends ≥ opens ≥ …), 1 after an unsubscribe |
/// | `search_bucket.<b>` | share of search terms hashed into bucket b |
/// | `review_sentiment`, `review_rating` | mean lexicon sentiment in [−1, 1] (0 without reviews), mean rating (3 without ratings) |
/// | `tenure_days` | days from the first event to the reference time |
/// | `trend_30d` | (events in the last 30 days − events in the 30 before) / (their sum), in [−1, 1] |
/// | `in_store_share` | share of purchase value bought in store |
/// | `events_per_week` | events per week of tenure (tenure at least one week) |
public struct FeatureSchema: Sendable, Hashable, Codable {
    /// The categories with their own share column, most frequent first.
    public var topCategories: [String]
    /// The number of hashed search-term buckets.
    public var searchBuckets: Int

    /// Creates a schema.
    /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` when
    ///   `searchBuckets` is not in 1...256.
    public init(topCategories: [String], searchBuckets: Int = 8) throws(SegmentationError) {
        guard (1...256).contains(searchBuckets) else {
            throw .invalidParameter(name: "searchBuckets", value: "\(searchBuckets)", expected: "an integer in 1...256")
        }
        self.topCategories = topCategories
        self.searchBuckets = searchBuckets
    }

    /// The channels with a share column, in column order.
    public static let channels: [Channel] = [.web, .app, .email, .social, .store, .other]

    /// The column names, in order.
    public var names: [String] {
        var n = ["recency_days", "frequency", "monetary", "aov", "ipt_mean_days", "ipt_cv", "basket_size", "discount_rate"]
        n += topCategories.map { "category_share.\($0)" } + ["category_share.other"]
        n += FeatureSchema.channels.map { "channel_share.\($0.rawValueName)" }
        n += ["hour_sin", "hour_cos", "dow_sin", "dow_cos", "pages_per_session", "dwell_mean_s"]
        n += ["email_open_rate", "email_click_rate", "unsubscribed"]
        n += (0..<searchBuckets).map { "search_bucket.\($0)" }
        n += ["review_sentiment", "review_rating", "tenure_days", "trend_30d", "in_store_share", "events_per_week"]
        return n
    }

    /// The number of columns.
    public var count: Int { 8 + topCategories.count + 1 + FeatureSchema.channels.count + 6 + 3 + searchBuckets + 6 }

    /// The column index of `name`, if the schema has it.
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    // Column offsets of the variable-length groups.
    var categoryOffset: Int { 8 }
    var channelOffset: Int { categoryOffset + topCategories.count + 1 }
    var timeOffset: Int { channelOffset + FeatureSchema.channels.count }
    var emailOffset: Int { timeOffset + 6 }
    var searchOffset: Int { emailOffset + 3 }
    var tailOffset: Int { searchOffset + searchBuckets }
}

extension Channel {
    /// The channel's spelling in event files and feature names.
    public var rawValueName: String {
        switch self {
        case .web: "web"
        case .app: "app"
        case .email: "email"
        case .social: "social"
        case .store: "store"
        case .other: "other"
        }
    }
}
