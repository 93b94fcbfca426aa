import AttuneCore
import Foundation
import Linalg

/// A small dense autoencoder whose bottleneck is a low-dimensional embedding of the
/// (scaled) customer features; the embedding can then be clustered like any feature matrix.
///
/// The network mirrors the encoder: widths `d → h₁ → … → e → … → h₁ → d`. Hidden layers use
/// `tanh`; the bottleneck and the output are linear. Training minimises the mean squared
/// reconstruction error over mini-batches with Adam:
///
/// ```
/// L = (1 / (B·d)) Σᵢ Σⱼ (x̂ᵢⱼ − xᵢⱼ)²
/// m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
/// θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
///
/// Every layer's forward and backward pass is one `gemm` over the whole batch. Weights start
/// from Glorot-uniform draws of the generator passed in, and batches are shuffled from it,
/// so the same seed gives the same embedding.
///
/// ```
/// var rng = SeededGenerator(seed: 7)
/// let model = try Autoencoder(.init(hiddenWidths: [16], embeddingDimension: 2)).fit(z, using: &rng)
/// let embedding = try model.encode(z)      // z.rows × 2
/// ```
///
/// ## References
/// Hinton & Salakhutdinov (2006), "Reducing the dimensionality of data with neural networks";
/// Kingma & Ba (2015), "Adam: a method for stochastic optimization"; Glorot & Bengio (2010).
public struct Autoencoder: Sendable {
    /// The network shape and the optimiser's settings.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Widths of the encoder's hidden layers, input side first (the decoder mirrors them).
        public var hiddenWidths: [Int]
        /// Width of the bottleneck: the embedding's dimension.
        public var embeddingDimension: Int
        /// Passes over the training rows.
        public var epochs: Int
        /// Rows per Adam step.
        public var batchSize: Int
        /// Adam's step size η.
        public var learningRate: Double
        /// Adam's first-moment decay β₁.
        public var beta1: Double
        /// Adam's second-moment decay β₂.
        public var beta2: Double

        /// Creates a configuration.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the
        ///   field out of range.
        public init(
            hiddenWidths: [Int] = [16], embeddingDimension: Int = 2, epochs: Int = 100, batchSize: Int = 64,
            learningRate: Double = 0.01, beta1: Double = 0.9, beta2: Double = 0.999
        ) throws(SegmentationError) {
            if let bad = hiddenWidths.first(where: { $0 < 1 }) {
                throw .invalidParameter(name: "hiddenWidths", value: "\(bad)", expected: "layer widths ≥ 1")
            }
            guard embeddingDimension >= 1 else {
                throw .invalidParameter(name: "embeddingDimension", value: "\(embeddingDimension)", expected: "an integer ≥ 1")
            }
            guard epochs >= 1 else { throw .invalidParameter(name: "epochs", value: "\(epochs)", expected: "an integer ≥ 1") }
            guard batchSize >= 1 else { throw .invalidParameter(name: "batchSize", value: "\(batchSize)", expected: "an integer ≥ 1") }
            guard learningRate.isFinite, learningRate > 0 else {
                throw .invalidParameter(name: "learningRate", value: "\(learningRate)", expected: "a finite number > 0")
            }
            guard beta1 >= 0, beta1 < 1 else { throw .invalidParameter(name: "beta1", value: "\(beta1)", expected: "a number in [0, 1)") }
            guard beta2 >= 0, beta2 < 1 else { throw .invalidParameter(name: "beta2", value: "\(beta2)", expected: "a number in [0, 1)") }
            self.hiddenWidths = hiddenWidths
            self.embeddingDimension = embeddingDimension
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
        }
    }

    /// The settings.
    public let configuration: Configuration

    /// Creates an autoencoder trainer.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Trains the network on the rows of `x` (already scaled).
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` for fewer than
    ///   2 rows, ``SegmentationError/nonFiniteValue(row:column:)``.
    /// - Complexity: O(epochs · n · P) where P is the number of weights, through `gemm`; the
    ///   training loop allocates nothing after its workspace.
    public func fit(_ x: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> Model {
        try ClusteringInput.check(x, minimumRows: 2, what: "autoencoder input")
        let c = configuration
        var model = Model(widths: [x.columns] + c.hiddenWidths + [c.embeddingDimension] + c.hiddenWidths.reversed() + [x.columns])
        model.initialize(using: &generator)
        let batch = min(c.batchSize, x.rows)
        var workspace = Model.Workspace(widths: model.widths, rows: batch)
        var gradient = [Double](repeating: 0, count: model.parameters.count)
        var m = gradient
        var v = gradient
        var order = Array(0..<x.rows)
        var batchRows = [Double](repeating: 0, count: batch * x.columns)
        var step = 0
        var history: [Double] = []
        history.reserveCapacity(c.epochs)
        let d = x.columns
        for _ in 0..<c.epochs {
            order.shuffle(using: &generator)
            var epochLoss = 0.0
            var start = 0
            while start < x.rows {
                let rows = min(batch, x.rows - start)
                x.elements.withUnsafeBufferPointer { source in
                    batchRows.withUnsafeMutableBufferPointer { target in
                        for r in 0..<rows {
                            let i = order[start + r]
                            for j in 0..<d { target[r * d + j] = source[i * d + j] }
                        }
                    }
                }
                let loss = model.lossAndGradient(batchRows, rows: rows, into: &gradient, workspace: &workspace)
                epochLoss += loss * Double(rows)
                step += 1
                Self.adamStep(&model.parameters, gradient, &m, &v, step: step, configuration: c)
                start += rows
            }
            history.append(epochLoss / Double(x.rows))
        }
        model.lossHistory = history
        return model
    }

    /// One Adam update of `parameters` with bias-corrected moments.
    static func adamStep(
        _ parameters: inout [Double], _ gradient: [Double], _ m: inout [Double], _ v: inout [Double], step: Int,
        configuration c: Configuration
    ) {
        let b1 = c.beta1, b2 = c.beta2
        let correction1 = 1 - pow(b1, Double(step))
        let correction2 = 1 - pow(b2, Double(step))
        let rate = c.learningRate
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            p[i] -= rate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + 1e-8)
                        }
                    }
                }
            }
        }
    }
}
