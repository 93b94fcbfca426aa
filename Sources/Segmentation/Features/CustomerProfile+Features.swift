// MARK: - Feature vector

extension CustomerProfile {
    /// The profile's feature vector in the column order of `schema` (see ``FeatureSchema``),
    /// at the reference time `asOf` (epoch seconds, at or after the last event).
    ///
    /// Missing values are imputed as documented in ``FeatureSchema``: rates and shares with
    /// an empty denominator are 0, `review_rating` is the neutral 3, `recency_days` without a
    /// purchase is the tenure.
    /// - Complexity: O(features + categories of the customer).
    public func features(schema: FeatureSchema, asOf: Double) -> [Double] {
        var x = [Double](repeating: 0, count: schema.count)
        writeFeatures(schema: schema, asOf: asOf, into: &x)
        return x
    }

    /// Writes the feature vector into `x` (which must have `schema.count` elements).
    /// - Complexity: O(features + categories of the customer), no allocation.
    public func writeFeatures(schema: FeatureSchema, asOf: Double, into x: inout [Double]) {
        let counts = searchTermCounts
        x.withUnsafeMutableBufferPointer { out in
            writeFeatures(
                schema: schema, asOf: asOf, into: out,
                categoryCount: { categoryCounts[schema.topCategories[$0]] ?? 0 },
                searchCount: { $0 < counts.count ? counts[$0] : 0 })
        }
    }

    /// Writes the feature vector into `x` with the per-category counts (`categoryCount(k)` for
    /// the k-th top category of `schema`) and per-bucket search-term counts supplied by the
    /// owner of those counters.
    @inline(__always)
    func writeFeatures(
        schema: FeatureSchema, asOf: Double, into x: UnsafeMutableBufferPointer<Double>,
        categoryCount: (Int) -> Int, searchCount: (Int) -> Int
    ) {
        guard x.count == schema.count else { return }
        for i in x.indices { x[i] = 0 }
        guard eventCount > 0 else { return }
        let day = CustomerProfile.day
        let tenure = max(0, asOf - firstSeen) / day
        // RFM, order value, gaps, basket, discounts.
        x[0] = purchaseCount > 0 ? max(0, asOf - lastPurchase) / day : tenure
        x[1] = Double(purchaseCount)
        x[2] = revenue
        x[3] = purchaseCount > 0 ? revenue / Double(purchaseCount) : 0
        if gapCount > 0 {
            x[4] = gapMean
            let sd = (gapM2 / Double(gapCount)).squareRoot()
            x[5] = gapMean > 0 ? sd / gapMean : 0
        }
        x[6] = quantityCount > 0 ? quantitySum / Double(quantityCount) : 0
        x[7] = purchaseCount > 0 ? Double(discountedPurchases) / Double(purchaseCount) : 0
        // Category mix.
        if categoryTotal > 0 {
            var inTop = 0
            for k in schema.topCategories.indices {
                let c = categoryCount(k)
                inTop += c
                x[schema.categoryOffset + k] = Double(c) / Double(categoryTotal)
            }
            x[schema.categoryOffset + schema.topCategories.count] = Double(categoryTotal - inTop) / Double(categoryTotal)
        }
        // Channel mix and time profile.
        let n = Double(eventCount)
        for k in 0..<FeatureSchema.channels.count { x[schema.channelOffset + k] = Double(channelCounts[k]) / n }
        let t = schema.timeOffset
        x[t] = hourSin / n
        x[t + 1] = hourCos / n
        x[t + 2] = dowSin / n
        x[t + 3] = dowCos / n
        let sessions = webSessions + appSessions
        x[t + 4] = sessions > 0 ? Double(pageViews) / Double(sessions) : 0
        x[t + 5] = dwellCount > 0 ? dwellSum / Double(dwellCount) : 0
        // E-mail.
        let sends = max(emailSent, emailOpen)
        let e = schema.emailOffset
        x[e] = sends > 0 ? Double(emailOpen) / Double(sends) : 0
        let clickBase = max(sends, emailClick)
        x[e + 1] = clickBase > 0 ? Double(emailClick) / Double(clickBase) : 0
        x[e + 2] = unsubscribed ? 1 : 0
        // Search intent.
        if searchTermTotal > 0 {
            for b in 0..<schema.searchBuckets {
                x[schema.searchOffset + b] = Double(searchCount(b)) / Double(searchTermTotal)
            }
        }
        // Reviews, tenure, trend, store share, intensity.
        let r = schema.tailOffset
        x[r] = sentimentCount > 0 ? sentimentSum / Double(sentimentCount) : 0
        x[r + 1] = ratingCount > 0 ? ratingSum / Double(ratingCount) : 3
        x[r + 2] = tenure
        x[r + 3] = trend(asOf: asOf)
        x[r + 4] = revenue > 0 ? storeRevenue / revenue : 0
        x[r + 5] = n / max(1, tenure / 7)
    }

    /// `(last − previous) / (last + previous)` over the two 30-day windows ending at `asOf`.
    func trend(asOf: Double) -> Double {
        let (last, previous) = activityWindows(asOf: asOf)
        return last + previous > 0 ? Double(last - previous) / Double(last + previous) : 0
    }
}
