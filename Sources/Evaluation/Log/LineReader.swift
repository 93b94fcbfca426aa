#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the lines of a file in fixed-size chunks: memory stays bounded by the chunk size
/// plus the longest line, whatever the file's size.
///
/// Each line is handed over without its `\n` (and without a trailing `\r`), as bytes
/// followed by a NUL byte that is not part of the line, so that C number parsers can read
/// tokens in place.
struct LineReader {
    /// Size of one `fread`, in bytes.
    static let chunkSize = 1 << 20

    /// Calls `body(lineNumber, bytes)` for each line of the file at `path` (line numbers are
    /// 1-based; the bytes are valid only during the call).
    /// - Throws: `EvaluationError.unreadableFile` when the file cannot be opened or read,
    ///   and whatever `body` throws.
    /// - Complexity: O(file size); memory O(chunk size + longest line).
    static func forEachLine(
        path: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws(EvaluationError) -> Void
    ) throws(EvaluationError) {
        guard let file = fopen(path, "rb") else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: chunkSize + 1)
        var filled = 0  // bytes of `buffer` holding data (a partial line carried over, then new data)
        var lineNumber = 0
        var atEnd = false
        while !atEnd {
            if filled + chunkSize + 1 > buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: filled + chunkSize + 1 - buffer.count))
            }
            let read = buffer.withUnsafeMutableBufferPointer { b in
                fread(b.baseAddress! + filled, 1, chunkSize, file)
            }
            if read < chunkSize {
                if ferror(file) != 0 {
                    throw .unreadableFile(path: path, reason: "read error after line \(lineNumber)")
                }
                atEnd = true
            }
            filled += read
            var consumed = 0
            var failure: EvaluationError?
            buffer.withUnsafeMutableBufferPointer { b in
                let base = b.baseAddress!
                var start = 0
                while start < filled {
                    let remaining = filled - start
                    guard let hit = memchr(base + start, 0x0A, remaining) else { break }
                    let end = UnsafeMutablePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                    lineNumber += 1
                    if let error = emit(base, start, end, lineNumber, body) { failure = error; return }
                    start = end + 1
                }
                if atEnd, start < filled {
                    lineNumber += 1
                    if let error = emit(base, start, filled, lineNumber, body) { failure = error; return }
                    start = filled
                }
                consumed = start
            }
            if let failure { throw failure }
            // Move the partial last line to the front for the next read.
            if consumed > 0 {
                let leftover = filled - consumed
                if leftover > 0 {
                    buffer.withUnsafeMutableBufferPointer { b in
                        _ = memmove(b.baseAddress!, b.baseAddress! + consumed, leftover)
                    }
                }
                filled = leftover
            }
        }
    }

    private static func emit(
        _ base: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, _ lineNumber: Int,
        _ body: (Int, UnsafeBufferPointer<UInt8>) throws(EvaluationError) -> Void
    ) -> EvaluationError? {
        var stop = end
        if stop > start, base[stop - 1] == 0x0D { stop -= 1 }
        let saved = base[stop]
        base[stop] = 0
        defer { base[stop] = saved }
        do {
            try body(lineNumber, UnsafeBufferPointer(start: base + start, count: stop - start))
        } catch {
            return error
        }
        return nil
    }
}
