/// A parametric map from a context `x ∈ ℝᵈ` to one score per catalog action, with its
/// gradient, evaluated on batches of contexts.
///
/// Softmax policies turn the scores into probabilities; learners change ``parameters``.
/// Batches are row-major `n × d` feature matrices and `n × K` score matrices, so that a
/// batch goes through BLAS `gemm` once instead of `n` matrix-vector products.
public protocol DifferentiableScorer: Sendable, Codable, Equatable {
    /// The context dimension `d`.
    var inputDimension: Int { get }
    /// The number of scores `K` (the catalog size).
    var outputCount: Int { get }
    /// All trainable parameters, flattened in a fixed order.
    var parameters: [Double] { get set }

    /// Writes the `n × K` scores of the `n × d` batch `features` into `scores`, keeping what
    /// the backward pass needs in `workspace`.
    /// - Complexity: one or two `gemm` calls; no allocation once `workspace` has grown to `n`.
    func scores(_ features: UnsafeBufferPointer<Double>, rows n: Int, into scores: UnsafeMutableBufferPointer<Double>, workspace: inout ScorerWorkspace)

    /// Adds `Σᵢ Σₖ G[i,k] ∂scores[i,k]/∂θ` to `gradient` (length `parameters.count`), for the
    /// batch last passed to ``scores(_:rows:into:workspace:)`` with the same `workspace`.
    /// - Complexity: one or two `gemm` calls; no allocation once `workspace` has grown to `n`.
    func accumulateGradient(_ features: UnsafeBufferPointer<Double>, rows n: Int, scoreGradient: UnsafeBufferPointer<Double>,
                            into gradient: UnsafeMutableBufferPointer<Double>, workspace: inout ScorerWorkspace)
}

/// Reusable buffers for a scorer's forward and backward passes (hidden activations and their
/// gradients); grows to the largest batch seen, then allocates nothing.
public struct ScorerWorkspace: Sendable {
    /// Hidden activations, `n × h` (MLP scorers).
    public var hidden: [Double] = []
    /// Gradient with respect to the hidden pre-activations, `n × h`.
    public var hiddenGradient: [Double] = []

    /// An empty workspace.
    public init() {}

    /// Grows both buffers to at least `count` values.
    @inlinable
    public mutating func reserve(_ count: Int) {
        if hidden.count < count {
            hidden = Array(repeating: 0, count: count)
            hiddenGradient = Array(repeating: 0, count: count)
        }
    }
}
