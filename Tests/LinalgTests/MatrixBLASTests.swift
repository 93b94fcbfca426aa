import Linalg
import Testing
import _AttuneTestSupport

/// Shapes exercised by every wrapper: 1×1, square, tall, wide, and sizes past OpenBLAS's
/// small-matrix kernels.
let testShapes: [(Int, Int)] = [(1, 1), (1, 4), (3, 1), (3, 3), (5, 2), (2, 7), (17, 17), (33, 20)]

/// Relative element-wise tolerance of an inner product of length `k` with entries in [−1, 1].
func productTolerance(_ k: Int) -> Double { 4 * Double.ulpOfOne * Double(max(k, 1)) }

@Suite("Matrix BLAS wrappers against naive loops")
struct MatrixBLASTests {
    @Test("gemm: every transposition, α and β", arguments: testShapes)
    func gemm(m: Int, k: Int) throws {
        let n = (m + k) % 5 + 1
        for (ta, tb) in [(BLAS.Transpose.none, BLAS.Transpose.none), (.transpose, .none), (.none, .transpose), (.transpose, .transpose)] {
            let a = ta == .none ? LinalgFixtures.matrix(m, k, seed: 1) : LinalgFixtures.matrix(k, m, seed: 1)
            let b = tb == .none ? LinalgFixtures.matrix(k, n, seed: 2) : LinalgFixtures.matrix(n, k, seed: 2)
            let c0 = LinalgFixtures.matrix(m, n, seed: 3)
            var c = c0
            try Matrix.multiply(a, b, transposeA: ta, transposeB: tb, alpha: 0.5, beta: -2, into: &c)
            let expected = NaiveLinearAlgebra.gemm(a, transposeA: ta == .transpose, b, transposeB: tb == .transpose, alpha: 0.5, beta: -2, c: c0)
            #expect(NaiveLinearAlgebra.maxAbsDifference(c, expected) <= productTolerance(k) * 3, "op(A)=\(ta) op(B)=\(tb)")
            let plain = try a.multiplied(by: b, transposingSelf: ta, transposingOther: tb)
            let expectedPlain = NaiveLinearAlgebra.gemm(a, transposeA: ta == .transpose, b, transposeB: tb == .transpose)
            #expect(NaiveLinearAlgebra.maxAbsDifference(plain, expectedPlain) <= productTolerance(k))
        }
    }

    @Test("gemm with an empty inner dimension scales C by β")
    func gemmEmptyInner() throws {
        let a = Matrix(rows: 2, columns: 0), b = Matrix(rows: 0, columns: 3)
        var c = Matrix(rows: 2, columns: 3, repeating: 2)
        try Matrix.multiply(a, b, beta: 0.5, into: &c)
        #expect(c == Matrix(rows: 2, columns: 3, repeating: 1))
    }

    @Test("gemv: both transpositions, α and β, buffer and value forms", arguments: testShapes)
    func gemv(m: Int, n: Int) throws {
        let a = LinalgFixtures.matrix(m, n, seed: 4)
        for t in [BLAS.Transpose.none, .transpose] {
            let x = LinalgFixtures.vector(t == .none ? n : m, seed: 5)
            let y0 = LinalgFixtures.vector(t == .none ? m : n, seed: 6)
            var y = y0
            try a.multiply(transposing: t, x, alpha: 1.5, beta: 0.25, into: &y)
            let expected = NaiveLinearAlgebra.gemv(a, transpose: t == .transpose, x, alpha: 1.5, beta: 0.25, y: y0)
            #expect(NaiveLinearAlgebra.maxAbsDifference(y, expected) <= productTolerance(max(m, n)) * 2)
            let plain = try a.multiplied(by: x, transposing: t)
            #expect(NaiveLinearAlgebra.maxAbsDifference(plain, NaiveLinearAlgebra.gemv(a, transpose: t == .transpose, x)) <= productTolerance(max(m, n)))
        }
    }

    @Test("ger adds α x yᵀ", arguments: testShapes)
    func ger(m: Int, n: Int) throws {
        var a = LinalgFixtures.matrix(m, n, seed: 7)
        let x = LinalgFixtures.vector(m, seed: 8), y = LinalgFixtures.vector(n, seed: 9)
        let expected = NaiveLinearAlgebra.ger(a, alpha: -0.75, x, y)
        try a.addOuterProduct(x, y, alpha: -0.75)
        #expect(NaiveLinearAlgebra.maxAbsDifference(a, expected) <= 4 * Double.ulpOfOne)
    }

