#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Determinism across machines: every sampler below is a fixed sequence of IEEE-754
// operations on the generator's 64-bit output, so the same seed gives the same draws on any
// machine with the same C math library. The transcendental functions (`log`, `exp`, `pow`,
// `lgamma`) come from the platform libm, which is not required to round correctly: two
// different libm implementations (glibc vs. Apple's) may differ in the last bit, and a
// rejection sampler may then take a different branch. `sqrt` is exact everywhere.

// MARK: - Continuous distributions

extension SeededGenerator {
    /// A standard normal draw, N(0, 1), by the Marsaglia polar method.
    ///
    /// ```
    /// (u, v) uniform in the unit disc, s = u² + v² ∈ (0, 1)
    /// z = u · √(−2 ln s / s)
    /// ```
    /// The second variate of the pair is discarded, so the generator stays a plain value
    /// with no cached state; use ``fillStandardNormal(_:)`` to keep both.
    /// - Complexity: O(1) expected (4/π ≈ 1.27 pairs of uniforms), no allocation.
    ///
    /// ## References
    /// Marsaglia & Bray, "A convenient method for generating normal variables" (1964).
    @inlinable
    public mutating func nextStandardNormal() -> Double {
        nextStandardNormalPair().0
    }

    /// Two independent standard normal draws from one accepted polar pair.
    /// - Complexity: O(1) expected, no allocation.
    @inlinable
    public mutating func nextStandardNormalPair() -> (Double, Double) {
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * log(s) / s).squareRoot()
                return (u * factor, v * factor)
            }
        }
    }

    /// Fills `buffer` with independent standard normal draws, using both variates of each
    /// polar pair.
    /// - Complexity: O(n), no allocation.
    public mutating func fillStandardNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        var i = 0
        while i + 1 < buffer.count {
            let (a, b) = nextStandardNormalPair()
            buffer[i] = a
            buffer[i + 1] = b
            i += 2
        }
        if i < buffer.count { buffer[i] = nextStandardNormal() }
    }

    /// A normal draw with the given mean and standard deviation: `mean + sd · z`.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` when `mean` is not
    ///   finite or `standardDeviation` is negative or not finite.
    /// - Complexity: O(1) expected, no allocation.
    @inlinable
    public mutating func nextNormal(mean: Double, standardDeviation: Double) throws(AttuneCoreError) -> Double {
        guard mean.isFinite else { throw .invalidParameter(name: "mean", value: "\(mean)", expected: "a finite number") }
        guard standardDeviation.isFinite, standardDeviation >= 0 else {
            throw .invalidParameter(name: "standardDeviation", value: "\(standardDeviation)", expected: "a finite number ≥ 0")
        }
        return mean + standardDeviation * nextStandardNormal()
    }

    /// An exponential draw with the given rate λ (mean 1/λ), by inversion: `−ln(U) / λ`,
    /// U uniform in (0, 1).
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless
    ///   `0 < rate < ∞`.
    /// - Complexity: O(1), no allocation.
    @inlinable
    public mutating func nextExponential(rate: Double = 1) throws(AttuneCoreError) -> Double {
        guard rate.isFinite, rate > 0 else {
            throw .invalidParameter(name: "rate", value: "\(rate)", expected: "a finite number > 0")
        }
        return -log(nextOpenUniform()) / rate
    }

    /// A gamma draw with shape k and scale θ (mean kθ, variance kθ²), by Marsaglia–Tsang.
    ///
    /// For k ≥ 1: with d = k − 1/3, c = 1/√(9d), draw z ~ N(0, 1), v = (1 + cz)³, accept
    /// d·v when `ln U < z²/2 + d − d·v + d·ln v` (with the cheap squeeze
    /// `U < 1 − 0.0331 z⁴` first). For k < 1 the draw is boosted:
    /// `Gamma(k) = Gamma(k + 1) · U^(1/k)`.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless both
    ///   parameters are finite and positive.
    /// - Complexity: O(1) expected (acceptance rate above 0.95 for every shape), no allocation.
    ///
    /// ## References
    /// Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000.
    public mutating func nextGamma(shape: Double, scale: Double = 1) throws(AttuneCoreError) -> Double {
        try Self.checkPositive(shape, name: "shape")
        try Self.checkPositive(scale, name: "scale")
        if shape >= 1 { return marsagliaTsang(shape: shape) * scale }
        return marsagliaTsang(shape: shape + 1) * pow(nextOpenUniform(), 1 / shape) * scale
    }

    /// A beta draw with shapes α and β (mean α/(α+β)), as X/(X+Y) with X ~ Gamma(α),
    /// Y ~ Gamma(β).
    ///
    /// When both shapes are below 1 the gammas are combined in log space, since both can
    /// underflow to 0 and X/(X+Y) would be 0/0.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless both
    ///   shapes are finite and positive.
    /// - Complexity: O(1) expected, no allocation.
    public mutating func nextBeta(alpha: Double, beta: Double) throws(AttuneCoreError) -> Double {
        try Self.checkPositive(alpha, name: "alpha")
        try Self.checkPositive(beta, name: "beta")
        if alpha < 1 && beta < 1 {
            let logX = logGamma(shape: alpha)
            let logY = logGamma(shape: beta)
            // X/(X+Y) = 1/(1 + e^(ln Y − ln X)), stable whatever the magnitudes.
            return 1 / (1 + exp(logY - logX))
        }
        let x = alpha >= 1 ? marsagliaTsang(shape: alpha) : exp(logGamma(shape: alpha))
        let y = beta >= 1 ? marsagliaTsang(shape: beta) : exp(logGamma(shape: beta))
        return x / (x + y)
    }

    // MARK: - Discrete distributions

    /// A Bernoulli draw: `true` with probability p, as `U < p`.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless p ∈ [0, 1].
    /// - Complexity: O(1), no allocation.
    @inlinable
    public mutating func nextBernoulli(probability p: Double) throws(AttuneCoreError) -> Bool {
        guard p >= 0, p <= 1 else {
            throw .invalidParameter(name: "probability", value: "\(p)", expected: "a probability in [0, 1]")
        }
        return nextUniform() < p
    }

    /// A Poisson draw with mean λ.
    ///
    /// λ < 10: Knuth's multiplication method (multiply uniforms until the product falls
    /// below e^(−λ); O(λ) uniforms). λ ≥ 10: Hörmann's PTRS, transformed rejection with
    /// squeeze (exact, O(1) expected, about 1.1 trials), as in NumPy.
    /// - Throws: ``AttuneCoreError/invalidParameter(name:value:expected:)`` unless
    ///   0 ≤ λ ≤ 10¹⁵ (larger means do not fit the integer arithmetic exactly).
    /// - Complexity: O(min(λ, 10)) expected, no allocation.
    ///
    /// ## References
    /// Knuth, TAOCP vol. 2, §3.4.1; Hörmann, "The transformed rejection method for generating
    /// Poisson random variables", Insurance: Mathematics and Economics 12 (1993).
    public mutating func nextPoisson(mean lambda: Double) throws(AttuneCoreError) -> Int {
        guard lambda >= 0, lambda <= 1e15 else {
            throw .invalidParameter(name: "mean", value: "\(lambda)", expected: "a number in [0, 1e15]")
        }
        if lambda == 0 { return 0 }
        if lambda < 10 {
            let limit = exp(-lambda)
            var product = nextUniform()
            var count = 0
            while product > limit {
                count += 1
                product *= nextUniform()
            }
            return count
        }
        return ptrs(lambda)
    }

    // MARK: - Kernels

    /// Marsaglia–Tsang for shape ≥ 1, unit scale.
    @usableFromInline
    internal mutating func marsagliaTsang(shape: Double) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var z: Double
            var v: Double
            repeat {
                z = nextStandardNormal()
                v = 1 + c * z
            } while v <= 0
            v = v * v * v
            let u = nextOpenUniform()
            let z2 = z * z
            if u < 1 - 0.0331 * z2 * z2 { return d * v }
            if log(u) < 0.5 * z2 + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// ln of a Gamma(shape, 1) draw for shape < 1, without underflow:
    /// `ln Gamma(k+1) + ln(U)/k`.
    internal mutating func logGamma(shape: Double) -> Double {
        log(marsagliaTsang(shape: shape + 1)) + log(nextOpenUniform()) / shape
    }

    /// Hörmann's PTRS for λ ≥ 10 (the constants are the paper's).
    internal mutating func ptrs(_ lambda: Double) -> Int {
        let logLambda = log(lambda)
        let b = 0.931 + 2.53 * lambda.squareRoot()
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextUniform() - 0.5
            let v = nextOpenUniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let lhs = log(v) + log(inverseAlpha) - log(a / (us * us) + b)
            let rhs = -lambda + k * logLambda - lgamma(k + 1)
            if lhs <= rhs { return Int(k) }
        }
    }

    @usableFromInline
    internal static func checkPositive(_ value: Double, name: String) throws(AttuneCoreError) {
        guard value.isFinite, value > 0 else {
            throw .invalidParameter(name: name, value: "\(value)", expected: "a finite number > 0")
        }
    }
}
