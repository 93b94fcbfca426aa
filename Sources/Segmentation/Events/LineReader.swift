import Foundation

/// Reads a byte source in fixed-size chunks and hands out one line (record) at a time,
/// so memory stays constant in the length of the input: one chunk plus the longest line.
///
/// With `quoteAware`, a line break inside an open double quote (a CSV cell spanning lines)
/// does not end the record; quote parity decides, which RFC 4180's `""` escape respects.
struct LineReader {
    private var buffer: UnsafeMutableRawBufferPointer
    private let quoteAware: Bool

    /// Creates a reader with a chunk of `chunkSize` bytes (at least 64).
    init(chunkSize: Int = 1 << 20, quoteAware: Bool) {
        buffer = .allocate(byteCount: max(64, chunkSize), alignment: 16)
        self.quoteAware = quoteAware
    }

    /// Releases the chunk buffer.
    func deallocate() { buffer.deallocate() }

    /// Calls `body(line, lineNumber)` for every line of the file at `path` (`"-"` reads
    /// standard input). Lines exclude their terminator (`\n`; a trailing `\r` is left for the
    /// parser, which ignores it). `body` returns `false` to stop early.
    /// - Throws: ``SegmentationError/unreadableFile(path:reason:)``, or what `body` throws.
    ///
    /// Lines stay valid until `willMoveLines` is called (before the buffer is compacted or
    /// refilled), so a caller may hold on to several lines of one chunk and release them there.
    mutating func forEachLine(
        path: String, willMoveLines: () throws(SegmentationError) -> Void = {},
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(SegmentationError) -> Bool
    ) throws(SegmentationError) {
        let file: UnsafeMutablePointer<FILE>?
        file = path == "-" ? fdopen(dup(0), "rb") : fopen(path, "rb")
        guard let file else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        try forEachLine(read: { dest, count in
            let n = fread(dest, 1, count, file)
            if n == 0, ferror(file) != 0 { return -1 }
            return n
        }, path: path, willMoveLines: willMoveLines, body)
    }

    /// Calls `body` for every line of `bytes` (in-memory input, for tests and small documents).
    /// - Throws: what `body` throws.
    mutating func forEachLine(
        bytes: [UInt8], willMoveLines: () throws(SegmentationError) -> Void = {},
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(SegmentationError) -> Bool
    ) throws(SegmentationError) {
        var offset = 0
        try bytes.withUnsafeBufferPointer { (source) throws(SegmentationError) in
            try forEachLine(read: { dest, count in
                let n = min(count, source.count - offset)
                if n > 0, let base = source.baseAddress {
                    dest.copyMemory(from: base + offset, byteCount: n)
                }
                offset += n
                return n
            }, path: "input", willMoveLines: willMoveLines, body)
        }
    }

    /// The core loop over a `read(destination, capacity) -> bytes read (0 at the end, < 0 on error)` source.
    private mutating func forEachLine(
        read: (UnsafeMutableRawPointer, Int) -> Int, path: String, willMoveLines: () throws(SegmentationError) -> Void,
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(SegmentationError) -> Bool
    ) throws(SegmentationError) {
        var filled = 0  // bytes of valid data in the buffer
        var start = 0  // start of the current (incomplete) line
        var scanned = 0  // bytes of the current line already searched for a terminator
        var quoteOpen = false
        var lineNumber = 1
        var atEnd = false
        while true {
            // Find complete lines in [start, filled).
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var i = start + scanned
            while i < filled {
                if quoteAware {
                    let c = base[i]
                    if c == UInt8(ascii: "\"") { quoteOpen.toggle() }
                    if c != 0x0A || quoteOpen {
                        i += 1
                        continue
                    }
                } else {
                    guard let hit = memchr(base + i, 0x0A, filled - i) else {
                        i = filled
                        break
                    }
                    i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                }
                let line = UnsafeBufferPointer(start: base + start, count: i - start)
                let startLine = lineNumber
                if quoteAware {
                    for k in start..<i where base[k] == 0x0A { lineNumber += 1 }
                }
                lineNumber += 1
                guard try body(line, startLine) else { return }
                i += 1
                start = i
            }
            scanned = i - start
            if atEnd {
                if start < filled {
                    _ = try body(UnsafeBufferPointer(start: base + start, count: filled - start), lineNumber)
                }
                return
            }
            // Move the partial line to the front, growing the buffer for very long lines.
            try willMoveLines()
            let partial = filled - start
            if start > 0, partial > 0 {
                memmove(base, base + start, partial)
            }
            filled = partial
            start = 0
            if filled == buffer.count {
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                if let src = buffer.baseAddress { bigger.baseAddress?.copyMemory(from: src, byteCount: filled) }
                buffer.deallocate()
                buffer = bigger
            }
            guard let dest = buffer.baseAddress else { return }
            let n = read(dest + filled, buffer.count - filled)
            if n < 0 { throw .unreadableFile(path: path, reason: "read error") }
            if n == 0 { atEnd = true } else { filled += n }
        }
    }
}
