import AttuneCore
import Foundation
import Linalg

/// Density-based clustering: a point with at least `minimumPoints` points (itself included)
/// within distance `epsilon` is a core point; core points within `epsilon` of each other
/// share a cluster, and non-core points within `epsilon` of a core point join its cluster
/// (the first such cluster in index order). Everything else is noise, labelled −1.
///
/// Clusters are numbered in order of their lowest-index core point, and a border point (not
/// core, within `epsilon` of core points of several clusters) joins the lowest-numbered of
/// them: exactly the labels of the textbook algorithm that expands clusters one at a time
/// from the points in index order, whatever the thread count (DBSCAN draws no random numbers).
///
/// Neighbourhoods come from a ``KDTree``, not an O(n²) scan, one leaf of up to 16 points
/// at a time: the core test counts in parallel and stops at `minimumPoints`; core points
/// are joined in a union–find forest, skipping leaf pairs whose core points are already
/// joined; border points look for their lowest cluster in parallel (see `DBSCANLabelling`).
///
/// ## References
/// Ester, Kriegel, Sander & Xu, "A density-based algorithm for discovering clusters in
/// large spatial databases with noise", KDD 1996.
public struct DBSCAN: Segmenter {
    /// Hyper-parameters.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The neighbourhood radius (Euclidean, > 0).
        public var epsilon: Double
        /// Points within `epsilon` (itself included) that make a core point (≥ 1).
        public var minimumPoints: Int
        /// Threads for the neighbour counts (≥ 1).
        public var parallelism: Int

