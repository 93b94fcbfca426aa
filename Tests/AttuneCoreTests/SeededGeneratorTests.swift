import Foundation
import Testing
@testable import AttuneCore

/// Pearson correlation of two equally long samples.
func correlation(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
        sxy += (x[i] - mx) * (y[i] - my)
        sxx += (x[i] - mx) * (x[i] - mx)
        syy += (y[i] - my) * (y[i] - my)
    }
    return sxy / (sxx * syy).squareRoot()
}

@Suite struct SeededGeneratorTests {
    // MARK: - Reference values

    @Test func splitMix64MatchesTheReferenceImplementation() {
        // Vigna's splitmix64.c from state 0.
        var state: UInt64 = 0
        #expect(SeededGenerator.splitMix64(&state) == 0xE220_A839_7B1D_CDAF)
        #expect(SeededGenerator.splitMix64(&state) == 0x6E78_9E6A_A1B9_65F4)
        #expect(SeededGenerator.splitMix64(&state) == 0x06C4_5D18_8009_454F)
    }

    @Test func xoshiro256StarStarMatchesTheReferenceImplementation() {
        // Blackman & Vigna's xoshiro256starstar.c from the state {1, 2, 3, 4}.
        var generator = SeededGenerator(seed: 0, state: (1, 2, 3, 4))
        let expected: [UInt64] = [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360]
        #expect((0..<5).map { _ in generator.next() } == expected)
    }

    @Test func seedingFillsTheStateWithSplitMix64() {
        // xoshiro256** seeded with four splitmix64 outputs, as the reference recommends.
        var zero = SeededGenerator(seed: 0)
        #expect((0..<4).map { _ in zero.next() } == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C])
        var fortyTwo = SeededGenerator(seed: 42)
        #expect((0..<4).map { _ in fortyTwo.next() } == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
    }

    // MARK: - Golden values of the derived draws (seed 42)

    @Test func goldenDrawsAreStable() throws {
        var g = SeededGenerator(seed: 42)
        #expect((0..<3).map { _ in g.nextUniform() } == [0.08386297105988216, 0.3789802506626686, 0.6800434110281394])
        g = SeededGenerator(seed: 42)
        #expect(try (0..<5).map { _ in try g.nextInt(below: 10) } == [0, 3, 6, 9, 9])
        g = SeededGenerator(seed: 42)
        #expect(try (0..<5).map { _ in try g.nextCategorical(weights: [1, 2, 3, 0, 4]) } == [0, 2, 4, 4, 4])
        g = SeededGenerator(seed: 42)
        var deck = Array(0..<8)
        g.shuffle(&deck)
        #expect(deck == [7, 1, 6, 3, 5, 4, 2, 0])
        g = SeededGenerator(seed: 42)
        #expect(try (0..<5).map { _ in try g.nextPoisson(mean: 25) } == [17, 28, 29, 28, 30])
        var child = SeededGenerator(seed: 42).child(3)
        #expect(child.next() == 0x44B0_7FB5_E371_7B9C)
    }

    @Test func goldenContinuousDrawsAgreeToTheLastFewBits() throws {
        // These go through the platform's `log`/`exp`/`pow`, which may differ in the last bit
        // between C libraries, hence the 1e-12 relative tolerance.
        func close(_ a: [Double], _ b: [Double]) -> Bool {
            zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
        }
        var g = SeededGenerator(seed: 42)
        #expect(close((0..<3).map { _ in g.nextStandardNormal() }, [-0.7262191382447857, 0.2216227015035933, 0.46417731016247366]))
        g = SeededGenerator(seed: 42)
        #expect(close(try (0..<3).map { _ in try g.nextGamma(shape: 2.5, scale: 2) }, [2.527724174068455, 7.71296611470098, 10.29407001845966]))
        g = SeededGenerator(seed: 42)
        #expect(close(try (0..<3).map { _ in try g.nextBeta(alpha: 0.5, beta: 0.5) }, [0.4399101815815581, 0.18832816427006188, 0.5754257237215694]))
    }

    @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        var differs = false
        for _ in 0..<100 {
            let x = a.next()
            #expect(x == b.next())
            if x != c.next() { differs = true }
        }
        #expect(differs)
    }

    @Test func uniformsStayInTheirIntervals() {
        var g = SeededGenerator(seed: 1)
        for _ in 0..<10_000 {
            let u = g.nextUniform(), v = g.nextOpenUniform()
            #expect(u >= 0 && u < 1)
            #expect(v > 0 && v < 1)
        }
    }

    // MARK: - Child streams

    @Test func childDependsOnlyOnParentStateAndIndex() {
        let parent = SeededGenerator(seed: 99)
        var late = parent.child(3)
        for index: UInt64 in [7, 5, 0] { _ = parent.child(index) }
        var early = SeededGenerator(seed: 99).child(3)
        #expect((0..<10).map { _ in late.next() } == (0..<10).map { _ in early.next() })
        var unchanged = parent, fresh = SeededGenerator(seed: 99)
        #expect(unchanged.next() == fresh.next())
    }

    @Test func childrenDifferFromEachOtherAndFromTheParent() {
        let parent = SeededGenerator(seed: 5)
        var firsts = Set<UInt64>()
        for index: UInt64 in 0..<1_000 {
            var child = parent.child(index)
            firsts.insert(child.next())
        }
        var copy = parent
        firsts.insert(copy.next())
        #expect(firsts.count == 1_001)
        var other = SeededGenerator(seed: 6).child(0), same = parent.child(0)
        #expect(other.next() != same.next())
    }

    @Test func childStreamsAreUncorrelated() {
        let n = 20_000
        let parent = SeededGenerator(seed: 2026)
        var streams = [parent] + (0..<3).map { parent.child(UInt64($0)) }
        var split = parent
        streams.append(split.split())
        let samples = streams.indices.map { i in (0..<n).map { _ in streams[i].nextUniform() } }
        // Under independence the sample correlation is ≈ N(0, 1/n): allow 5 standard errors.
        let bound = 5 / Double(n).squareRoot()
        for i in samples.indices {
            for j in samples.indices where j > i {
                #expect(abs(correlation(samples[i], samples[j])) < bound, "streams \(i) and \(j)")
            }
        }
        // Lagged correlation of a child with the parent (one stream shifted by one draw).
        #expect(abs(correlation(Array(samples[0].dropFirst()), Array(samples[1].dropLast()))) < bound)
    }

    @Test func splitAdvancesTheParentAndGivesDistinctStreams() {
        var parent = SeededGenerator(seed: 3)
        var first = parent.split(), second = parent.split()
        #expect(first.next() != second.next())
        var fresh = SeededGenerator(seed: 3)
        _ = fresh.next()
        _ = fresh.next()
        #expect(parent.next() == fresh.next())
    }

    // MARK: - Checkpoints

    @Test func codableRoundTripContinuesTheStream() throws {
        var g = SeededGenerator(seed: 11)
        for _ in 0..<10 { _ = g.next() }
        let data = try JSONEncoder().encode(g)
        var restored = try StrictJSONDecoder().decode(SeededGenerator.self, from: data, source: "checkpoint.json")
        #expect(restored == g)
        #expect((0..<5).map { _ in restored.next() } == (0..<5).map { _ in g.next() })
    }

    @Test func allZeroStateIsRejected() {
        let text = "{\"seed\": 1, \"s0\": 0, \"s1\": 0, \"s2\": 0, \"s3\": 0}"
        let error = failure { try StrictJSONDecoder().decode(SeededGenerator.self, from: text, source: "c.json") }
        #expect(error?.description.contains("all zero") == true)
    }
}
