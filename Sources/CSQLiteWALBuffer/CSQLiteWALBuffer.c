#include "CSQLiteWALBuffer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>

/// Writes gathered up to this size before they are handed on, so a large commit is written in
/// pieces of this size: the unix VFS writes at most 128 KiB - 1 bytes per call (it masks the
/// length with 0x1ffff, and a longer write comes back as SQLITE_FULL), and the pages SQLite
/// writes are at most 64 KiB, so this is the largest multiple of 4 KiB that it takes whole.
#define BUFFER_CAPACITY (124 << 10)

/// A WAL file opened through the VFS: the gathered writes, then the default VFS's own file
/// (`szOsFile` bytes), which every call is forwarded to.
typedef struct buffered_file {
    sqlite3_file base;
    /// The default VFS's file, laid out after this struct.
    sqlite3_file *real;
    /// Bytes gathered for offset `start` onward, contiguous; `length` 0 when empty.
    unsigned char *buffer;
    sqlite3_int64 start;
    int length;
} buffered_file;

static sqlite3_vfs *root;
static const char *registered_name;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t os_writes, sqlite_writes;

/// Hands the gathered bytes to the real file, as one write.
static int flush(buffered_file *f) {
    if (f->length == 0) return SQLITE_OK;
    int rc = f->real->pMethods->xWrite(f->real, f->buffer, f->length, f->start);
    atomic_fetch_add_explicit(&os_writes, 1, memory_order_relaxed);
    // Dropped on failure too: SQLite rolls the commit back and writes its frames again.
    f->length = 0;
    return rc;
}

static int buffered_close(sqlite3_file *file) {
    buffered_file *f = (buffered_file *)file;
    int rc = flush(f);
    int closed = f->real->pMethods->xClose(f->real);
    sqlite3_free(f->buffer);
    f->buffer = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int buffered_read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset) {
    buffered_file *f = (buffered_file *)file;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, amount, offset);
}

static int buffered_write(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    buffered_file *f = (buffered_file *)file;
    atomic_fetch_add_explicit(&sqlite_writes, 1, memory_order_relaxed);
    int appends = f->length > 0 && offset == f->start + f->length;
    if (!appends || f->length + amount > BUFFER_CAPACITY) {
        int rc = flush(f);
        if (rc != SQLITE_OK) return rc;
    }
    if (f->buffer == NULL) f->buffer = sqlite3_malloc(BUFFER_CAPACITY);
    // Larger than the buffer (never, with pages of at most 64 KiB), or out of memory: written as it comes.
    if (amount > BUFFER_CAPACITY || f->buffer == NULL) {
        atomic_fetch_add_explicit(&os_writes, 1, memory_order_relaxed);
        return f->real->pMethods->xWrite(f->real, data, amount, offset);
    }
    if (f->length == 0) f->start = offset;
    memcpy(f->buffer + f->length, data, (size_t)amount);
    f->length += amount;
    return SQLITE_OK;
}

