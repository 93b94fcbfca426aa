import Linalg

/// A CART classification tree (Gini impurity, axis-aligned binary splits), fitted on segment
/// labels over named features to explain segments in words.
///
/// Splits are exact: every feature is sorted once at the root and the sorted orders are
/// partitioned stably at each split, so each level of the tree costs O(n d) and every
/// distinct threshold is considered. Thresholds are midpoints between consecutive distinct
/// values, and a row goes left when `x[feature] ≤ threshold`.
///
/// ```
/// Gini(S) = 1 − Σ_c p_c²,  split cost = (n_L Gini(L) + n_R Gini(R)) / n
/// ```
///
/// ```
/// let tree = try DecisionTree(.init(maximumDepth: 4)).fit(x, labels: labels)
/// let rules = tree.rules(featureNames: schema.names, x: x, labels: labels)
/// ```
///
/// ## References
/// Breiman, Friedman, Olshen & Stone, "Classification and Regression Trees", 1984.
public struct DecisionTree: Sendable {
    /// Hyper-parameters.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The deepest level split (the root is depth 0; ≥ 1).
        public var maximumDepth: Int
        /// Rows a leaf must keep at least (≥ 1).
        public var minimumLeafSize: Int

        /// Creates a configuration.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the field.
        public init(maximumDepth: Int = 4, minimumLeafSize: Int = 1) throws(SegmentationError) {
            guard (1...32).contains(maximumDepth) else {
                throw .invalidParameter(name: "maximumDepth", value: "\(maximumDepth)", expected: "an integer in 1...32")
            }
            guard minimumLeafSize >= 1 else {
                throw .invalidParameter(name: "minimumLeafSize", value: "\(minimumLeafSize)", expected: "an integer ≥ 1")
            }
            self.maximumDepth = maximumDepth
            self.minimumLeafSize = minimumLeafSize
        }
    }

    /// One node of a fitted tree.
    public struct Node: Sendable, Hashable, Codable {
        /// The split feature's column, or −1 for a leaf.
        public var feature: Int
        /// Rows with `x[feature] ≤ threshold` go to ``left``.
        public var threshold: Double
        /// Child indices in ``Model/nodes`` (−1 for a leaf).
        public var left: Int
        /// The right child's index (−1 for a leaf).
        public var right: Int
        /// The majority label of the training rows reaching the node.
        public var prediction: Int
        /// Training rows reaching the node.
        public var samples: Int
    }

    /// A fitted tree.
    public struct Model: Sendable, Hashable, Codable {
        /// The nodes; index 0 is the root.
        public var nodes: [Node]
        /// The feature columns expected.
        public var dimension: Int

        /// The leaf prediction for each row of `x`.
        /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``.
        /// - Complexity: O(n · depth).
        public func predict(_ x: Matrix) throws(SegmentationError) -> [Int] {
            guard x.columns == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.columns, what: "decision tree input") }
            return (0..<x.rows).map { leaf(x, row: $0).prediction }
        }

        /// The leaf node reached by row `row` of `x`.
        func leaf(_ x: Matrix, row: Int) -> Node {
            var node = nodes[0]
            while node.feature >= 0 {
                node = nodes[x.elements[row * x.columns + node.feature] <= node.threshold ? node.left : node.right]
            }
            return node
        }

        /// The depth of the tree (a single leaf has depth 0).
        public var depth: Int {
            func walk(_ i: Int) -> Int {
                let n = nodes[i]
                return n.feature < 0 ? 0 : 1 + max(walk(n.left), walk(n.right))
            }
            return nodes.isEmpty ? 0 : walk(0)
        }
    }

    /// The hyper-parameters.
    public let configuration: Configuration

    /// Creates the method.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Fits the tree to `labels` (non-negative integers, one per row of `x`).
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when the
    ///   label count differs from the rows, ``SegmentationError/invalidParameter(name:value:expected:)``
    ///   for a negative label, ``SegmentationError/nonFiniteValue(row:column:)``.
    /// - Complexity: O(d n) for the initial radix sort (plus O(m log m) for any run of m
    ///   distinct values within one `Float` step of each other) and O(depth · n d) for the
    ///   splits; memory O(n d) (each feature's sorted rows, values and labels).
    public func fit(_ x: Matrix, labels: [Int]) throws(SegmentationError) -> Model {
        guard labels.count == x.rows else { throw .dimensionMismatch(expected: x.rows, actual: labels.count, what: "tree labels") }
        try ClusteringInput.check(x, minimumRows: 1, what: "tree rows")
        if let bad = labels.first(where: { $0 < 0 }) {
            throw .invalidParameter(name: "label", value: "\(bad)", expected: "labels ≥ 0 (drop noise rows first)")
        }
        var builder = TreeBuilder(x: x, labels: labels, configuration: configuration)
        return Model(nodes: builder.build(), dimension: x.columns)
    }
}
