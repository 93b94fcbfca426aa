import Engine
import Testing

@Suite("CheckpointScheduler")
struct CheckpointSchedulerTests {
    @Test func dueAfterEnoughInteractionsOrTimeButNeverWhenIdle() throws {
        var s = try CheckpointScheduler(everyInteractions: 3, intervalSeconds: 60, startingAt: 0)
        #expect(!s.isDue(at: 1_000))  // nothing happened since the start
        s.record(entries: 5, learned: 2)
        #expect(!s.isDue(at: 59))
        #expect(s.isDue(at: 60))
        s.record(entries: 1, learned: 1)
        #expect(s.isDue(at: 1))
        s.didCheckpoint(at: 1)
        #expect(!s.isDue(at: 500) && s.learnedSinceLast == 0 && s.lastCheckpoint == 1)
    }

    @Test(arguments: [(0, 60.0), (5, 0.0), (5, -1.0), (5, Double.nan)])
    func invalidThresholdsAreRefused(every: Int, interval: Double) {
        #expect(throws: EngineError.self) { try CheckpointScheduler(everyInteractions: every, intervalSeconds: interval, startingAt: 0) }
    }
}
