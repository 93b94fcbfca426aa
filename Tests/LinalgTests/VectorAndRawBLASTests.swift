import Foundation
import Linalg
import Testing
import _AttuneTestSupport

@Suite("Vector level-1 BLAS and the raw-pointer wrappers")
struct VectorAndRawBLASTests {
    @Test("dot, norm, axpy, scale against loops", arguments: [1, 2, 7, 64, 301])
    func levelOne(n: Int) throws {
        let x = LinalgFixtures.vector(n, seed: 50), y = LinalgFixtures.vector(n, seed: 51)
        let dot = zip(x.elements, y.elements).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(try x.dot(y) - dot) <= productTolerance(n))
        let norm = x.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(x.norm - norm) <= productTolerance(n))
        var z = y
        try z.axpy(alpha: -1.5, x: x)
        #expect(NaiveLinearAlgebra.maxAbsDifference(z, Vector(zip(x.elements, y.elements).map { -1.5 * $0 + $1 })) <= 4 * Double.ulpOfOne)
        #expect(try y.subtracting(x) == Vector(zip(x.elements, y.elements).map { $1 - $0 }))
        #expect(x.scaled(by: 3) == Vector(x.elements.map { 3 * $0 }))
    }

    @Test("norm does not overflow where the naive sum of squares would")
    func normWithoutOverflow() {
        let v = Vector([3e200, 4e200])
        #expect(abs(v.norm / 5e200 - 1) <= 4 * Double.ulpOfOne)
    }

    @Test("level-1 shape errors")
    func levelOneErrors() {
        #expect(throws: LinalgError.self) { try Vector([1, 2]).dot(Vector([1, 2, 3])) }
        var v = Vector([1, 2])
        #expect(throws: LinalgError.self) { try v.axpy(alpha: 1, x: Vector([1])) }
        #expect(throws: LinalgError.self) { try Matrix(rows: 2, columns: 2, elements: [1, 2, 3]) }
        #expect(throws: LinalgError.self) { try Matrix(rowArrays: [[1, 2], [3]]) }
        #expect(throws: LinalgError.self) { try Matrix(rows: -1, columns: 2, elements: []) }
    }

    @Test("raw symv, copy and strided calls read what the sizes say", arguments: [1, 5, 33])
    func rawWrappers(n: Int) {
        let s = LinalgFixtures.spd(n, seed: 52)
        let x = LinalgFixtures.vector(2 * n, seed: 53)
        // Every other element of x, through incX = 2.
        let strided = Vector(stride(from: 0, to: 2 * n, by: 2).map { x[$0] })
        var y = [Double](repeating: 0, count: n)
        s.elements.withUnsafeBufferPointer { a in
            x.elements.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    BLAS.symv(triangle: .upper, n: n, a: a.baseAddress!, lda: n, x: xp.baseAddress!, incX: 2, y: yp.baseAddress!)
                }
            }
        }
        #expect(NaiveLinearAlgebra.maxAbsDifference(Vector(y), NaiveLinearAlgebra.gemv(s, strided)) <= productTolerance(n) * 4)
        var copy = [Double](repeating: 0, count: n)
        x.elements.withUnsafeBufferPointer { xp in
            copy.withUnsafeMutableBufferPointer { cp in BLAS.copy(n: n, x: xp.baseAddress!, incX: 2, y: cp.baseAddress!) }
        }
        #expect(Vector(copy) == strided)
    }

    @Test("matrix basics: transpose, rows, columns, symmetrize, JSON", arguments: [(1, 1), (3, 5), (40, 33)])
    func matrixBasics(m: Int, n: Int) throws {
        let a = LinalgFixtures.matrix(m, n, seed: 54)
        let t = a.transposed()
        #expect(t.rows == n && t.columns == m)
        for i in 0..<m { for j in 0..<n { #expect(t[j, i] == a[i, j]) } }
        #expect(t.transposed() == a)
        #expect(a.row(m - 1) == Vector((0..<n).map { a[m - 1, $0] }))
        #expect(a.column(n - 1) == Vector((0..<m).map { a[$0, n - 1] }))
        var s = LinalgFixtures.matrix(n, n, seed: 55)
        s.symmetrize(from: .lower)
        #expect(s == s.transposed())
        let decoded = try JSONDecoder().decode(Matrix.self, from: JSONEncoder().encode(a))
        #expect(decoded == a)
        let bad = Data(#"{"rows": 2, "columns": 2, "elements": [1, 2, 3]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Matrix.self, from: bad) }
    }
}
