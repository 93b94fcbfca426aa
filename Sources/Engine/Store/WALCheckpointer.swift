import CSQLite
import Dispatch
import Foundation
import Synchronization

/// Checkpoints a WAL database from its own connection and thread, once a second while the WAL
/// holds frames: a passive checkpoint never blocks writers, so commits keep one fsync each.
/// Stops when the owning store is released.
final class WALCheckpointer: Sendable {
    private final class Flag: Sendable { let value = Atomic<Bool>(false) }
    private let stopped = Flag()
    private let finished = DispatchSemaphore(value: 0)

    /// WAL frames (pages) above which the WAL is restarted: 16,384 × 4 KiB = 64 MiB.
    static let restartFrames: Int32 = 16_384

    init(path: String) throws(EngineError) {
        let connection = try SQLiteConnection(path: path)
        // A connection opens the WAL at its first read; until then a checkpoint through it is a
        // silent no-op (the database file was never written back and the WAL grew without bound).
        try connection.execute("SELECT count(*) FROM sqlite_master;")
        let box = ConnectionBox(connection)
        let thread = Thread { [stopped, finished] in
            while !stopped.value.load(ordering: .relaxed) {
                for _ in 0..<20 where !stopped.value.load(ordering: .relaxed) { usleep(50_000) }
                var logFrames: Int32 = 0, checkpointed: Int32 = 0
                sqlite3_wal_checkpoint_v2(box.connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &checkpointed)
                // Under steady writes a passive checkpoint never catches up with the writer, so the
                // WAL is never reused and grows without bound (with its index, mapped in memory).
                // Past a size, a restarting checkpoint briefly holds the writers (it copies only
                // the frames written since the passive one) so that the next commit starts the WAL over.
                if logFrames >= Self.restartFrames {
                    sqlite3_wal_checkpoint_v2(box.connection.handle, nil, SQLITE_CHECKPOINT_RESTART, &logFrames, &checkpointed)
                }
            }
            finished.signal()
        }
        thread.name = "attune-wal-checkpoint"
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
