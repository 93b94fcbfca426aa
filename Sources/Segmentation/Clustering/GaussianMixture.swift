import AttuneCore
import Linalg

/// A Gaussian mixture fitted by expectation–maximisation, with diagonal or full covariance
/// matrices, initialised from k-means, and compared across k by BIC.
///
/// ```
/// p(x) = Σ_c π_c N(x | μ_c, Σ_c)
/// BIC  = −2 log L + p · ln n,   p = (k − 1) + k d + k · (d  or  d(d+1)/2)
/// ```
/// Each covariance gets `regularization` added to its diagonal so that a collapsing
/// component cannot make the likelihood infinite. Full covariances are handled through
/// their Cholesky factors: the Mahalanobis terms of a block of rows come from one triangular
/// solve (`trsm`) and the log-determinant from the factor's diagonal.
///
/// ## References
/// Dempster, Laird & Rubin, "Maximum likelihood from incomplete data via the EM algorithm",
/// JRSS B 39(1), 1977; Schwarz, "Estimating the dimension of a model", Ann. Stat. 6(2), 1978.
public struct GaussianMixture: Segmenter {
    /// The covariance structure.
    public enum Covariance: String, Sendable, Hashable, Codable, CaseIterable {
        /// One variance per feature and component.
        case diagonal
        /// A full covariance matrix per component.
        case full
    }

    /// Hyper-parameters.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The number of components (≥ 1).
        public var k: Int
        /// The covariance structure.
        public var covariance: Covariance
        /// EM iterations at most (≥ 1).
        public var maximumIterations: Int
        /// Stop when the mean log-likelihood per row improves by less than this (≥ 0).
        public var tolerance: Double
        /// Added to every covariance diagonal (> 0).
        public var regularization: Double

        /// Creates a configuration.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the field.
        public init(
            k: Int, covariance: Covariance = .full, maximumIterations: Int = 100, tolerance: Double = 1e-4,
            regularization: Double = 1e-6
        ) throws(SegmentationError) {
            guard k >= 1 else { throw .invalidParameter(name: "k", value: "\(k)", expected: "an integer ≥ 1") }
            guard maximumIterations >= 1 else {
                throw .invalidParameter(name: "maximumIterations", value: "\(maximumIterations)", expected: "an integer ≥ 1")
            }
            guard tolerance >= 0, tolerance.isFinite else {
                throw .invalidParameter(name: "tolerance", value: "\(tolerance)", expected: "a finite number ≥ 0")
            }
            guard regularization > 0, regularization.isFinite else {
                throw .invalidParameter(name: "regularization", value: "\(regularization)", expected: "a finite number > 0")
            }
            self.k = k
            self.covariance = covariance
            self.maximumIterations = maximumIterations
            self.tolerance = tolerance
            self.regularization = regularization
        }
    }

    /// A fitted mixture.
    public struct Model: SegmentModel, Equatable {
        /// The covariance structure.
        public var covariance: Covariance
        /// Mixing weights π (sum to 1).
        public var weights: [Double]
        /// Component means, `k × d`.
        public var means: Matrix
        /// Per component: the variances (`1 × d`, diagonal) or the lower Cholesky factor of the
        /// covariance (`d × d`, full).
        public var factors: [Matrix]
        /// The log-likelihood of the training data.
        public var logLikelihood: Double
        /// The Bayesian information criterion (lower is better).
        public var bic: Double
        /// EM iterations run.
        public var iterations: Int
        /// The mean log-likelihood per row after each iteration (non-decreasing up to rounding).
        public var history: [Double]

        /// The number of components.
        public var segmentCount: Int { weights.count }
        /// The number of feature columns.
        public var dimension: Int { means.columns }

        /// The most probable component of each row.
        /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``,
        ///   ``SegmentationError/nonFiniteValue(row:column:)``.
        /// - Complexity: O(n k d²) (full) or O(n k d) (diagonal).
        public func assign(_ x: Matrix) throws(SegmentationError) -> [Int] {
            guard x.columns == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.columns, what: "mixture assign") }
            try Scaler.checkFinite(x)
            let logs = logJoint(x)
            let k = segmentCount
            return (0..<x.rows).map { i in
                var best = 0
                for c in 1..<max(1, k) where logs[i * k + c] > logs[i * k + best] { best = c }
                return best
            }
        }

        /// `log π_c + log N(xᵢ | μ_c, Σ_c)` for every row i and component c (`n × k`, row-major).
        func logJoint(_ x: Matrix) -> [Double] {
            let n = x.rows, d = x.columns, k = segmentCount
            var out = [Double](repeating: 0, count: n * k)
            let logTwoPi = Foundation.log(2 * Double.pi)
            var centred = [Double](repeating: 0, count: n * d)
            for c in 0..<k {
                for i in 0..<n { for j in 0..<d { centred[i * d + j] = x.elements[i * d + j] - means.elements[c * d + j] } }
                var logDeterminant = 0.0
                switch covariance {
                case .diagonal:
                    let v = factors[c].elements
                    for j in 0..<d { logDeterminant += Foundation.log(v[j]) }
                    for i in 0..<n {
                        var q = 0.0
                        for j in 0..<d { q += centred[i * d + j] * centred[i * d + j] / v[j] }
                        out[i * k + c] = q
                    }
                case .full:
                    let l = factors[c]
                    for j in 0..<d { logDeterminant += 2 * Foundation.log(l[j, j]) }
                    // Y Lᵀ = X − μ  ⇒  ‖yᵢ‖² = (xᵢ − μ)ᵀ Σ⁻¹ (xᵢ − μ).
                    centred.withUnsafeMutableBufferPointer { yb in
                        l.elements.withUnsafeBufferPointer { lb in
                            guard let y = yb.baseAddress, let lp = lb.baseAddress, n > 0 else { return }
                            BLAS.trsm(side: .right, triangle: .lower, transpose: .transpose, m: n, n: d, a: lp, lda: d, b: y, ldb: d)
                        }
                    }
                    for i in 0..<n {
                        var q = 0.0
                        for j in 0..<d { q += centred[i * d + j] * centred[i * d + j] }
                        out[i * k + c] = q
                    }
                }
                let constant = Foundation.log(weights[c]) - 0.5 * (Double(d) * logTwoPi + logDeterminant)
                for i in 0..<n { out[i * k + c] = constant - 0.5 * out[i * k + c] }
            }
            return out
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration

    /// Creates the method.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }
}

import Foundation
