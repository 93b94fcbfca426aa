import AttuneCore
import Dispatch
import Linalg
import Synchronization

/// k-means clustering: greedy k-means++ seeding, then Lloyd iterations whose assignment
/// step is a blocked `gemm` (see ``NearestCentre``), the best of several independent
/// initialisations run in parallel.
///
/// Minimises the inertia
/// ```
/// J = Σᵢ ‖xᵢ − c_{label(i)}‖²
/// ```
/// Each initialisation draws from its own child stream `generator.child(r)`, so the result
/// depends only on the seed, never on thread scheduling; ties in inertia go to the lower
/// run index.
///
/// ```
/// var rng = SeededGenerator(seed: 7)
/// let model = try KMeans(.init(k: 5, initializations: 10)).fit(x, using: &rng)
/// let labels = try model.assign(x)
/// ```
///
/// ## References
/// Lloyd, "Least squares quantization in PCM", IEEE Trans. IT 28(2), 1982;
/// Arthur & Vassilvitskii, "k-means++", SODA 2007.
public struct KMeans: Segmenter {
    /// Hyper-parameters.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The number of clusters (≥ 1).
        public var k: Int
        /// Independent k-means++ initialisations; the lowest inertia wins (≥ 1).
        public var initializations: Int
        /// Lloyd iterations per initialisation at most (≥ 1).
        public var maximumIterations: Int
        /// Convergence: stop when the squared centre shift summed over clusters falls below
        /// `tolerance` times the mean per-feature variance of the data (≥ 0).
        public var tolerance: Double
        /// Worker threads for the initialisations (≥ 1; default: the active processor count).
        public var parallelism: Int
        /// The iteration scheme: plain Lloyd (gemm assignment) or Hamerly's bounds.
        public var algorithm: Algorithm

