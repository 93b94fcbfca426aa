import Foundation
import Linalg

// MARK: - Forward and backward passes

extension Autoencoder.Model {
    /// Preallocated activations and back-propagated errors for batches of up to `capacity`
    /// rows: layer `l` occupies `capacity × widths[l]` doubles from `offsets[l]` in both.
    struct Workspace {
        var activations: [Double]
        var deltas: [Double]
        let offsets: [Int]
        let capacity: Int

        init(widths: [Int], rows: Int) {
            var offsets: [Int] = []
            var total = 0
            for w in widths {
                offsets.append(total)
                total += rows * w
            }
            self.offsets = offsets
            capacity = rows
            activations = [Double](repeating: 0, count: total)
            deltas = activations
        }
    }

    /// Runs layers `0..<layers` on the first `rows` rows of `input`; layer `l`'s output is
    /// left in the workspace at `offsets[l + 1]`.
    /// - Complexity: one `gemm` per layer, no allocation.
    func forward(_ input: [Double], rows: Int, workspace: inout Workspace, layers: Int) {
        let widths = self.widths
        let offsets = workspace.offsets
        parameters.withUnsafeBufferPointer { p in
            input.withUnsafeBufferPointer { source in
                workspace.activations.withUnsafeMutableBufferPointer { a in
                    guard let pb = p.baseAddress, let ab = a.baseAddress else { return }
                    for i in 0..<(rows * widths[0]) { a[i] = source[i] }
                    for l in 0..<layers {
                        let n = widths[l], m = widths[l + 1]
                        let w = pb + offset(l)
                        let bias = w + n * m
                        let out = ab + offsets[l + 1]
                        for r in 0..<rows {
                            for j in 0..<m { out[r * m + j] = bias[j] }
                        }
                        BLAS.gemm(m: rows, n: m, k: n, a: ab + offsets[l], lda: n, b: w, ldb: m, beta: 1, c: out, ldc: m)
                        if isNonlinear(l) {
                            for i in 0..<(rows * m) { out[i] = tanh(out[i]) }
                        }
                    }
                }
            }
        }
    }

    /// The mean squared reconstruction error of the first `rows` rows of `input` and its
    /// gradient with respect to ``parameters``, written into `gradient`.
    ///
    /// With `δ_L = 2(x̂ − x)/(B·d)`, each layer back-propagates `δ ← δ ⊙ (1 − a²)` through a
    /// `tanh`, then `∂W = Aᵀ δ`, `∂b = 1ᵀ δ` and `δ_prev = δ Wᵀ`, each a `gemm`.
    /// - Complexity: about three forward passes, no allocation.
    func lossAndGradient(_ input: [Double], rows: Int, into gradient: inout [Double], workspace: inout Workspace) -> Double {
        let last = widths.count - 1
        forward(input, rows: rows, workspace: &workspace, layers: last)
        let widths = self.widths
        let offsets = workspace.offsets
        let d = widths[0]
        let count = Double(rows * d)
        var loss = 0.0
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                workspace.activations.withUnsafeMutableBufferPointer { a in
                    workspace.deltas.withUnsafeMutableBufferPointer { delta in
                        guard let pb = p.baseAddress, let gb = g.baseAddress, let ab = a.baseAddress, let db = delta.baseAddress
                        else { return }
                        let output = ab + offsets[last], target = ab, top = db + offsets[last]
                        for i in 0..<(rows * d) {
                            let e = output[i] - target[i]
                            loss += e * e
                            top[i] = 2 * e / count
                        }
                        for l in stride(from: last - 1, through: 0, by: -1) {
                            let n = widths[l], m = widths[l + 1]
                            let dz = db + offsets[l + 1]
                            if isNonlinear(l) {
                                let y = ab + offsets[l + 1]
                                for i in 0..<(rows * m) { dz[i] *= 1 - y[i] * y[i] }
                            }
                            let o = offset(l)
                            BLAS.gemm(
                                transposeA: .transpose, m: n, n: m, k: rows, a: ab + offsets[l], lda: n, b: dz, ldb: m,
                                c: gb + o, ldc: m)
                            let gBias = gb + o + n * m
                            for j in 0..<m { gBias[j] = 0 }
                            for r in 0..<rows {
                                for j in 0..<m { gBias[j] += dz[r * m + j] }
                            }
                            if l > 0 {
                                BLAS.gemm(
                                    transposeB: .transpose, m: rows, n: n, k: m, a: dz, lda: m, b: pb + o, ldb: m,
                                    c: db + offsets[l], ldc: n)
                            }
                        }
                    }
                }
            }
        }
        return loss / count
    }
}