    @Test("syr adds α x xᵀ and keeps full symmetric storage exactly symmetric", arguments: [1, 2, 5, 17, 70])
    func syr(n: Int) throws {
        var a = LinalgFixtures.spd(n, seed: 10)
        let x = LinalgFixtures.vector(n, seed: 11)
        let expected = NaiveLinearAlgebra.ger(a, alpha: 2, x, x)
        try a.addSymmetricOuterProduct(x, alpha: 2)
        #expect(NaiveLinearAlgebra.maxAbsDifference(a, expected) <= 8 * Double.ulpOfOne)
        #expect(a == a.transposed())
        // One triangle only: the other is left untouched.
        var upperOnly = LinalgFixtures.spd(n, seed: 10)
        let untouched = upperOnly
        try upperOnly.addSymmetricOuterProduct(x, alpha: 2, triangle: .upper)
        for i in 0..<n {
            for j in 0..<n {
                if j >= i {
                    #expect(abs(upperOnly[i, j] - expected[i, j]) <= 8 * Double.ulpOfOne)
                } else {
                    #expect(upperOnly[i, j] == untouched[i, j])
                }
            }
        }
    }

    @Test("syrk: Gram matrices AᵀA and AAᵀ", arguments: testShapes)
    func gram(m: Int, n: Int) throws {
        let a = LinalgFixtures.matrix(m, n, seed: 12)
        let ata = try a.gram(transposing: .transpose)
        #expect(NaiveLinearAlgebra.maxAbsDifference(ata, NaiveLinearAlgebra.gemm(a, transposeA: true, a)) <= productTolerance(m))
        #expect(ata == ata.transposed())
        let aat = try a.gram(transposing: .none)
        #expect(NaiveLinearAlgebra.maxAbsDifference(aat, NaiveLinearAlgebra.gemm(a, a, transposeB: true)) <= productTolerance(n))
        // The in-place form overwrites whatever the result held.
        var into = Matrix(rows: n, columns: n, repeating: 7)
        try a.gram(into: &into)
        #expect(into == ata)
        var wrong = Matrix(rows: n + 1, columns: n)
        #expect(throws: LinalgError.self) { try a.gram(into: &wrong) }
    }

