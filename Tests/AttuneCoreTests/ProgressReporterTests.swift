import Dispatch
import Testing
import AttuneCore

@Suite struct ProgressLineTests {
    @Test func knownTotalShowsCountsPercentRateAndETA() {
        let line = ProgressLine(label: "simulating", completed: 12_345, total: 100_000, elapsedSeconds: 6)
        #expect(line.ratePerSecond == 12_345.0 / 6)
        // (100000 − 12345) / (12345 / 6) = 42.6 s
        #expect(abs((line.remainingSeconds ?? 0) - 42.602_673_146_962) < 1e-9)
        #expect(line.rendered() == "simulating  12,345/100,000  12.3%  2.06k/s  ETA 42s")
    }

    @Test func unknownTotalShowsElapsedTime() {
        let line = ProgressLine(label: "reading events", completed: 1_234_567, total: nil, elapsedSeconds: 125)
        #expect(line.remainingSeconds == nil && line.fractionCompleted == nil)
        #expect(line.rendered() == "reading events  1,234,567  9.88k/s  2m05s")
    }

    @Test func finishedWorkShowsElapsedTimeNotETA() {
        let line = ProgressLine(label: "fit", completed: 10, total: 10, elapsedSeconds: 3_725)
        #expect(line.rendered() == "fit  10/10  100.0%  0.00/s  1h02m")
    }

    @Test func nothingDoneYetHasNoRateOrETA() {
        let line = ProgressLine(label: "x", completed: 0, total: 5, elapsedSeconds: 0)
        #expect(line.ratePerSecond == nil && line.remainingSeconds == nil)
        #expect(line.rendered() == "x  0/5  0.0%  ETA ?")
    }

    @Test func renderingIsCutToTheWidth() {
        let line = ProgressLine(label: String(repeating: "a", count: 100), completed: 1, total: nil, elapsedSeconds: 1)
        #expect(line.rendered(width: 79).count == 79)
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1_000, "1,000"), (-1_234_567, "-1,234,567")])
    func groupedCounts(value: Int, expected: String) {
        #expect(ProgressLine.grouped(value) == expected)
    }

    @Test(arguments: [(0.5, "0.50"), (12.34, "12.3"), (999.4, "999"), (999.6, "1.00k"), (2_060, "2.06k"), (45_000_000, "45.0M"), (123_456_789, "123M")])
    func compactRates(value: Double, expected: String) {
        #expect(ProgressLine.compact(value) == expected)
    }

    @Test(arguments: [(0.0, "0s"), (59.9, "59s"), (60, "1m00s"), (3_599, "59m59s"), (3_600, "1h00m"), (90_061, "1d01h"), (-1, "?"), (.infinity, "?")])
    func durations(seconds: Double, expected: String) {
        #expect(ProgressLine.duration(seconds) == expected)
    }
}

@Suite struct ProgressReporterTests {
    @Test func disabledReporterCountsButWritesNothing() {
        let (output, captured) = TextOutput.capturing()
        let reporter = ProgressReporter(label: "x", total: 10, output: output, isEnabled: false, minimumRedrawInterval: .zero)
        for _ in 0..<10 { reporter.advance() }
        reporter.finish()
        #expect(reporter.completed == 10)
        #expect(captured.text.isEmpty)
    }

    @Test func enabledReporterRedrawsOneLineAndEndsIt() {
        let (output, captured) = TextOutput.capturing()
        let reporter = ProgressReporter(label: "x", total: 3, output: output, isEnabled: true, minimumRedrawInterval: .zero)
        for _ in 0..<3 { reporter.advance() }
        reporter.finish()
        reporter.finish()
        let draws = captured.text.split(separator: "\r", omittingEmptySubsequences: true)
        #expect(draws.count == 4)
        #expect(draws.allSatisfy { $0.contains("\u{1B}[K") })
        #expect(draws[0].hasPrefix("x  1/3  33.3%"))
        #expect(draws[3].hasPrefix("x  3/3  100.0%"))
        #expect(captured.text.filter { $0 == "\n" }.count == 1)
        #expect(captured.text.hasSuffix("\n"))
    }

    @Test func redrawsAreRateLimited() {
        let (output, captured) = TextOutput.capturing()
        let reporter = ProgressReporter(label: "x", total: nil, output: output, isEnabled: true, minimumRedrawInterval: .seconds(3_600))
        for _ in 0..<1_000 { reporter.advance() }
        #expect(captured.text.filter { $0 == "\r" }.count == 1)
        reporter.finish()
        #expect(captured.text.filter { $0 == "\r" }.count == 2)
        #expect(captured.text.contains("x  1,000  "))
    }

    @Test func concurrentAdvancesAreAllCounted() {
        let (output, captured) = TextOutput.capturing()
        let reporter = ProgressReporter(label: "x", total: 8_000, output: output, isEnabled: true, minimumRedrawInterval: .zero)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1_000 { reporter.advance() }
        }
        reporter.finish()
        #expect(reporter.completed == 8_000)
        // Every draw is whole: draws never interleave.
        for draw in captured.text.split(separator: "\r") {
            #expect(draw.hasPrefix("x  ") && draw.contains("\u{1B}[K"))
        }
        #expect(captured.text.hasSuffix("\u{1B}[K\n"))
        #expect(captured.text.contains("8,000/8,000"))
    }

    @Test func contextDisablesProgressWhenNotATerminalOrQuiet() {
        let context = CommandContext(commandPath: ["t"], errorsIsTerminal: false)
        #expect(!context.makeProgressReporter(label: "x", total: nil, quiet: false).isEnabled)
        let terminal = CommandContext(commandPath: ["t"], errorsIsTerminal: true)
        #expect(terminal.makeProgressReporter(label: "x", total: nil, quiet: false).isEnabled)
        #expect(!terminal.makeProgressReporter(label: "x", total: nil, quiet: true).isEnabled)
    }
}
