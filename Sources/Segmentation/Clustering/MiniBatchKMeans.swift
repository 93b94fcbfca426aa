import AttuneCore
import Linalg

/// Mini-batch k-means for large or streaming data: centres move towards each mini-batch's
/// points with a per-centre learning rate `1 / (points the centre has absorbed)`, so memory
/// and time per step depend on the batch, not on the data set.
///
/// ```
/// c ← c + (x − c) / count(c)      for each x of the batch assigned to c
/// ```
/// ``fit(_:using:)`` seeds with k-means++ on a sample and runs `iterations` batches drawn
/// with replacement; ``partialFit(_:state:)`` folds one externally supplied batch into a
/// running ``State`` (a stream), and the state becomes a ``KMeans/Model`` for assignment.
///
/// ## References
/// Sculley, "Web-scale k-means clustering", WWW 2010.
public struct MiniBatchKMeans: Segmenter {
    /// Hyper-parameters.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The number of clusters (≥ 1).
        public var k: Int
        /// Points per mini-batch (≥ 1).
        public var batchSize: Int
        /// Mini-batches drawn by ``MiniBatchKMeans/fit(_:using:)`` (≥ 1).
        public var iterations: Int
        /// Rows of the k-means++ seeding sample (≥ k).
        public var seedingSample: Int

        /// Creates a configuration.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the field.
        public init(k: Int, batchSize: Int = 1_024, iterations: Int = 100, seedingSample: Int = 10_000) throws(SegmentationError) {
            guard k >= 1 else { throw .invalidParameter(name: "k", value: "\(k)", expected: "an integer ≥ 1") }
            guard batchSize >= 1 else { throw .invalidParameter(name: "batchSize", value: "\(batchSize)", expected: "an integer ≥ 1") }
            guard iterations >= 1 else { throw .invalidParameter(name: "iterations", value: "\(iterations)", expected: "an integer ≥ 1") }
            guard seedingSample >= k else {
                throw .invalidParameter(name: "seedingSample", value: "\(seedingSample)", expected: "an integer ≥ k")
            }
            self.k = k
            self.batchSize = batchSize
            self.iterations = iterations
            self.seedingSample = seedingSample
        }
    }

    /// The running state of a stream: centres and how many points each has absorbed.
    public struct State: Sendable, Equatable, Codable {
        /// The centres, `k × d` row-major.
        public var centres: Matrix
        /// Points absorbed per centre.
        public var counts: [Int]

        /// The state as an assigning k-means model (inertia and sizes left at 0: a stream has no training set).
        public var model: KMeans.Model {
            KMeans.Model(centres: centres, inertia: 0, iterations: 0, sizes: counts)
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration

    /// Creates the method.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Seeds a stream's state with k-means++ on `sample` (its rows become the candidates).
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` with fewer
    ///   rows than k, ``SegmentationError/nonFiniteValue(row:column:)``.
    public func initialState(from sample: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> State {
        try ClusteringInput.check(sample, minimumRows: configuration.k, what: "mini-batch k-means seeding rows")
        let seeds = KMeans.seedIndices(sample, k: configuration.k, using: &generator)
        var centres = Matrix(rows: configuration.k, columns: sample.columns)
        for (c, i) in seeds.enumerated() {
            for j in 0..<sample.columns { centres[c, j] = sample[i, j] }
        }
        return State(centres: centres, counts: [Int](repeating: 0, count: configuration.k))
    }

    /// Folds one mini-batch into `state`: each point is assigned to its nearest centre (by the
    /// blocked gemm search) and pulls that centre towards itself.
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``,
    ///   ``SegmentationError/nonFiniteValue(row:column:)``.
    /// - Complexity: O(b k d) for a batch of b rows.
    public func partialFit(_ batch: Matrix, state: inout State) throws(SegmentationError) {
        let (labels, _) = try state.model.assignWithDistances(batch)
        let d = batch.columns
        for (i, c) in labels.enumerated() {
            state.counts[c] += 1
            let rate = 1 / Double(state.counts[c])
            for j in 0..<d {
                state.centres.elements[c * d + j] += rate * (batch.elements[i * d + j] - state.centres.elements[c * d + j])
            }
        }
    }

    /// Fits on `x`: k-means++ on a random sample, then ``Configuration/iterations`` mini-batches
    /// drawn with replacement; the returned model's inertia and sizes are those of all of `x`.
    /// - Throws: as ``initialState(from:using:)``.
    /// - Complexity: O(iterations · batchSize · k d + n k d) for the final assignment.
    public func fit(_ x: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> KMeans.Model {
        let c = configuration
        try ClusteringInput.check(x, minimumRows: c.k, what: "mini-batch k-means rows")
        let d = x.columns
        let sampleRows = min(x.rows, c.seedingSample)
        let picked = (try? generator.sampleIndices(sampleRows, from: x.rows)) ?? Array(0..<sampleRows)
        var sample = Matrix(rows: sampleRows, columns: d)
        for (r, i) in picked.enumerated() {
            for j in 0..<d { sample.elements[r * d + j] = x.elements[i * d + j] }
        }
        var state = try initialState(from: sample, using: &generator)
        var batch = Matrix(rows: min(c.batchSize, x.rows), columns: d)
        for _ in 0..<c.iterations {
            for r in 0..<batch.rows {
                let i = (try? generator.nextInt(below: x.rows)) ?? 0
                for j in 0..<d { batch.elements[r * d + j] = x.elements[i * d + j] }
            }
            try partialFit(batch, state: &state)
        }
        let (labels, distances) = try state.model.assignWithDistances(x)
        var sizes = [Int](repeating: 0, count: c.k)
        for l in labels { sizes[l] += 1 }
        return KMeans.Model(centres: state.centres, inertia: distances.reduce(0, +), iterations: c.iterations, sizes: sizes)
    }
}
