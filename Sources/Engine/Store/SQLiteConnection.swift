import CSQLite

/// A thin owner of one SQLite connection and its prepared statements (not thread-safe: the
/// store that owns it serializes access).
final class SQLiteConnection {
    let handle: OpaquePointer

    /// Opens (creating) the database at `path`; ":memory:" gives a private in-memory database.
    /// - Parameter vfs: the name of a registered SQLite VFS, or nil for the default.
    init(path: String, vfs: String? = nil) throws(EngineError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, vfs)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot allocate a connection"
            if let db { sqlite3_close_v2(db) }
            throw .storage(operation: "open \(path)", message: message)
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit { sqlite3_close_v2(handle) }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs one or more SQL statements that return no rows.
    func execute(_ sql: String) throws(EngineError) {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(message)
            throw .storage(operation: "run '\(sql.prefix(60))'", message: text)
        }
    }

    func prepare(_ sql: String) throws(EngineError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw .storage(operation: "prepare '\(sql.prefix(60))'", message: errorMessage)
        }
        return SQLiteStatement(handle: statement, connection: self)
    }

    var changes: Int32 { sqlite3_changes(handle) }
}

/// A prepared statement: bind, step, read columns, reset.
final class SQLiteStatement {
    let handle: OpaquePointer
    unowned let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    // SQLite must copy bound text and blobs: the Swift buffers do not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    // SQLite reads the caller's bytes in place (see the `borrowed…` binds).
    private static let `static` = unsafeBitCast(0, to: sqlite3_destructor_type.self)
    /// A valid address for zero bytes (a static string's storage, never written).
    private static var emptyText: UnsafeRawPointer { UnsafeRawPointer(("" as StaticString).utf8Start) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds text (copied by SQLite), without the temporary C string an implicit conversion makes.
    func bind(_ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(handle, index); return }
        _ = value.withUTF8 { utf8 in
            // A null pointer would bind NULL, not the empty string.
            sqlite3_bind_text(handle, index, utf8.baseAddress.map(UnsafeRawPointer.init) ?? Self.emptyText, Int32(utf8.count), Self.transient)
        }
    }

    /// Binds UTF-8 bytes as text without copying them (`SQLITE_STATIC`): the caller keeps them
    /// alive and unchanged until the statement has been stepped (or bound anew).
    func bind(_ index: Int32, borrowedText bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_text(handle, index, (bytes.baseAddress ?? Self.emptyText).assumingMemoryBound(to: CChar.self),
                          Int32(bytes.count), Self.static)
    }

    /// Binds bytes as a blob without copying them (`SQLITE_STATIC`); the same rule as text.
    func bind(_ index: Int32, borrowedBlob bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress ?? Self.emptyText, Int32(bytes.count), Self.static)
    }

    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    /// Runs a statement that returns no rows (a prepared `BEGIN`, `COMMIT` or `ROLLBACK`).
    func run(_ operation: @autoclosure () -> String) throws(EngineError) {
        sqlite3_reset(handle)
        _ = try step(operation())
        sqlite3_reset(handle)
    }

    /// Steps once: `true` when a row is available, `false` when done.
    func step(_ operation: @autoclosure () -> String) throws(EngineError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw .storage(operation: operation(), message: connection.errorMessage)
        }
    }

    func text(_ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let p = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: p)
    }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func int64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}
