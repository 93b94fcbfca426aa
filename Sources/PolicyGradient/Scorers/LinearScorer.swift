import AttuneCore
import Linalg

/// Linear scores `s = W x`, one weight row per action.
///
/// ```
/// s_k(x) = Σⱼ W[k, j] xⱼ          ∂s_k/∂W[k, j] = xⱼ
/// ```
/// Include a constant feature in `x` for per-action intercepts (the feature schemas of
/// Attune's policy files do, with `"intercept": true`).
public struct LinearScorer: DifferentiableScorer {
    /// The context dimension `d`.
    public let inputDimension: Int
    /// The number of actions `K`.
    public let outputCount: Int
    /// `W`, row-major `K × d`.
    public var parameters: [Double]

    /// A scorer with all weights zero (the uniform softmax policy).
    /// - Throws: `PolicyGradientError.invalidParameter` for a dimension or count below 1.
    public init(inputDimension: Int, outputCount: Int) throws(PolicyGradientError) {
        guard inputDimension >= 1 else { throw .invalidParameter(field: "input_dimension", value: "\(inputDimension)", expected: "at least 1") }
        guard outputCount >= 1 else { throw .invalidParameter(field: "output_count", value: "\(outputCount)", expected: "at least 1") }
        self.inputDimension = inputDimension
        self.outputCount = outputCount
        self.parameters = Array(repeating: 0, count: inputDimension * outputCount)
    }

    /// A scorer with the given weights.
    /// - Throws: `PolicyGradientError.dimensionMismatch` unless `weights.count == K·d`,
    ///   `.nonFinite` for a NaN or infinite weight.
    public init(inputDimension: Int, outputCount: Int, weights: [Double]) throws(PolicyGradientError) {
        try self.init(inputDimension: inputDimension, outputCount: outputCount)
        guard weights.count == parameters.count else { throw .dimensionMismatch(field: "weights", expected: parameters.count, actual: weights.count) }
        if let i = weights.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(field: "weights[\(i)]") }
        parameters = weights
    }

    /// `S = X Wᵀ` (`n × K`).
    /// - Complexity: O(n d K), one `gemm`.
    public func scores(_ features: UnsafeBufferPointer<Double>, rows n: Int, into scores: UnsafeMutableBufferPointer<Double>, workspace: inout ScorerWorkspace) {
        let d = inputDimension, k = outputCount
        parameters.withUnsafeBufferPointer { w in
            BLAS.gemm(transposeB: .transpose, m: n, n: k, k: d, a: features.baseAddress!, lda: d,
                      b: w.baseAddress!, ldb: d, beta: 0, c: scores.baseAddress!, ldc: k)
        }
    }

    /// `∇W += Gᵀ X` (`K × d`).
    /// - Complexity: O(n d K), one `gemm`.
    public func accumulateGradient(_ features: UnsafeBufferPointer<Double>, rows n: Int, scoreGradient: UnsafeBufferPointer<Double>,
                                   into gradient: UnsafeMutableBufferPointer<Double>, workspace: inout ScorerWorkspace) {
        let d = inputDimension, k = outputCount
        BLAS.gemm(transposeA: .transpose, m: k, n: d, k: n, a: scoreGradient.baseAddress!, lda: k,
                  b: features.baseAddress!, ldb: d, beta: 1, c: gradient.baseAddress!, ldc: d)
    }
}
