import AttuneCore
import Foundation
import Linalg

extension Autoencoder {
    /// A trained autoencoder: layer widths, one flat parameter vector and the training curve.
    ///
    /// Layer `l` maps width `widths[l]` to `widths[l + 1]`; its weights are stored row-major
    /// as a `widths[l] × widths[l + 1]` block followed by its `widths[l + 1]` biases, so a
    /// batch `A` (rows × `widths[l]`) becomes `A W + 1 bᵀ` in one `gemm`. The bottleneck is
    /// the layer of smallest index whose width is ``embeddingDimension``, at
    /// ``embeddingLayer``.
    public struct Model: Sendable, Codable, Equatable {
        /// Widths of every layer, input first and reconstruction last.
        public var widths: [Int]
        /// All weights and biases, layer by layer.
        public var parameters: [Double]
        /// Mean reconstruction loss (per element) of each training epoch.
        public var lossHistory: [Double]

        /// Creates a zero network of the given widths (at least input, bottleneck, output).
        init(widths: [Int]) {
            self.widths = widths
            var count = 0
            for l in 0..<(widths.count - 1) { count += widths[l] * widths[l + 1] + widths[l + 1] }
            parameters = [Double](repeating: 0, count: count)
            lossHistory = []
        }

        /// The number of input columns.
        public var dimension: Int { widths.first ?? 0 }
        /// The number of dense layers.
        public var layerCount: Int { widths.count - 1 }
        /// Index into ``widths`` of the bottleneck (the middle of the mirrored network).
        public var embeddingLayer: Int { widths.count / 2 }
        /// The embedding's dimension.
        public var embeddingDimension: Int { widths[embeddingLayer] }

        /// Offset of layer `l`'s weights in ``parameters`` (its biases follow them).
        func offset(_ l: Int) -> Int {
            var o = 0
            for i in 0..<l { o += widths[i] * widths[i + 1] + widths[i + 1] }
            return o
        }

        /// Whether layer `l`'s output passes through `tanh` (hidden layers) or stays linear
        /// (the bottleneck and the reconstruction).
        func isNonlinear(_ l: Int) -> Bool {
            l + 1 != embeddingLayer && l + 1 != widths.count - 1
        }

        /// Glorot-uniform weights `U(−√(6/(in+out)), √(6/(in+out)))`, zero biases.
        mutating func initialize(using generator: inout SeededGenerator) {
            for l in 0..<layerCount {
                let o = offset(l)
                let fanIn = widths[l], fanOut = widths[l + 1]
                let limit = (6 / Double(fanIn + fanOut)).squareRoot()
                for i in 0..<(fanIn * fanOut) { parameters[o + i] = (2 * generator.nextUniform() - 1) * limit }
            }
        }

        // MARK: - Queries

        /// The embedding (bottleneck activations) of each row of `x`.
        /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)``,
        ///   ``SegmentationError/nonFiniteValue(row:column:)``.
        /// - Complexity: O(n · encoder weights) through `gemm`.
        public func encode(_ x: Matrix) throws(SegmentationError) -> Matrix {
            try forwardOutput(x, throughLayer: embeddingLayer)
        }

        /// The reconstruction `x̂` of each row of `x`.
        /// - Throws: as ``encode(_:)``.
        public func reconstruct(_ x: Matrix) throws(SegmentationError) -> Matrix {
            try forwardOutput(x, throughLayer: widths.count - 1)
        }

        /// The mean squared reconstruction error per element, `(1/(n·d)) Σ (x̂ − x)²`.
        /// - Throws: as ``encode(_:)``.
        public func loss(_ x: Matrix) throws(SegmentationError) -> Double {
            let y = try reconstruct(x)
            var s = 0.0
            for i in 0..<x.elements.count {
                let e = y.elements[i] - x.elements[i]
                s += e * e
            }
            return s / Double(max(1, x.elements.count))
        }

        /// The loss on the rows of `x` and its gradient with respect to ``parameters``
        /// (same layout), by back-propagation.
        /// - Throws: as ``encode(_:)``.
        /// - Complexity: about three times a forward pass.
        public func lossAndGradient(_ x: Matrix) throws(SegmentationError) -> (loss: Double, gradient: [Double]) {
            try check(x)
            var workspace = Workspace(widths: widths, rows: x.rows)
            var gradient = [Double](repeating: 0, count: parameters.count)
            let loss = lossAndGradient(x.elements, rows: x.rows, into: &gradient, workspace: &workspace)
            return (loss, gradient)
        }

        private func check(_ x: Matrix) throws(SegmentationError) {
            guard x.columns == dimension else { throw .dimensionMismatch(expected: dimension, actual: x.columns, what: "autoencoder input columns") }
            try Scaler.checkFinite(x)
        }

        private func forwardOutput(_ x: Matrix, throughLayer last: Int) throws(SegmentationError) -> Matrix {
            try check(x)
            guard x.rows > 0 else { return Matrix(rows: 0, columns: widths[last]) }
            var workspace = Workspace(widths: widths, rows: x.rows)
            forward(x.elements, rows: x.rows, workspace: &workspace, layers: last)
            var out = Matrix(rows: x.rows, columns: widths[last])
            let base = workspace.offsets[last]
            for i in 0..<out.elements.count { out.elements[i] = workspace.activations[base + i] }
            return out
        }
    }
}
