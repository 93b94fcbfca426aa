import Linalg

/// Population drift of each feature against the training population, by the population
/// stability index, and the advice it implies (refit or not).
///
/// The reference keeps, per feature, the decile edges of the training values and the share
/// of training rows in each bin (ties can make bins uneven, so shares are stored, not assumed
/// to be 10%). For a current population with shares `q` against reference shares `p`:
/// ```
/// PSI = Σ_bins (q − p) · ln(q / p)      (shares floored at 10⁻⁴ to keep the log finite)
/// ```
/// Conventional reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 refit.
///
/// ## References
/// Yurdakul, "Statistical properties of population stability index", PhD thesis, Western
/// Michigan University, 2018; Siddiqi, "Credit Risk Scorecards", Wiley, 2006.
public struct DriftMonitor: Sendable, Hashable, Codable {
    /// The drift of one feature.
    public struct FeatureDrift: Sendable, Hashable, Codable {
        /// The feature's name.
        public var feature: String
        /// Its population stability index (≥ 0).
        public var psi: Double
    }

    /// The verdict on a current population.
    public struct Report: Sendable, Hashable, Codable {
        /// Every feature's drift, largest first.
        public var features: [FeatureDrift]
        /// The largest PSI.
        public var maximum: Double
        /// Whether the largest PSI exceeds the monitor's refit threshold.
        public var shouldRefit: Bool
    }

    /// The feature names.
    public var names: [String]
    /// Per feature, the inner bin edges (a value `v` is in bin `b` when `edges[b−1] < v ≤ edges[b]`).
    public var edges: [[Double]]
    /// Per feature, the training share of each bin (`edges.count + 1` bins).
    public var referenceShares: [[Double]]
    /// PSI above which ``Report/shouldRefit`` is set.
    public var refitThreshold: Double

    /// The reference from the training features `x` (original units).
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when the names
    ///   do not match the columns, ``SegmentationError/insufficientData(needed:available:what:)``
    ///   for an empty matrix.
    /// - Complexity: O(d n log n).
    public init(reference x: Matrix, names: [String], bins: Int = 10, refitThreshold: Double = 0.25) throws(SegmentationError) {
        guard names.count == x.columns else { throw .dimensionMismatch(expected: x.columns, actual: names.count, what: "drift feature names") }
        guard x.rows > 0 else { throw .insufficientData(needed: 1, available: 0, what: "drift reference rows") }
        guard bins >= 2 else { throw .invalidParameter(name: "bins", value: "\(bins)", expected: "an integer ≥ 2") }
        self.names = names
        self.refitThreshold = refitThreshold
        var edges: [[Double]] = []
        var shares: [[Double]] = []
        for j in 0..<x.columns {
            let column = (0..<x.rows).map { x.elements[$0 * x.columns + j] }.sorted()
            var e: [Double] = []
            for b in 1..<bins {
                let v = Scaler.quantile(column, Double(b) / Double(bins))
                if e.last.map({ v > $0 }) ?? true { e.append(v) }
            }
            edges.append(e)
            shares.append(DriftMonitor.shares(column, edges: e))
        }
        self.edges = edges
        self.referenceShares = shares
    }

    /// The drift of the current population `x` (same columns as the reference).
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``,
    ///   ``SegmentationError/insufficientData(needed:available:what:)`` for an empty matrix.
    /// - Complexity: O(d n log bins).
    public func report(current x: Matrix) throws(SegmentationError) -> Report {
        guard x.columns == names.count else { throw .dimensionMismatch(expected: names.count, actual: x.columns, what: "drift input") }
        guard x.rows > 0 else { throw .insufficientData(needed: 1, available: 0, what: "drift rows") }
        var drifts: [FeatureDrift] = []
        for j in 0..<x.columns {
            let column = (0..<x.rows).map { x.elements[$0 * x.columns + j] }
            drifts.append(FeatureDrift(feature: names[j], psi: DriftMonitor.psi(reference: referenceShares[j], current: DriftMonitor.shares(column, edges: edges[j]))))
        }
        drifts.sort { $0.psi > $1.psi }
        let maximum = drifts.first?.psi ?? 0
        return Report(features: drifts, maximum: maximum, shouldRefit: maximum > refitThreshold)
    }

    /// `Σ (q − p) ln(q / p)` with shares floored at 10⁻⁴.
    public static func psi(reference p: [Double], current q: [Double]) -> Double {
        var total = 0.0
        for (a, b) in zip(p, q) {
            let pa = max(a, 1e-4), qb = max(b, 1e-4)
            total += (qb - pa) * log(qb / pa)
        }
        return total
    }

    /// The share of `values` in each of the `edges.count + 1` bins.
    static func shares(_ values: [Double], edges: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: edges.count + 1)
        for v in values {
            // First edge ≥ v, by binary search.
            var lo = 0, hi = edges.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if edges[mid] < v { lo = mid + 1 } else { hi = mid }
            }
            counts[lo] += 1
        }
        let n = Double(max(1, values.count))
        return counts.map { $0 / n }
    }
}

import Foundation
