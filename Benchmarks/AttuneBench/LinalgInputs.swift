import AttuneCore
import Foundation
import Linalg

/// The inputs of one size of the `linalg` suite, generated from the seed and shared with the
/// numpy peer through a raw little-endian float64 file (so both sides time the very same data).
struct LinalgInputs {
    /// The size `n` (matrices are `n × n`, vectors have `n` elements).
    let size: Int
    /// General matrices for gemm, gemv and ger, uniform in [−1, 1).
    let a: Matrix
    let b: Matrix
    /// Vectors, uniform in [−1, 1).
    let x: Vector
    let y: Vector
    /// A symmetric positive definite matrix `M Mᵀ / n + I` for potrf.
    let spd: Matrix
    /// Contexts for the ridge updates, one per row, of norm about 1.
    let pool: Matrix
    /// One reward per pool row.
    let rewards: Vector

    /// Generates the inputs of `size` from a child stream of `seed` (one stream per size).
    init(size n: Int, seed: UInt64) {
        var g = SeededGenerator(seed: seed).child(UInt64(n))
        func uniform(_ count: Int) -> [Double] { (0..<count).map { _ in 2 * g.nextUniform() - 1 } }
        size = n
        a = Matrix(rows: n, columns: n, uniform: uniform(n * n))
        b = Matrix(rows: n, columns: n, uniform: uniform(n * n))
        x = Vector(uniform(n))
        y = Vector(uniform(n))
        var s = (try? Matrix(rows: n, columns: n, elements: uniform(n * n)).gram(transposing: .none)) ?? Matrix.identity(n)
        for i in 0..<n {
            for j in 0..<n { s[i, j] /= Double(n) }
            s[i, i] += 1
        }
        spd = s
        // Enough distinct contexts that the cycle does not sit in a tiny subspace, few enough
        // to stay small at n = 2048.
        let poolRows = n <= 64 ? 1024 : (n <= 256 ? 256 : 64)
        let scale = 3 / Double(n).squareRoot()  // uniform[−1, 1) has variance 1/3: ‖x‖ ≈ 1
        pool = Matrix(rows: poolRows, columns: n, uniform: uniform(poolRows * n).map { $0 * scale })
        rewards = Vector(uniform(poolRows))
    }

    /// The arrays in file order, with their shapes.
    var arrays: [(name: String, shape: [Int], values: [Double])] {
        [
            ("a", [size, size], a.elements), ("b", [size, size], b.elements),
            ("x", [size], x.elements), ("y", [size], y.elements),
            ("s", [size, size], spd.elements),
            ("pool", [pool.rows, size], pool.elements), ("rewards", [pool.rows], rewards.elements),
        ]
    }

    /// Writes the arrays to `directory/linalg-<n>.f64` and returns the manifest entry
    /// `{"path", "arrays": {name: {"offset", "shape"}}}` (offsets in doubles).
    /// - Throws: `BenchError.io` when the file cannot be written.
    func write(to directory: URL) throws(BenchError) -> [String: Any] {
        let url = directory.appendingPathComponent("linalg-\(size).f64")
        var data = Data()
        var entries: [String: Any] = [:]
        var offset = 0
        for array in arrays {
            entries[array.name] = ["offset": offset, "shape": array.shape]
            array.values.withUnsafeBufferPointer { p in
                // Little-endian float64: the in-memory layout of Double on every supported platform.
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: UInt8.self), count: p.count * 8))
            }
            offset += array.values.count
        }
        do {
            try data.write(to: url)
        } catch {
            throw .io(path: url.path, reason: "could not write the inputs: \(error.localizedDescription)")
        }
        return ["path": url.path, "arrays": entries]
    }
}

extension Matrix {
    /// A matrix from values known to number `rows * columns`.
    init(rows: Int, columns: Int, uniform values: [Double]) {
        self.init(rows: rows, columns: columns)
        elements = values
    }
}
