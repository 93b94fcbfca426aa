import Foundation
import Linalg
import Testing
import _AttuneTestSupport

@Suite("Cholesky, eigendecomposition, least squares")
struct LAPACKTests {
    /// Sizes with increasingly poor conditioning (smaller shifts).
    static let spdCases: [(Int, Double)] = [(1, 0.5), (2, 0.1), (5, 0.01), (20, 1e-3), (64, 1e-4)]

    @Test("Cholesky: L Lᵀ ≈ A, A·A⁻¹ ≈ I, solves, log-determinant", arguments: spdCases)
    func cholesky(n: Int, shift: Double) throws {
        let a = LinalgFixtures.spd(n, shift: shift, seed: UInt64(n))
        let cond = NaiveLinearAlgebra.conditionNumber(a)
        let chol = try a.cholesky()
        let l = chol.factor
        // Lower triangular with a positive diagonal.
        for i in 0..<n {
            #expect(l[i, i] > 0)
            for j in (i + 1)..<max(n, i + 1) { #expect(l[i, j] == 0) }
        }
        // Backward stable: ‖LLᵀ − A‖ ≤ c n ε ‖A‖ regardless of the condition.
        let scale = NaiveLinearAlgebra.maxAbs(a)
        #expect(NaiveLinearAlgebra.maxAbsDifference(chol.reconstructed(), a) <= 1e-14 * Double(n) * scale)
        // Against the textbook factor (forward error grows with √cond).
        let reference = try #require(NaiveLinearAlgebra.cholesky(a))
        #expect(NaiveLinearAlgebra.maxAbsDifference(l, reference) <= 1e-14 * cond.squareRoot() * Double(n))
        // Inverse: ‖A A⁻¹ − I‖ ≤ c n ε cond.
        let inverse = chol.inverse()
        #expect(inverse == inverse.transposed())
        let tol = 1e-14 * cond * Double(n)
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemm(a, inverse), Matrix.identity(n)) <= tol)
        // Solves: residual small relative to ‖A‖‖x‖.
        let b = LinalgFixtures.vector(n, seed: 30)
        let x = try chol.solve(b)
        let residual = NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemv(a, x), b)
        #expect(residual <= 1e-14 * Double(n) * scale * max(1, x.elements.map(abs).max() ?? 0))
        let bm = LinalgFixtures.matrix(n, 3, seed: 31)
        let xm = try chol.solve(bm)
        for c in 0..<3 {
            let column = try chol.solve(bm.column(c))
            #expect(NaiveLinearAlgebra.maxAbsDifference(xm.column(c), column) <= tol * max(1, column.elements.map(abs).max() ?? 0))
        }
        // log det A = Σ log λᵢ.
        let eigen = try a.symmetricEigendecomposition()
        let logDet = eigen.values.elements.reduce(0) { $0 + log($1) }
        #expect(abs(chol.logDeterminant - logDet) <= 1e-10 * max(1, abs(logDet)) * cond.squareRoot())
    }

    @Test("Cholesky rank-one update equals refactoring A + xxᵀ", arguments: [1, 3, 12, 40])
    func choleskyUpdate(n: Int) throws {
        let a = LinalgFixtures.spd(n, seed: 32)
        let x = LinalgFixtures.vector(n, seed: 33)
        var chol = try a.cholesky()
        try chol.update(with: x)
        let direct = try NaiveLinearAlgebra.ger(a, alpha: 1, x, x).cholesky()
        #expect(NaiveLinearAlgebra.maxAbsDifference(chol.factor, direct.factor) <= 1e-13 * Double(n))
        // A non-finite vector leaves the factor unchanged.
        var bad = x
        bad[0] = .nan
        let before = chol
        #expect(throws: LinalgError.nonFinite(operation: "Cholesky.update", index: 0)) { try chol.update(with: bad) }
        #expect(chol == before)
    }

    @Test("symmetric eigendecomposition reconstructs A with orthonormal vectors", arguments: [1, 2, 7, 30])
    func eigen(n: Int) throws {
        var a = LinalgFixtures.matrix(n, n, seed: 34)
        a = try Matrix(rows: n, columns: n, elements: zip(a.elements, a.transposed().elements).map { $0 + $1 })
        let e = try a.symmetricEigendecomposition()
        #expect(e.values.count == n)
        for i in 1..<max(n, 1) { #expect(e.values[i - 1] <= e.values[i]) }
        let v = e.vectors
        let scale = max(1, NaiveLinearAlgebra.maxAbs(a))
        // V diag(λ) Vᵀ ≈ A and Vᵀ V ≈ I.
        var vl = v
        for i in 0..<n { for j in 0..<n { vl[i, j] *= e.values[j] } }
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemm(vl, v, transposeB: true), a) <= 1e-13 * Double(n) * scale)
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemm(v, transposeA: true, v), Matrix.identity(n)) <= 1e-13 * Double(n))
        // Each column is an eigenvector of its value: A v = λ v.
        for j in 0..<n {
            let av = NaiveLinearAlgebra.gemv(a, v.column(j))
            #expect(NaiveLinearAlgebra.maxAbsDifference(av, v.column(j).scaled(by: e.values[j])) <= 1e-13 * Double(n) * scale)
        }
    }

    @Test("eigenvalues of a known matrix")
    func eigenKnown() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with vectors (1, −1)/√2 and (1, 1)/√2.
        let e = try Matrix(rowArrays: [[2, 1], [1, 2]]).symmetricEigendecomposition()
        #expect(abs(e.values[0] - 1) <= 1e-15 && abs(e.values[1] - 3) <= 1e-15)
        #expect(abs(abs(e.vectors[0, 1]) - 0.5.squareRoot()) <= 1e-15)
        #expect(abs(e.vectors[0, 0] + e.vectors[1, 0]) <= 1e-15)
    }

    @Test("over-determined least squares equals the normal equations", arguments: [(1, 1), (5, 2), (20, 20), (60, 8)])
    func leastSquaresOver(m: Int, n: Int) throws {
        let a = LinalgFixtures.matrix(m, n, seed: 35)
        let b = LinalgFixtures.vector(m, seed: 36)
        let x = try a.leastSquares(b)
        let ata = NaiveLinearAlgebra.gemm(a, transposeA: true, a)
        let atb = NaiveLinearAlgebra.gemv(a, transpose: true, b)
        let normal = try #require(NaiveLinearAlgebra.solve(ata, atb))
        let cond = NaiveLinearAlgebra.conditionNumber(ata)
        #expect(NaiveLinearAlgebra.maxAbsDifference(x, normal) <= 1e-14 * cond * Double(m) * max(1, normal.elements.map(abs).max() ?? 0))
        // Several right-hand sides at once.
        let bm = LinalgFixtures.matrix(m, 2, seed: 37)
        let xm = try a.leastSquares(bm)
        #expect(xm.rows == n && xm.columns == 2)
        #expect(NaiveLinearAlgebra.maxAbsDifference(xm.column(1), try a.leastSquares(bm.column(1))) <= 1e-12 * cond)
    }

    @Test("under-determined least squares is the minimum-norm solution", arguments: [(1, 3), (4, 9), (10, 30)])
    func leastSquaresUnder(m: Int, n: Int) throws {
        let a = LinalgFixtures.matrix(m, n, seed: 38)
        let b = LinalgFixtures.vector(m, seed: 39)
        let x = try a.leastSquares(b)
        #expect(x.count == n)
        // Minimum norm: x = Aᵀ (A Aᵀ)⁻¹ b.
        let aat = NaiveLinearAlgebra.gemm(a, a, transposeB: true)
        let y = try #require(NaiveLinearAlgebra.solve(aat, b))
        let expected = NaiveLinearAlgebra.gemv(a, transpose: true, y)
        let cond = NaiveLinearAlgebra.conditionNumber(aat)
        #expect(NaiveLinearAlgebra.maxAbsDifference(x, expected) <= 1e-14 * cond * Double(n))
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemv(a, x), b) <= 1e-12 * cond)
    }

    @Test("general solve and inverse against Gauss–Jordan", arguments: [1, 4, 25])
    func generalInverse(n: Int) throws {
        let a = LinalgFixtures.matrix(n, n, seed: 40)
        let cond = NaiveLinearAlgebra.conditionNumber(a)
        let inv = try a.inverse()
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemm(a, inv), Matrix.identity(n)) <= 1e-14 * cond * Double(n))
        let b = LinalgFixtures.vector(n, seed: 41)
        let x = try a.solve(b)
        let reference = try #require(NaiveLinearAlgebra.solve(a, b))
        #expect(NaiveLinearAlgebra.maxAbsDifference(x, reference) <= 1e-14 * cond * Double(n) * max(1, reference.elements.map(abs).max() ?? 0))
    }

    // MARK: - Bad input

    enum BadFactorization: String, CaseIterable, Sendable {
        case indefinite, negativeDiagonal, singularSPD, nanCholesky, infiniteCholesky, nonSquareCholesky
        case nanEigen, nonSquareEigen, rankDeficientLeastSquares, leastSquaresRows, nanLeastSquares
        case singularInverse, singularSolve, nonSquareInverse, badFactor
    }

    @Test("factorizations report typed errors, never crash", arguments: BadFactorization.allCases)
    func badFactorizations(_ kind: BadFactorization) throws {
        let error = #expect(throws: LinalgError.self) {
            switch kind {
            case .indefinite: _ = try Matrix(rowArrays: [[1, 2], [2, 1]]).cholesky()
            case .negativeDiagonal: _ = try Matrix(rowArrays: [[4, 0, 0], [0, 1, 0], [0, 0, -1]]).cholesky()
            case .singularSPD: _ = try Matrix(rowArrays: [[1, 1], [1, 1]]).cholesky()
            case .nanCholesky: _ = try Matrix(rowArrays: [[1, 0], [.nan, 1]]).cholesky()
            case .infiniteCholesky: _ = try Matrix(rowArrays: [[.infinity, 0], [0, 1]]).cholesky()
            case .nonSquareCholesky: _ = try Matrix(rows: 2, columns: 3).cholesky()
            case .nanEigen: _ = try Matrix(rowArrays: [[1, 0], [.nan, 1]]).symmetricEigendecomposition()
            case .nonSquareEigen: _ = try Matrix(rows: 3, columns: 2).symmetricEigendecomposition()
            case .rankDeficientLeastSquares: _ = try Matrix(rowArrays: [[1, 2], [2, 4], [3, 6]]).leastSquares(Vector([1, 2, 3]))
            case .leastSquaresRows: _ = try Matrix(rows: 3, columns: 2, repeating: 1).leastSquares(Vector([1, 2]))
            case .nanLeastSquares: _ = try Matrix(rowArrays: [[1, 0], [0, 1], [1, 1]]).leastSquares(Vector([1, .nan, 2]))
            case .singularInverse: _ = try Matrix(rowArrays: [[1, 2], [2, 4]]).inverse()
            case .singularSolve: _ = try Matrix(rowArrays: [[0, 0], [0, 1]]).solve(Vector([1, 1]))
            case .nonSquareInverse: _ = try Matrix(rows: 2, columns: 3).inverse()
            case .badFactor: _ = try Cholesky(factor: Matrix(rowArrays: [[1, 0], [3, 0]]))
            }
        }
        switch (kind, error) {
        case (.indefinite, .notPositiveDefinite(_, let order)?): #expect(order == 2)
        case (.negativeDiagonal, .notPositiveDefinite(_, let order)?): #expect(order == 3)
        case (.singularSPD, .notPositiveDefinite(_, let order)?): #expect(order == 2)
        case (.badFactor, .notPositiveDefinite(_, let order)?): #expect(order == 2)
        case (.nanCholesky, .nonFinite(_, let index)?), (.nanEigen, .nonFinite(_, let index)?): #expect(index == 2)
        case (.infiniteCholesky, .nonFinite(_, let index)?): #expect(index == 0)
        case (.nanLeastSquares, .nonFinite?): break
        case (.nonSquareCholesky, .dimensionMismatch?), (.nonSquareEigen, .dimensionMismatch?),
             (.leastSquaresRows, .dimensionMismatch?), (.nonSquareInverse, .dimensionMismatch?):
            break
        case (.rankDeficientLeastSquares, .singular?), (.singularInverse, .singular?), (.singularSolve, .singular?): break
        default: Issue.record("unexpected \(String(describing: error)) for \(kind)")
        }
    }
}
