#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore
import Linalg

/// A one-hidden-layer perceptron: `s = W₂ tanh(W₁ x + b₁) + b₂`, dense layers through `gemm`.
///
/// ```
/// h = tanh(W₁ x + b₁)            (h ∈ ℝʰ)
/// s = W₂ h + b₂                  (s ∈ ℝᴷ)
/// ∂/∂W₂ = g hᵀ,  ∂/∂b₂ = g,  δ = (W₂ᵀ g) ⊙ (1 − h²),  ∂/∂W₁ = δ xᵀ,  ∂/∂b₁ = δ
/// ```
/// Parameters are laid out `[W₁ (h × d), b₁ (h), W₂ (K × h), b₂ (K)]`, all row-major.
/// Initialised with Glorot-uniform `W₁`, `W₂` scaled by 0.1 (near-uniform first policy) and zero biases.
///
/// ## References
/// Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural networks",
/// AISTATS 2010.
public struct MLPScorer: DifferentiableScorer {
    /// The context dimension `d`.
    public let inputDimension: Int
    /// The hidden width `h`.
    public let hiddenWidth: Int
    /// The number of actions `K`.
    public let outputCount: Int
    /// `[W₁, b₁, W₂, b₂]`.
    public var parameters: [Double]

    /// A randomly initialised MLP.
    /// - Throws: `PolicyGradientError.invalidParameter` for a dimension, width or count below 1.
    public init(inputDimension: Int, hiddenWidth: Int, outputCount: Int, using generator: inout SeededGenerator) throws(PolicyGradientError) {
        guard inputDimension >= 1 else { throw .invalidParameter(field: "input_dimension", value: "\(inputDimension)", expected: "at least 1") }
        guard hiddenWidth >= 1 else { throw .invalidParameter(field: "hidden", value: "\(hiddenWidth)", expected: "at least 1") }
        guard outputCount >= 1 else { throw .invalidParameter(field: "output_count", value: "\(outputCount)", expected: "at least 1") }
        self.inputDimension = inputDimension
        self.hiddenWidth = hiddenWidth
        self.outputCount = outputCount
        let d = inputDimension, h = hiddenWidth, k = outputCount
        var p = Array(repeating: 0.0, count: h * d + h + k * h + k)
        let a1 = (6.0 / Double(d + h)).squareRoot()
        for i in 0..<(h * d) { p[i] = a1 * (2 * generator.nextUniform() - 1) }
        let a2 = 0.1 * (6.0 / Double(h + k)).squareRoot()
        for i in 0..<(k * h) { p[h * d + h + i] = a2 * (2 * generator.nextUniform() - 1) }
        parameters = p
    }

    var offsetB1: Int { hiddenWidth * inputDimension }
    var offsetW2: Int { offsetB1 + hiddenWidth }
    var offsetB2: Int { offsetW2 + outputCount * hiddenWidth }

    /// `H = tanh(X W₁ᵀ + 1 b₁ᵀ)`, `S = H W₂ᵀ + 1 b₂ᵀ`.
    /// - Complexity: O(n h (d + K)), two `gemm` calls.
    public func scores(_ features: UnsafeBufferPointer<Double>, rows n: Int, into scores: UnsafeMutableBufferPointer<Double>, workspace: inout ScorerWorkspace) {
        let d = inputDimension, h = hiddenWidth, k = outputCount
        workspace.reserve(n * h)
        let (b1, w2, b2) = (offsetB1, offsetW2, offsetB2)
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            workspace.hidden.withUnsafeMutableBufferPointer { hidden in
                for i in 0..<n { for j in 0..<h { hidden[i * h + j] = base[b1 + j] } }
                BLAS.gemm(transposeB: .transpose, m: n, n: h, k: d, a: features.baseAddress!, lda: d,
                          b: base, ldb: d, beta: 1, c: hidden.baseAddress!, ldc: h)
                for i in 0..<(n * h) { hidden[i] = tanh(hidden[i]) }
                for i in 0..<n { for j in 0..<k { scores[i * k + j] = base[b2 + j] } }
                BLAS.gemm(transposeB: .transpose, m: n, n: k, k: h, a: hidden.baseAddress!, lda: h,
                          b: base + w2, ldb: h, beta: 1, c: scores.baseAddress!, ldc: k)
            }
        }
    }

    /// Back-propagates `G` through both layers.
    /// - Complexity: O(n h (d + K)), three `gemm` calls.
    public func accumulateGradient(_ features: UnsafeBufferPointer<Double>, rows n: Int, scoreGradient: UnsafeBufferPointer<Double>,
                                   into gradient: UnsafeMutableBufferPointer<Double>, workspace: inout ScorerWorkspace) {
        let d = inputDimension, h = hiddenWidth, k = outputCount
        workspace.reserve(n * h)
        let (b1, w2, b2) = (offsetB1, offsetW2, offsetB2)
        let g = gradient.baseAddress!
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            workspace.hidden.withUnsafeBufferPointer { hidden in
                workspace.hiddenGradient.withUnsafeMutableBufferPointer { delta in
                    // ∂W₂ += Gᵀ H, ∂b₂ += Σᵢ G[i, ·]
                    BLAS.gemm(transposeA: .transpose, m: k, n: h, k: n, a: scoreGradient.baseAddress!, lda: k,
                              b: hidden.baseAddress!, ldb: h, beta: 1, c: g + w2, ldc: h)
                    for i in 0..<n { for j in 0..<k { g[b2 + j] += scoreGradient[i * k + j] } }
                    // δ = (G W₂) ⊙ (1 − H²)
                    BLAS.gemm(m: n, n: h, k: k, a: scoreGradient.baseAddress!, lda: k,
                              b: base + w2, ldb: h, beta: 0, c: delta.baseAddress!, ldc: h)
                    for i in 0..<(n * h) { delta[i] *= 1 - hidden[i] * hidden[i] }
                    // ∂W₁ += δᵀ X, ∂b₁ += Σᵢ δ[i, ·]
                    BLAS.gemm(transposeA: .transpose, m: h, n: d, k: n, a: delta.baseAddress!, lda: h,
                              b: features.baseAddress!, ldb: d, beta: 1, c: g, ldc: d)
                    for i in 0..<n { for j in 0..<h { g[b1 + j] += delta[i * h + j] } }
                }
            }
        }
    }
}