static int buffered_truncate(sqlite3_file *file, sqlite3_int64 size) {
    buffered_file *f = (buffered_file *)file;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int buffered_sync(sqlite3_file *file, int flags) {
    buffered_file *f = (buffered_file *)file;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int buffered_file_size(sqlite3_file *file, sqlite3_int64 *size) {
    buffered_file *f = (buffered_file *)file;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int buffered_lock(sqlite3_file *file, int level) {
    buffered_file *f = (buffered_file *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int buffered_unlock(sqlite3_file *file, int level) {
    buffered_file *f = (buffered_file *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int buffered_check_reserved_lock(sqlite3_file *file, int *out) {
    buffered_file *f = (buffered_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int buffered_file_control(sqlite3_file *file, int op, void *argument) {
    buffered_file *f = (buffered_file *)file;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, argument);
}

static int buffered_sector_size(sqlite3_file *file) {
    buffered_file *f = (buffered_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int buffered_device_characteristics(sqlite3_file *file) {
    buffered_file *f = (buffered_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// SQLite maps no shared memory and no pages of a WAL file; the version-1 methods are all it calls.
static const sqlite3_io_methods buffered_methods = {
    1,
    buffered_close,
    buffered_read,
    buffered_write,
    buffered_truncate,
    buffered_sync,
    buffered_file_size,
    buffered_lock,
    buffered_unlock,
    buffered_check_reserved_lock,
    buffered_file_control,
    buffered_sector_size,
    buffered_device_characteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static int vfs_open(sqlite3_vfs *self, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    (void)self;
    if (!(flags & SQLITE_OPEN_WAL)) return root->xOpen(root, name, file, flags, out_flags);
    buffered_file *f = (buffered_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int rc = root->xOpen(root, name, f->real, flags, out_flags);
    // A failed open leaves pMethods NULL, so SQLite does not call xClose.
    if (rc == SQLITE_OK) f->base.pMethods = &buffered_methods;
    return rc;
}

// The rest of the VFS is the default's.
static int vfs_delete(sqlite3_vfs *self, const char *name, int sync_directory) {
    (void)self;
    return root->xDelete(root, name, sync_directory);
}
static int vfs_access(sqlite3_vfs *self, const char *name, int flags, int *out) {
    (void)self;
    return root->xAccess(root, name, flags, out);
}
static int vfs_full_pathname(sqlite3_vfs *self, const char *name, int size, char *out) {
    (void)self;
    return root->xFullPathname(root, name, size, out);
}
static void *vfs_dl_open(sqlite3_vfs *self, const char *name) { (void)self; return root->xDlOpen(root, name); }
static void vfs_dl_error(sqlite3_vfs *self, int size, char *out) { (void)self; root->xDlError(root, size, out); }
static void (*vfs_dl_sym(sqlite3_vfs *self, void *library, const char *symbol))(void) {
    (void)self;
    return root->xDlSym(root, library, symbol);
}
static void vfs_dl_close(sqlite3_vfs *self, void *library) { (void)self; root->xDlClose(root, library); }
static int vfs_randomness(sqlite3_vfs *self, int size, char *out) { (void)self; return root->xRandomness(root, size, out); }
static int vfs_sleep(sqlite3_vfs *self, int microseconds) { (void)self; return root->xSleep(root, microseconds); }
static int vfs_current_time(sqlite3_vfs *self, double *out) { (void)self; return root->xCurrentTime(root, out); }
static int vfs_get_last_error(sqlite3_vfs *self, int size, char *out) {
    (void)self;
    return root->xGetLastError ? root->xGetLastError(root, size, out) : 0;
}
static int vfs_current_time_int64(sqlite3_vfs *self, sqlite3_int64 *out) {
    (void)self;
    return root->xCurrentTimeInt64(root, out);
}

/// The VFS; its file size and path length are the default's, filled in at registration.
static sqlite3_vfs vfs = {
    .iVersion = 2,
    .zName = "attune-wal-buffer",
    .xOpen = vfs_open,
    .xDelete = vfs_delete,
    .xAccess = vfs_access,
    .xFullPathname = vfs_full_pathname,
    .xDlOpen = vfs_dl_open,
    .xDlError = vfs_dl_error,
    .xDlSym = vfs_dl_sym,
    .xDlClose = vfs_dl_close,
    .xRandomness = vfs_randomness,
    .xSleep = vfs_sleep,
    .xCurrentTime = vfs_current_time,
    .xGetLastError = vfs_get_last_error,
    .xCurrentTimeInt64 = vfs_current_time_int64,
};

static void register_vfs(void) {
    root = sqlite3_vfs_find(NULL);
    // Version 2 methods at least (xCurrentTimeInt64); the unix VFS is version 3.
    if (root == NULL || root->iVersion < 2) return;
    vfs.szOsFile = (int)sizeof(buffered_file) + root->szOsFile;
    vfs.mxPathname = root->mxPathname;
    if (sqlite3_vfs_register(&vfs, 0) == SQLITE_OK) registered_name = vfs.zName;
}

const char *attune_sqlite_wal_buffer_vfs(void) {
    pthread_once(&once, register_vfs);
    return registered_name;
}

void attune_sqlite_wal_buffer_counts(uint64_t *os, uint64_t *sqlite) {
    *os = atomic_load_explicit(&os_writes, memory_order_relaxed);
    *sqlite = atomic_load_explicit(&sqlite_writes, memory_order_relaxed);
}
