import AttuneCore
import Linalg

/// Seeded random inputs for linear-algebra tests: the same seed gives the same matrices.
public enum LinalgFixtures {
    /// A `rows × columns` matrix of independent uniform values in [−1, 1).
    public static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        var m = Matrix(rows: rows, columns: columns)
        for i in m.elements.indices { m.elements[i] = 2 * g.nextUniform() - 1 }
        return m
    }

    /// A vector of `count` independent uniform values in [−1, 1).
    public static func vector(_ count: Int, seed: UInt64) -> Vector {
        var g = SeededGenerator(seed: seed)
        return Vector((0..<count).map { _ in 2 * g.nextUniform() - 1 })
    }

    /// A vector of `count` independent standard normal values.
    public static func normals(_ count: Int, seed: UInt64) -> Vector {
        var g = SeededGenerator(seed: seed)
        return Vector((0..<count).map { _ in g.nextStandardNormal() })
    }

    /// A symmetric positive definite `n × n` matrix `M Mᵀ / n + shift·I` with `M` uniform:
    /// a smaller `shift` gives a worse condition number.
    public static func spd(_ n: Int, shift: Double = 0.5, seed: UInt64) -> Matrix {
        let m = matrix(n, n, seed: seed)
        var s = NaiveLinearAlgebra.gemm(m, m, transposeB: true, alpha: 1 / Double(max(n, 1)))
        for i in 0..<n { s[i, i] += shift }
        // Exact symmetry: average the two triangles.
        for i in 0..<n { for j in 0..<i { let v = (s[i, j] + s[j, i]) / 2; s[i, j] = v; s[j, i] = v } }
        return s
    }
}
