import AttuneCore
import Foundation
import Linalg

// MARK: - Expectation–maximisation

extension GaussianMixture {
    /// Fits the mixture: hard k-means labels (one k-means++ initialisation) as the first
    /// responsibilities, then EM until the mean log-likelihood per row improves by less than
    /// the tolerance.
    /// - Throws: ``SegmentationError/insufficientData(needed:available:what:)`` with fewer
    ///   rows than components, ``SegmentationError/nonFiniteValue(row:column:)``,
    ///   ``SegmentationError/linearAlgebra(_:)`` when a covariance cannot be factored even
    ///   after regularisation.
    /// - Complexity: O(iterations · n k d²) (full) or O(iterations · n k d) (diagonal).
    public func fit(_ x: Matrix, using generator: inout SeededGenerator) throws(SegmentationError) -> Model {
        let c = configuration
        try ClusteringInput.check(x, minimumRows: c.k, what: "Gaussian mixture rows")
        let n = x.rows, k = c.k
        let start = try KMeans(try .init(k: k, initializations: 1)).fit(x, using: &generator)
        let labels = try start.assign(x)
        var responsibilities = [Double](repeating: 0, count: n * k)
        for i in 0..<n { responsibilities[i * k + labels[i]] = 1 }
        var model = try maximisation(x, responsibilities: responsibilities)
        var previous = -Double.infinity
        var history: [Double] = []
        var iterations = 0
        while iterations < c.maximumIterations {
            iterations += 1
            let mean = expectation(x, model: model, responsibilities: &responsibilities) / Double(n)
            history.append(mean)
            if mean - previous < c.tolerance && iterations > 1 { break }
            previous = mean
            model = try maximisation(x, responsibilities: responsibilities)
        }
        // Final likelihood of the returned parameters.
        let logLikelihood = expectation(x, model: model, responsibilities: &responsibilities)
        let d = Double(x.columns)
        let perComponent = c.covariance == .diagonal ? d : d * (d + 1) / 2
        let parameters = Double(k - 1) + Double(k) * d + Double(k) * perComponent
        model.logLikelihood = logLikelihood
        model.bic = -2 * logLikelihood + parameters * Foundation.log(Double(n))
        model.iterations = iterations
        model.history = history
        return model
    }

    /// E-step: posterior responsibilities by a stable log-sum-exp; returns the log-likelihood.
    func expectation(_ x: Matrix, model: Model, responsibilities: inout [Double]) -> Double {
        let n = x.rows, k = model.segmentCount
        let logs = model.logJoint(x)
        var total = 0.0
        for i in 0..<n {
            var top = -Double.infinity
            for c in 0..<k { top = max(top, logs[i * k + c]) }
            var sum = 0.0
            for c in 0..<k { sum += Foundation.exp(logs[i * k + c] - top) }
            let logNormaliser = top + Foundation.log(sum)
            total += logNormaliser
            for c in 0..<k { responsibilities[i * k + c] = Foundation.exp(logs[i * k + c] - logNormaliser) }
        }
        return total
    }

    /// M-step: weights, means and (regularised) covariances from the responsibilities.
    func maximisation(_ x: Matrix, responsibilities r: [Double]) throws(SegmentationError) -> Model {
        let n = x.rows, d = x.columns, k = configuration.k
        let reg = configuration.regularization
        var weights = [Double](repeating: 0, count: k)
        var means = Matrix(rows: k, columns: d)
        var factors: [Matrix] = []
        var scaled = [Double](repeating: 0, count: n * d)
        for c in 0..<k {
            var mass = 0.0
            for i in 0..<n { mass += r[i * k + c] }
            // An emptied component keeps a tiny weight and a mean of 0 (the centre of scaled data)
            // rather than dividing by 0.
            let safeMass = max(mass, 10 * Double.ulpOfOne)
            weights[c] = max(mass / Double(n), Double.ulpOfOne)
            for i in 0..<n {
                let w = r[i * k + c]
                for j in 0..<d { means.elements[c * d + j] += w * x.elements[i * d + j] }
            }
            for j in 0..<d { means.elements[c * d + j] = mass > 0 ? means.elements[c * d + j] / safeMass : 0 }
            switch configuration.covariance {
            case .diagonal:
                var variances = [Double](repeating: 0, count: d)
                for i in 0..<n {
                    let w = r[i * k + c]
                    for j in 0..<d {
                        let t = x.elements[i * d + j] - means.elements[c * d + j]
                        variances[j] += w * t * t
                    }
                }
                for j in 0..<d { variances[j] = variances[j] / safeMass + reg }
                factors.append((try? Matrix(rows: 1, columns: d, elements: variances)) ?? Matrix(rows: 1, columns: d, repeating: 1))
            case .full:
                // Σ = Σᵢ rᵢ (xᵢ − μ)(xᵢ − μ)ᵀ / N + reg·I, as one syrk over √rᵢ-scaled rows.
                for i in 0..<n {
                    let s = r[i * k + c].squareRoot()
                    for j in 0..<d { scaled[i * d + j] = s * (x.elements[i * d + j] - means.elements[c * d + j]) }
                }
                var sigma = Matrix(rows: d, columns: d)
                scaled.withUnsafeBufferPointer { a in
                    sigma.elements.withUnsafeMutableBufferPointer { s in
                        guard let ap = a.baseAddress, let sp = s.baseAddress else { return }
                        BLAS.syrk(triangle: .lower, transpose: .transpose, n: d, k: n, alpha: 1 / safeMass, a: ap, lda: d, beta: 0, c: sp, ldc: d)
                    }
                }
                for j in 0..<d { sigma[j, j] += reg }
                sigma.symmetrize(from: .lower)
                do throws(LinalgError) {
                    factors.append(try Cholesky(sigma).factor)
                } catch {
                    throw .linearAlgebra("covariance of component \(c) is not positive definite (\(error.description)); raise the regularization")
                }
            }
        }
        let total = weights.reduce(0, +)
        return Model(
            covariance: configuration.covariance, weights: weights.map { $0 / total }, means: means, factors: factors,
            logLikelihood: 0, bic: 0, iterations: 0, history: [])
    }

    /// Fits every k in `candidates` and keeps the lowest BIC (ties to the smaller k).
    /// - Returns: the chosen model and `(k, bic)` for every candidate.
    /// - Throws: what ``fit(_:using:)`` throws.
    public static func selectK(
        _ x: Matrix, candidates: ClosedRange<Int>, configuration: Configuration, using generator: inout SeededGenerator
    ) throws(SegmentationError) -> (model: Model, scores: [(k: Int, bic: Double)]) {
        let base = generator.split()
        var best: Model?
        var scores: [(k: Int, bic: Double)] = []
        for k in candidates where k >= 1 && k <= x.rows {
            var c = configuration
            c.k = k
            var rng = base.child(UInt64(k))
            let model = try GaussianMixture(c).fit(x, using: &rng)
            scores.append((k, model.bic))
            if best.map({ model.bic < $0.bic }) ?? true { best = model }
        }
        guard let best else { throw .insufficientData(needed: candidates.lowerBound, available: x.rows, what: "rows for the mixture candidates") }
        return (best, scores)
    }
}
