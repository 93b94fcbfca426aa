#ifndef ATTUNE_CSQLITEWALBUFFER_H
#define ATTUNE_CSQLITEWALBUFFER_H

#include <stdint.h>

/// The name of a SQLite VFS that gathers the writes to a WAL file and hands them to the
/// operating system as one write per 124 KiB, just before the file is synced.
///
/// SQLite writes each WAL frame as two writes (its 24-byte header, then the page), so a commit
/// of n pages costs 2n `pwrite` calls and then one `fdatasync`. Through this VFS the same commit
/// is one `pwrite` per 124 KiB and one `fdatasync`. Everything else (the database file, its shared-memory
/// index, locks, journals) goes straight to the default VFS it wraps.
///
/// The frames reach the file no later than the sync that makes them durable, and before any
/// read, size query, truncation, file control or close of the same file. It is therefore meant
/// for connections with `PRAGMA synchronous=FULL`, where every commit syncs the WAL before
/// other connections may read its frames (with `NORMAL`, frames could sit in the buffer after
/// their commit, unseen by other connections).
///
/// Registers the VFS on first call (not as the default) and returns its name, or NULL when the
/// default VFS cannot be found or registration fails. Thread-safe.
const char *attune_sqlite_wal_buffer_vfs(void);

/// Writes handed to the operating system for WAL files opened through the VFS, and the writes
/// SQLite made to them, since the process started (for benchmarks and tests).
void attune_sqlite_wal_buffer_counts(uint64_t *os_writes, uint64_t *sqlite_writes);

#endif
