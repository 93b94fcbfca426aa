import CSQLite
import Dispatch
import Foundation
import Synchronization

/// Checkpoints a WAL database from its own connection and thread, every 25 ms: a passive
/// checkpoint never blocks writers, so commits keep one fsync each. Stops when the owning
/// store is released.
///
/// A passive checkpoint never catches up with a writer that commits while it runs, and the
/// WAL is rewritten from its start only once one has; so past `restartFrames` it asks the
/// writer (``catchUpRequested``) to run a passive checkpoint itself between two commits,
/// which copies only the few frames written since this thread's last pass and lets the next
/// commit restart the WAL. A RESTART checkpoint from this thread did the same but held every
/// commit back while it waited and copied: 40–110 ms stalls, dozens a minute at 20,000
/// decisions/s. It remains the fallback past four times the threshold.
///
/// Why so often: each checkpoint ends with an fsync of the database file, and a commit's fsync
/// that lands behind it waits for it. Once a second, at 20,000 decisions/s, that flush was about
/// 10 MB and commits stalled for tens of milliseconds; in the open-loop bench (20,000
/// decisions/s offered) p99 was 48–224 ms with a checkpoint a second, 10–95 ms every 100 ms,
/// and 5.3–13.6 ms every 25 ms (10 ms was no better). A larger restart threshold did not help.
final class WALCheckpointer: Sendable {
    /// Pause between checkpoints.
    static let intervalMicroseconds: UInt32 = 25_000

    final class Flag: Sendable { let value = Atomic<Bool>(false) }
    private let stopped = Flag()
    /// Set when the WAL has grown past ``restartFrames``; the writer clears it when it checkpoints.
    let catchUpRequested = Flag()
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter restartFrames: WAL frames (pages) past which the writer is asked to catch up.
    init(path: String, restartFrames: Int32) throws(EngineError) {
        let connection = try SQLiteConnection(path: path)
        // A connection learns that the database is in WAL mode only when it first reads it;
        // until then a checkpoint on it does nothing (and reports -1 frames), so the WAL would
        // grow without bound.
        try connection.execute("SELECT count(*) FROM sqlite_master;")
        // A restart checkpoint holds commits back while it waits for readers: give up soon.
        sqlite3_busy_timeout(connection.handle, 100)
        let box = ConnectionBox(connection)
        // Its own descriptor of the database file, to flush what its checkpoints copied.
        let database = open(path, O_RDONLY | O_CLOEXEC)
        let thread = Thread { [stopped, finished, catchUpRequested] in
            ThreadPriority.nameCurrentThread("attune-wal-ckpt")
            ThreadPriority.setCurrentThread(nice: ThreadPriority.background)
            var copied: Int32 = 0
            while !stopped.value.load(ordering: .relaxed) {
                usleep(WALCheckpointer.intervalMicroseconds)
                var logFrames: Int32 = 0, checkpointed: Int32 = 0
                let status = sqlite3_wal_checkpoint_v2(box.connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &checkpointed)
                // A passive checkpoint that does not reach the end of the log leaves its copies
                // unsynced, so the writer's catch-up checkpoint (which must sync the database
                // before the log restarts) flushed everything since the last restart, on the
                // commit path: 2.3 ms on average, up to 7 ms. Flushed here, it is 0.8 ms, up to 2 ms.
                if status == SQLITE_OK, database >= 0, checkpointed != copied {
                    copied = checkpointed
                    if checkpointed > 0 { fdatasync(database) }
                }
                guard status == SQLITE_OK, logFrames >= restartFrames else { continue }
                if logFrames < 4 * restartFrames {
                    catchUpRequested.value.store(true, ordering: .releasing)
                } else {
                    sqlite3_wal_checkpoint_v2(box.connection.handle, nil, SQLITE_CHECKPOINT_RESTART, &logFrames, &checkpointed)
                }
            }
            if database >= 0 { close(database) }
            finished.signal()
        }
        thread.start()
    }

    deinit {
        stopped.value.store(true, ordering: .relaxed)
        finished.wait()
    }
}

/// Moves the checkpointer's connection into its thread (used only there).
private final class ConnectionBox: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}
