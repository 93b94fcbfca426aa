import AttuneCore
import Foundation
import Testing
@testable import Simulation

@Suite("Ziggurat normal")
struct ZigguratNormalTests {
    @Test("moments and tails match N(0, 1)")
    func moments() {
        let normal = ZigguratNormal()
        var g = SeededGenerator(seed: 12)
        let n = 400_000
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, beyond2 = 0, beyond35 = 0, below = 0
        for _ in 0..<n {
            let z = normal.next(using: &g)
            s1 += z; s2 += z * z; s3 += z * z * z; s4 += z * z * z * z
            if abs(z) > 2 { beyond2 += 1 }
            if abs(z) > 3.5 { beyond35 += 1 }
            if z < -1 { below += 1 }
        }
        let m = Double(n)
        // Standard errors: mean 1/√n, variance √(2/n), skewness √(15/n), kurtosis √(96/n).
        #expect(abs(s1 / m) < 4 / m.squareRoot())
        #expect(abs(s2 / m - 1) < 4 * (2 / m).squareRoot())
        #expect(abs(s3 / m) < 4 * (15 / m).squareRoot())
        #expect(abs(s4 / m - 3) < 4 * (96 / m).squareRoot())
        // P(|Z| > 2) = 0.0455003, P(|Z| > 3.5) = 4.6525e-4 (the tail past the base strip), P(Z < −1) = 0.158655.
        for (count, p) in [(beyond2, 0.0455003), (beyond35, 4.6525e-4), (below, 0.158655)] {
            #expect(abs(Double(count) / m - p) < 4 * (p * (1 - p) / m).squareRoot(), "\(Double(count) / m) vs \(p)")
        }
    }
}
