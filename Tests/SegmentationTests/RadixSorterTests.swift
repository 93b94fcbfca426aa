import AttuneCore
import Testing

@testable import Segmentation

@Suite("Radix presort of the tree's features")
struct RadixSorterTests {
    /// The sorter's order of column `j`, as (row, value) pairs.
    static func radixOrder(_ x: [Double], columns d: Int, column j: Int) -> [(row: Int, value: Double)] {
        let n = x.count / d
        var sorter = RadixSorter(n: n)
        var result = [(row: Int, value: Double)](repeating: (0, 0), count: n)
        let column = (0..<n).map { x[$0 * d + j] }
        column.withUnsafeBufferPointer { cb in
            guard let base = cb.baseAddress else { return }
            sorter.sort(base) { p, row, value in result[p] = (Int(row), value) }
        }
        return result
    }

    /// Column `j` of `x` in a stable comparison sort by value.
    static func reference(_ x: [Double], columns d: Int, column j: Int) -> [(row: Int, value: Double)] {
        (0..<(x.count / d)).map { (row: $0, value: x[$0 * d + j]) }.sorted { $0.value < $1.value || ($0.value == $1.value && $0.row < $1.row) }
    }

    @Test("Equals a stable comparison sort: continuous, repeated, negative and sub-Float-step values", arguments: [UInt64(1), 2, 3])
    func matchesStableSort(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let n = 3_000, d = 4
        var x = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            x[i * d] = rng.nextStandardNormal() * 1e3  // continuous, both signs
            x[i * d + 1] = Double(Int(rng.nextUniform() * 7)) - 3  // few distinct values, many ties
            // Distinct doubles inside one Float step around 1.7e9 (epoch seconds): one long run
            // of equal keys in random order, fixed up by the comparison fallback.
            x[i * d + 2] = 1.7e9 + Double(Int(rng.nextUniform() * 60))
            x[i * d + 3] = i % 3 == 0 ? -0.0 : (i % 3 == 1 ? 0.0 : 1 + rng.nextUniform() * 1e-9)  // short runs, signed zeros
        }
        for j in 0..<d {
            let got = Self.radixOrder(x, columns: d, column: j)
            let expected = Self.reference(x, columns: d, column: j)
            #expect(got.map(\.value) == expected.map(\.value))
            if j < 3 { #expect(got.map(\.row) == expected.map(\.row)) }
            // Rows carry their own values.
            #expect(got.allSatisfy { x[$0.row * d + j] == $0.value })
        }
    }
}