        /// Creates a configuration.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the
        ///   field out of range.
        public init(
            k: Int, initializations: Int = 10, maximumIterations: Int = 300, tolerance: Double = 1e-4,
            parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, algorithm: Algorithm = .lloyd
        ) throws(SegmentationError) {
            guard k >= 1 else { throw .invalidParameter(name: "k", value: "\(k)", expected: "an integer ≥ 1") }
            guard initializations >= 1 else {
                throw .invalidParameter(name: "initializations", value: "\(initializations)", expected: "an integer ≥ 1")
            }
            guard maximumIterations >= 1 else {
                throw .invalidParameter(name: "maximumIterations", value: "\(maximumIterations)", expected: "an integer ≥ 1")
            }
            guard tolerance >= 0, tolerance.isFinite else {
                throw .invalidParameter(name: "tolerance", value: "\(tolerance)", expected: "a finite number ≥ 0")
            }
            self.k = k
            self.initializations = initializations
            self.maximumIterations = maximumIterations
            self.tolerance = tolerance
            self.parallelism = max(1, parallelism)
            self.algorithm = algorithm
        }
    }

    /// How the Lloyd fixed point is iterated to; both reach the same centres from the same seeds.
    public enum Algorithm: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every point against every centre each iteration, by blocked gemm.
        case lloyd
        /// Hamerly's bounds skip points whose centre provably did not change.
        case hamerly
    }

    /// A fitted k-means model: centres and the fit's diagnostics.
    public struct Model: SegmentModel, Equatable {
        /// The centres, `k × d` row-major.
        public var centres: Matrix
        /// The inertia of the training data (sum of squared distances to the nearest centre).
        public var inertia: Double
        /// Lloyd iterations of the winning initialisation.
        public var iterations: Int
        /// Training rows per cluster.
        public var sizes: [Int]

        /// The number of clusters.
        public var segmentCount: Int { centres.rows }
        /// The number of feature columns.
        public var dimension: Int { centres.columns }

        /// The nearest centre of each row of `x`.
        /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``,
        ///   ``SegmentationError/nonFiniteValue(row:column:)``.
        /// - Complexity: O(n k d) through gemm.
        public func assign(_ x: Matrix) throws(SegmentationError) -> [Int] {
            try assignWithDistances(x).labels
        }

        /// The nearest centre of each row and the squared distance to it.
        /// - Throws: as ``assign(_:)``.
        public func assignWithDistances(_ x: Matrix) throws(SegmentationError) -> (labels: [Int], squaredDistances: [Double]) {
            guard x.columns == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.columns, what: "k-means assign") }
            try Scaler.checkFinite(x)
            let n = x.rows
            var labels32 = [Int32](repeating: 0, count: n)
            var distances = [Double](repeating: 0, count: n)
            guard n > 0 else { return ([], []) }
            let norms = NearestCentre.rowNorms(x)
            var search = NearestCentre(k: segmentCount, d: dimension)
            x.elements.withUnsafeBufferPointer { xe in
                centres.elements.withUnsafeBufferPointer { ce in
                    guard let xb = xe.baseAddress, let cb = ce.baseAddress else { return }
                    labels32.withUnsafeMutableBufferPointer { lb in
                        distances.withUnsafeMutableBufferPointer { db in
                            guard let l = lb.baseAddress, let dd = db.baseAddress else { return }
                            norms.withUnsafeBufferPointer { nb in
                                guard let nn = nb.baseAddress else { return }
                                search.assign(x: xb, rowNorms: nn, range: 0..<n, centres: cb, labels: l, distances: dd)
                            }
                        }
                    }
                }
            }
            return (labels32.map { Int($0) }, distances)
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration

    /// Creates the method.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Fits k-means to the rows of `x`.
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` with fewer
    ///   rows than `k`, ``SegmentationError/nonFiniteValue(row:column:)`` for NaN input.
    /// - Complexity: O(initializations · iterations · n k d); memory O(n + blockRows·k)
    ///   per running initialisation besides `x`.
    public func fit(_ x: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> Model {
        let c = configuration
        try ClusteringInput.check(x, minimumRows: c.k, what: "k-means rows")
        let norms = NearestCentre.rowNorms(x)
        let tolerance = c.tolerance * KMeans.meanVariance(x)
        let parent = generator.split()
        let runs = Mutex<[Model?]>(Array(repeating: nil, count: c.initializations))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(c.parallelism, c.initializations)) { _ in
            while true {
                let r = next.add(1, ordering: .relaxed).oldValue
                guard r < c.initializations else { return }
                var child = parent.child(UInt64(r))
                let model = c.algorithm == .lloyd
                    ? KMeans.lloyd(x, norms: norms, k: c.k, maximumIterations: c.maximumIterations, tolerance: tolerance, generator: &child)
                    : KMeans.hamerly(x, norms: norms, k: c.k, maximumIterations: c.maximumIterations, tolerance: tolerance, generator: &child)
                runs.withLock { $0[r] = model }
            }
        }
        let all = runs.withLock { $0 }.compactMap { $0 }
        guard var best = all.first else { throw .insufficientData(needed: 1, available: 0, what: "k-means runs") }
        for m in all.dropFirst() where m.inertia < best.inertia { best = m }
        return best
    }

    /// Mean over columns of the population variance (the scale of the tolerance), in two
    /// row-major passes (mean, then squared deviations) so the matrix streams through cache.
    static func meanVariance(_ x: Matrix) -> Double {
        let n = x.rows, d = x.columns
        guard n > 0, d > 0 else { return 0 }
        var mean = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        x.elements.withUnsafeBufferPointer { e in
            mean.withUnsafeMutableBufferPointer { m in
                for i in 0..<n { for j in 0..<d { m[j] += e[i * d + j] } }
                for j in 0..<d { m[j] /= Double(n) }
                squares.withUnsafeMutableBufferPointer { s in
                    for i in 0..<n {
                        for j in 0..<d {
                            let t = e[i * d + j] - m[j]
                            s[j] += t * t
                        }
                    }
                }
            }
        }
        return squares.reduce(0, +) / Double(n) / Double(d)
    }
}

import Foundation
