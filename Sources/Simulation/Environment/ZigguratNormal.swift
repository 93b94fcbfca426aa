#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttuneCore

/// Standard normal draws by the ziggurat method: most draws cost one 64-bit random number, a
/// multiplication and a comparison; the rare rest (about 1.5%) are resolved exactly by
/// rejection (wedges) or by Marsaglia's tail method beyond r = 3.4426.
///
/// The simulator draws many normals per round (every context feature), where the polar
/// method's logarithm and square root per pair dominated the environment's cost. The layer
/// index comes from the low 7 bits of the random word and the signed abscissa from its high
/// 32 bits, so the two are independent.
///
/// ## References
/// Marsaglia & Tsang, "The ziggurat method for generating random variables", Journal of
/// Statistical Software 5(8), 2000; Leong, Zhang, Lee, Luk & Villasenor, "A comment on the
/// implementation of the ziggurat method", JSS 12(7), 2005.
public struct ZigguratNormal: Sendable {
    private let k: [UInt32]
    private let w: [Double]
    private let f: [Double]
    private static let r = 3.442619855899

    /// The tables for 128 layers of equal area v = 9.91256303526217e-3.
    public init() {
        let m = 2_147_483_648.0, v = 9.91256303526217e-3
        var k = [UInt32](repeating: 0, count: 128), w = [Double](repeating: 0, count: 128), f = [Double](repeating: 0, count: 128)
        var d = Self.r, t = Self.r
        let q = v / exp(-0.5 * d * d)
        k[0] = UInt32((d / q) * m)
        k[1] = 0
        w[0] = q / m
        w[127] = d / m
        f[0] = 1
        f[127] = exp(-0.5 * d * d)
        for i in stride(from: 126, through: 1, by: -1) {
            d = (-2 * log(v / d + exp(-0.5 * d * d))).squareRoot()
            k[i + 1] = UInt32((d / t) * m)
            t = d
            f[i] = exp(-0.5 * d * d)
            w[i] = d / m
        }
        self.k = k
        self.w = w
        self.f = f
    }

    /// One N(0, 1) draw.
    /// - Complexity: O(1) expected, no allocation.
    @inline(__always)
    public func next(using g: inout SeededGenerator) -> Double {
        let bits = g.next()
        let i = Int(bits & 127)
        let h = Int32(truncatingIfNeeded: bits >> 32)
        if h.magnitude < k[i] { return Double(h) * w[i] }
        return slow(h, i, &g)
    }

    /// The base strip's tail and the wedges.
    private func slow(_ first: Int32, _ layer: Int, _ g: inout SeededGenerator) -> Double {
        var h = first, i = layer
        while true {
            let x = Double(h) * w[i]
            if i == 0 {
                var tail: Double, y: Double
                repeat {
                    tail = -log(g.nextOpenUniform()) / Self.r
                    y = -log(g.nextOpenUniform())
                } while y + y < tail * tail
                return h > 0 ? Self.r + tail : -Self.r - tail
            }
            if f[i] + g.nextUniform() * (f[i - 1] - f[i]) < exp(-0.5 * x * x) { return x }
            let bits = g.next()
            i = Int(bits & 127)
            h = Int32(truncatingIfNeeded: bits >> 32)
            if h.magnitude < k[i] { return Double(h) * w[i] }
        }
    }
}
