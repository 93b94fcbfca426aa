import AttuneCore

/// A probability mass function over a candidate list: finite, non-negative, summing to 1
/// within 1e-12.
public struct ActionDistribution: Sendable, Equatable, Codable {
    /// Probability of each candidate.
    public let probabilities: [Double]

    /// Validates and wraps `probabilities`.
    ///
    /// A sum within 1e-9 of 1 is renormalized exactly (rounding in long sums); anything
    /// further off is an error, never silently fixed.
    /// - Throws: `BanditsError.invalidDistribution` naming `field`.
    public init(validating probabilities: [Double], field: String = "probabilities") throws(BanditsError) {
        var p = probabilities
        try ActionDistribution.normalize(&p, field: field)
        self.probabilities = p
    }

    /// The uniform distribution over `count` candidates.
    public static func uniform(count: Int) -> ActionDistribution {
        ActionDistribution(unchecked: Array(repeating: 1 / Double(max(count, 1)), count: max(count, 1)))
    }

    init(unchecked probabilities: [Double]) { self.probabilities = probabilities }

    /// Checks `p` in place and rescales it to sum to 1.
    /// - Throws: `BanditsError.invalidDistribution` when empty, negative, non-finite, or the sum
    ///   is more than 1e-9 away from 1.
    public static func normalize(_ p: inout [Double], field: String = "probabilities") throws(BanditsError) {
        guard !p.isEmpty else { throw .invalidDistribution(field: field, reason: "it is empty") }
        var sum = 0.0
        for i in 0..<p.count {
            let v = p[i]
            guard v.isFinite, v >= 0 else {
                throw .invalidDistribution(field: "\(field)[\(i)]", reason: "\(v) is not a finite non-negative number")
            }
            sum += v
        }
        guard abs(sum - 1) <= 1e-9 else {
            throw .invalidDistribution(field: field, reason: "the probabilities sum to \(sum), not 1")
        }
        if sum != 1 { for i in 0..<p.count { p[i] /= sum } }
    }

    /// Draws a position from `probabilities` by inversion; never returns a zero-probability position.
    /// - Complexity: O(count), no allocation.
    @inlinable
    public static func sample(_ probabilities: [Double], using generator: inout SeededGenerator) -> Int {
        let u = generator.nextUniform()
        var cumulative = 0.0
        var last = 0
        for i in 0..<probabilities.count where probabilities[i] > 0 {
            cumulative += probabilities[i]
            last = i
            if u < cumulative { return i }
        }
        return last  // u fell in the rounding gap above the cumulative sum
    }
}