        /// Creates a configuration.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the field.
        public init(
            epsilon: Double, minimumPoints: Int = 5, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount
        ) throws(SegmentationError) {
            guard epsilon > 0, epsilon.isFinite else {
                throw .invalidParameter(name: "epsilon", value: "\(epsilon)", expected: "a finite number > 0")
            }
            guard minimumPoints >= 1 else {
                throw .invalidParameter(name: "minimumPoints", value: "\(minimumPoints)", expected: "an integer ≥ 1")
            }
            self.epsilon = epsilon
            self.minimumPoints = minimumPoints
            self.parallelism = max(1, parallelism)
        }
    }

    /// A fitted DBSCAN: the training labels and the core points that assign new rows.
    public struct Model: SegmentModel, Equatable {
        /// The hyper-parameters used.
        public var configuration: Configuration
        /// The label of each training row (−1 for noise).
        public var labels: [Int]
        /// The core points, one per row.
        public let corePoints: Matrix
        /// The cluster of each core point.
        public let coreLabels: [Int]
        /// The number of clusters found.
        public var segmentCount: Int
        /// The number of feature columns.
        public var dimension: Int { corePoints.columns }
        /// A k-d tree over the core points, built once (not encoded: rebuilt when decoded).
        private let index: CoreIndex

        /// Creates a model from its parts (the core point index is built here).
        init(configuration: Configuration, labels: [Int], corePoints: Matrix, coreLabels: [Int], segmentCount: Int) {
            self.configuration = configuration
            self.labels = labels
            self.corePoints = corePoints
            self.coreLabels = coreLabels
            self.segmentCount = segmentCount
            index = CoreIndex(KDTree(corePoints))
        }

        /// The cluster of the nearest core point within `epsilon` of each row, −1 if none
        /// (among equally near core points, the last one's).
        /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``,
        ///   ``SegmentationError/nonFiniteValue(row:column:)``.
        /// - Complexity: A nearest-neighbour search in the core points' k-d tree per row:
        ///   O(log cores) for well-spread data in low dimension, up to O(cores · d).
        public func assign(_ x: Matrix) throws(SegmentationError) -> [Int] {
            guard x.columns == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.columns, what: "DBSCAN assign") }
            try Scaler.checkFinite(x)
            let e2 = configuration.epsilon * configuration.epsilon
            var result = [Int](repeating: -1, count: x.rows)
            index.tree.withView { view in
                x.elements.withUnsafeBufferPointer { xe in
                    guard let xb = xe.baseAddress else { return }
                    for i in 0..<x.rows {
                        if let row = view.nearest(to: xb + i * dimension, within: e2) { result[i] = coreLabels[row] }
                    }
                }
            }
            return result
        }

        enum CodingKeys: String, CodingKey {
            case configuration, labels, corePoints, coreLabels, segmentCount
        }

        /// Decodes a model and rebuilds its core point index.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(configuration: try c.decode(Configuration.self, forKey: .configuration),
                      labels: try c.decode([Int].self, forKey: .labels),
                      corePoints: try c.decode(Matrix.self, forKey: .corePoints),
                      coreLabels: try c.decode([Int].self, forKey: .coreLabels),
                      segmentCount: try c.decode(Int.self, forKey: .segmentCount))
            guard coreLabels.count == corePoints.rows else {
                throw DecodingError.dataCorruptedError(forKey: .coreLabels, in: c,
                                                       debugDescription: "\(coreLabels.count) core labels for \(corePoints.rows) core points")
            }
        }

        /// Encodes the model (without its index).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(configuration, forKey: .configuration)
            try c.encode(labels, forKey: .labels)
            try c.encode(corePoints, forKey: .corePoints)
            try c.encode(coreLabels, forKey: .coreLabels)
            try c.encode(segmentCount, forKey: .segmentCount)
        }

        /// Models are equal when their parameters, labels and core points are.
        public static func == (a: Model, b: Model) -> Bool {
            a.configuration == b.configuration && a.labels == b.labels && a.corePoints == b.corePoints
                && a.coreLabels == b.coreLabels && a.segmentCount == b.segmentCount
        }
    }

    /// The k-d tree of a model's core points, shared by the model's copies.
    final class CoreIndex: Sendable {
        let tree: KDTree
        init(_ tree: KDTree) { self.tree = tree }
    }

    /// The hyper-parameters.
    public let configuration: Configuration

    /// Creates the method.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Clusters the rows of `x`; the generator is not used (DBSCAN is deterministic).
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` for an empty
    ///   matrix, ``SegmentationError/nonFiniteValue(row:column:)``.
    /// - Complexity: O(n log n) to build the index plus one capped count per leaf, one
    ///   pruned leaf-pair sweep per leaf holding core points and one radius query per
    ///   non-core point; memory O(n).
    public func fit(_ x: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> Model {
        try fit(x)
    }

    /// Clusters the rows of `x` (see ``fit(_:using:)``).
    /// - Throws: as ``fit(_:using:)``.
    public func fit(_ x: Matrix) throws(SegmentationError) -> Model {
        try ClusteringInput.check(x, minimumRows: 1, what: "DBSCAN rows")
        let n = x.rows, d = x.columns
        let tree = KDTree(x)
        let labelling = tree.withView { view in
            x.elements.withUnsafeBufferPointer { xb in
                DBSCANLabelling(
                    view: view, leaves: tree.leaves, points: xb, epsilon: configuration.epsilon, minimumPoints: configuration.minimumPoints)
                    .run(parallelism: configuration.parallelism)
            }
        }
        var labels = [Int](repeating: -1, count: n)
        var isCore = [Bool](repeating: false, count: n)
        for p in 0..<n {
            let row = Int(tree.indices[p])
            labels[row] = Int(labelling.clusters[p])
            isCore[row] = labelling.core[p]
        }
        var coreRows: [Double] = []
        var coreLabels: [Int] = []
        for i in 0..<n where isCore[i] {
            coreRows.append(contentsOf: x.elements[(i * d)..<((i + 1) * d)])
            coreLabels.append(labels[i])
        }
        let coreMatrix = (try? Matrix(rows: coreLabels.count, columns: d, elements: coreRows)) ?? Matrix(rows: 0, columns: d)
        return Model(
            configuration: configuration, labels: labels, corePoints: coreMatrix, coreLabels: coreLabels, segmentCount: labelling.clusterCount)
    }
}
