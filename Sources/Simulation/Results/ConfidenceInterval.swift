/// A mean over independent replicates (seeds) with its two-sided 95% Student-t interval.
///
/// ```
/// mean ± t_{0.975, n−1} · s / √n,     s² = Σ (xᵢ − mean)² / (n − 1)
/// ```
/// With a single replicate the interval is undefined and both bounds are `nil`.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    /// The sample mean.
    public var mean: Double
    /// Lower bound of the 95% interval (`nil` with fewer than 2 replicates).
    public var low: Double?
    /// Upper bound of the 95% interval (`nil` with fewer than 2 replicates).
    public var high: Double?
    /// The number of replicates.
    public var count: Int

    /// The interval of `samples`.
    /// - Complexity: O(n).
    public init(samples: [Double]) {
        count = samples.count
        guard !samples.isEmpty else { mean = .nan; low = nil; high = nil; return }
        let n = Double(samples.count)
        var sum = 0.0
        for x in samples { sum += x }
        mean = sum / n
        guard samples.count >= 2 else { low = nil; high = nil; return }
        var squares = 0.0
        for x in samples { squares += (x - mean) * (x - mean) }
        let halfWidth = Self.studentT975(degreesOfFreedom: samples.count - 1) * (squares / (n - 1) / n).squareRoot()
        low = mean - halfWidth
        high = mean + halfWidth
    }

    /// Whether `value` lies in the interval (bounds included); `false` without an interval.
    public func contains(_ value: Double) -> Bool {
        guard let low, let high else { return false }
        return low <= value && value <= high
    }

    /// The 0.975 quantile of Student's t with ν degrees of freedom: exact table values for
    /// ν ≤ 30, the Cornish–Fisher expansion around z = 1.959964 beyond (error < 1e-5).
    ///
    /// ## References
    /// Abramowitz & Stegun, *Handbook of Mathematical Functions*, 26.7.5 and Table 26.10.
    public static func studentT975(degreesOfFreedom nu: Int) -> Double {
        let table: [Double] = [12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
                               2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
                               2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
                               2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272]
        if nu >= 1 && nu <= table.count { return table[nu - 1] }
        let z = 1.959963984540054, v = Double(max(nu, 1))
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
    }
}