    @Test("trsv and trsm solve against substitution", arguments: [1, 2, 6, 25])
    func triangular(n: Int) throws {
        // A well-conditioned triangle: the Cholesky factor of an SPD matrix.
        let l = try #require(NaiveLinearAlgebra.cholesky(LinalgFixtures.spd(n, shift: 1, seed: 13)))
        let u = l.transposed()
        let b = LinalgFixtures.vector(n, seed: 14)
        for (t, lower) in [(l, true), (u, false)] {
            for transpose in [BLAS.Transpose.none, .transpose] {
                for diagonal in [BLAS.Diagonal.nonUnit, .unit] {
                    let x = try t.solveTriangular(b, triangle: lower ? .lower : .upper, transposing: transpose, diagonal: diagonal)
                    let expected = NaiveLinearAlgebra.triangularSolve(t, lower: lower, transpose: transpose == .transpose, unitDiagonal: diagonal == .unit, b)
                    let scale = max(1, expected.elements.map(abs).max() ?? 0)
                    #expect(NaiveLinearAlgebra.maxAbsDifference(x, expected) <= 1e-13 * Double(n) * scale)
                }
            }
        }
        // trsm from the left on several right-hand sides, and from the right.
        let bm = LinalgFixtures.matrix(n, 3, seed: 15)
        var xm = bm
        try l.solveTriangular(&xm, side: .left, triangle: .lower, alpha: 2)
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemm(l, xm), bm.scaled(2)) <= 1e-13 * Double(n))
        let br = LinalgFixtures.matrix(3, n, seed: 16)
        var xr = br
        try l.solveTriangular(&xr, side: .right, triangle: .lower, transposing: .transpose)
        #expect(NaiveLinearAlgebra.maxAbsDifference(NaiveLinearAlgebra.gemm(xr, l, transposeB: true), br) <= 1e-13 * Double(n))
    }

    @Test("batched scoring equals one dot product per action and context", arguments: [(1, 1, 1), (10, 20, 1), (4, 7, 9), (33, 64, 5)])
    func scoring(k: Int, d: Int, contexts: Int) throws {
        let theta = LinalgFixtures.matrix(k, d, seed: 17)
        let x = LinalgFixtures.matrix(contexts, d, seed: 18)
        let all = try theta.scores(ofContexts: x)
        #expect(all.rows == contexts && all.columns == k)
        for c in 0..<contexts {
            let one = try theta.scores(of: x.row(c))
            for a in 0..<k {
                let dot = (0..<d).reduce(0.0) { $0 + theta[a, $1] * x[c, $1] }
                #expect(abs(one[a] - dot) <= productTolerance(d))
                #expect(abs(all[c, a] - dot) <= productTolerance(d))
            }
        }
    }

    // MARK: - Bad input

    enum BadCall: String, CaseIterable, Sendable {
        case gemmInner, gemmResult, gemvLength, gemvResult, gerLength, syrNonSquare, syrLength
        case trsvSingular, trsvLength, trsmShape, scoresWidth, nanGemm, nanGemv, nanGram, nanTriangular, corruptStorage
    }

    @Test("shape errors, singular triangles and non-finite values are typed errors", arguments: BadCall.allCases)
    func badCalls(_ call: BadCall) throws {
        let a = LinalgFixtures.matrix(3, 4, seed: 19)
        var square = LinalgFixtures.spd(3, seed: 20)
        var nan = a
        nan[1, 2] = .nan
        let error = #expect(throws: LinalgError.self) {
            switch call {
            case .gemmInner: _ = try a.multiplied(by: a)
            case .gemmResult:
                var c = Matrix(rows: 3, columns: 2)
                try Matrix.multiply(a, a, transposeA: .none, transposeB: .transpose, into: &c)
            case .gemvLength: _ = try a.multiplied(by: Vector([1, 2, 3]))
            case .gemvResult:
                var y = Vector(count: 4)
                try a.multiply(Vector([1, 2, 3, 4]), into: &y)
            case .gerLength: try square.addOuterProduct(Vector([1, 2]), Vector([1, 2, 3]))
            case .syrNonSquare:
                var b = a
                try b.addSymmetricOuterProduct(Vector([1, 2, 3]))
            case .syrLength: try square.addSymmetricOuterProduct(Vector([1, 2, 3, 4]))
            case .trsvSingular:
                var t = square
                t[1, 1] = 0
                _ = try t.solveTriangular(Vector([1, 2, 3]), triangle: .lower)
            case .trsvLength: _ = try square.solveTriangular(Vector([1, 2]), triangle: .upper)
            case .trsmShape:
                var b = Matrix(rows: 2, columns: 3)
                try square.solveTriangular(&b, side: .left, triangle: .lower)
            case .scoresWidth: _ = try a.scores(ofContexts: Matrix(rows: 2, columns: 3))
            case .nanGemm: _ = try nan.multiplied(by: a, transposingOther: .transpose)
            case .nanGemv: _ = try nan.multiplied(by: Vector([1, 2, 3, 4]))
            case .nanGram: _ = try nan.gram()
            case .nanTriangular:
                square[2, 0] = .infinity
                _ = try square.solveTriangular(Vector([1, 2, 3]), triangle: .lower)
            case .corruptStorage:
                var b = a
                b.elements.removeLast()
                _ = try b.multiplied(by: Vector([1, 2, 3, 4]))
            }
        }
        switch (call, error) {
        case (.trsvSingular, .singular?): break
        case (.nanGemm, .nonFinite(_, let index)?), (.nanGemv, .nonFinite(_, let index)?), (.nanGram, .nonFinite(_, let index)?):
            #expect(index == 6)
        case (.nanTriangular, .nonFinite(_, let index)?): #expect(index == 6)
        case (.trsvSingular, _), (.nanGemm, _), (.nanGemv, _), (.nanGram, _), (.nanTriangular, _):
            Issue.record("unexpected \(String(describing: error)) for \(call)")
        case (_, .dimensionMismatch?): break
        default: Issue.record("unexpected \(String(describing: error)) for \(call)")
        }
    }
}

extension Matrix {
    /// Every element times `factor` (test helper).
    func scaled(_ factor: Double) -> Matrix {
        var m = self
        for i in m.elements.indices { m.elements[i] *= factor }
        return m
    }
}
