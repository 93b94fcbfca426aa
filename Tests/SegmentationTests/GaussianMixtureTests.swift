import AttuneCore
import Foundation
import Linalg
import Testing

@testable import Segmentation

@Suite("Gaussian mixture")
struct GaussianMixtureTests {
    /// Three elongated, rotated clusters in 2-D.
    static func anisotropic(seed: UInt64) throws -> (Matrix, [Int]) {
        var rng = SeededGenerator(seed: seed)
        var rows: [[Double]] = []
        var labels: [Int] = []
        let centres = [(0.0, 0.0), (12.0, 0.0), (0.0, 12.0)]
        for i in 0..<600 {
            let c = i % 3
            let (u, v) = (rng.nextStandardNormal() * 3, rng.nextStandardNormal() * 0.5)
            rows.append([centres[c].0 + 0.8 * u - 0.6 * v, centres[c].1 + 0.6 * u + 0.8 * v])
            labels.append(c)
        }
        return (try Matrix(rowArrays: rows), labels)
    }

    @Test("Recovers elongated clusters; EM never lowers the likelihood", arguments: GaussianMixture.Covariance.allCases)
    func recovers(covariance: GaussianMixture.Covariance) throws {
        let (x, truth) = try Self.anisotropic(seed: 4)
        var rng = SeededGenerator(seed: 4)
        let model = try GaussianMixture(.init(k: 3, covariance: covariance)).fit(x, using: &rng)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, model.assign(x)) >= 0.95)
        for (a, b) in zip(model.history, model.history.dropFirst()) { #expect(b >= a - 1e-9) }
        #expect(abs(model.weights.reduce(0, +) - 1) < 1e-12)
    }

    @Test("Log-densities match the textbook formulas")
    func logDensity() throws {
        let x = try Matrix(rows: 3, columns: 2, elements: [0.5, -1, 2, 0.3, -0.7, 1.1])
        let l = try Matrix(rows: 2, columns: 2, elements: [2, 0, 0.6, 0.8])  // Σ = L Lᵀ = [[4, 1.2], [1.2, 1]]
        let mean = try Matrix(rows: 1, columns: 2, elements: [0.1, 0.2])
        let full = GaussianMixture.Model(covariance: .full, weights: [1], means: mean, factors: [l], logLikelihood: 0, bic: 0, iterations: 0, history: [])
        let diagonal = GaussianMixture.Model(covariance: .diagonal, weights: [1], means: mean,
                                             factors: [try Matrix(rows: 1, columns: 2, elements: [4, 1])], logLikelihood: 0, bic: 0, iterations: 0, history: [])
        let (s11, s12, s22) = (4.0, 1.2, 1.0)
        let det = s11 * s22 - s12 * s12
        for i in 0..<3 {
            let (a, b) = (x[i, 0] - 0.1, x[i, 1] - 0.2)
            let q = (s22 * a * a - 2 * s12 * a * b + s11 * b * b) / det
            #expect(abs(full.logJoint(x)[i] - (-0.5 * (q + log(det) + 2 * log(2 * .pi)))) < 1e-12)
            let qd = a * a / 4 + b * b / 1
            #expect(abs(diagonal.logJoint(x)[i] - (-0.5 * (qd + log(4.0) + 2 * log(2 * .pi)))) < 1e-12)
        }
    }

    @Test("BIC picks the true number of components; the same seed gives the same model")
    func bicAndDeterminism() throws {
        let (x, _) = EventFixtures.mixture(n: 450, k: 3, d: 3, separation: 6, seed: 9)
        var rng = SeededGenerator(seed: 9)
        let (model, scores) = try GaussianMixture.selectK(x, candidates: 1...5, configuration: .init(k: 1, covariance: .diagonal), using: &rng)
        #expect(model.segmentCount == 3)
        #expect(scores.map(\.k) == [1, 2, 3, 4, 5])
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        #expect(try GaussianMixture(.init(k: 3)).fit(x, using: &a) == GaussianMixture(.init(k: 3)).fit(x, using: &b))
        #expect(throws: SegmentationError.self) { try GaussianMixture.Configuration(k: 2, regularization: 0) }
    }
}
