#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

extension DecisionLog {
    /// Bytes read from the file at a time (a chunk grows when one line is longer).
    static let parallelChunkBytes = 8 << 20
    /// Lines per piece of a chunk handed to one thread.
    static let parallelPieceLines = 1024

    /// Streams the Attune log at `path` into `builder`: chunks of the file are cut into pieces
    /// of whole lines, the pieces are parsed and checked on all cores (``ParsedPiece``), and
    /// their rounds are stored in file order on the calling thread. Lines are independent, so
    /// the log and the first error reported are those of a sequential read.
    /// - Throws: as ``read(path:format:defaultCandidateCount:)``.
    /// - Complexity: O(file size); memory O(chunk) besides the log.
    static func parallelRead(
        path: String, into builder: inout Builder, parsing: LineParsing, threads: Int = defaultThreadCount(),
        chunkBytes: Int = parallelChunkBytes
    ) throws(EvaluationError) {
        guard let file = fopen(path, "rb") else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        let fileBytes = fileSize(path)
        let source = builder.source, defaultCount = builder.defaultCandidateCount
        var buffer = [UInt8](repeating: 0, count: max(chunkBytes, 1) + 1)
        var pieces: [ParsedPiece] = []
        var bounds: [(start: Int, end: Int, firstLine: Int)] = []
        var filled = 0, lineNumber = 0, atEnd = false, reserved = false
        while !atEnd {
            if filled == buffer.count - 1 {  // one line longer than the buffer: grow it
                buffer.append(contentsOf: repeatElement(0, count: buffer.count - 1))
            }
            let wanted = buffer.count - 1 - filled
            let read = buffer.withUnsafeMutableBufferPointer { b in fread(b.baseAddress! + filled, 1, wanted, file) }
            if read < wanted {
                if ferror(file) != 0 { throw .unreadableFile(path: path, reason: "read error after line \(lineNumber)") }
                atEnd = true
            }
            filled += read
            // Whole lines only (all of the rest at the end of the file), cut into pieces.
            bounds.removeAll(keepingCapacity: true)
            let complete = buffer.withUnsafeMutableBufferPointer { b -> Int in
                let base = b.baseAddress!
                var start = 0, pieceStart = 0, pieceLines = 0
                while start < filled, let hit = memchr(base + start, 0x0A, filled - start) {
                    start = UnsafeMutablePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
                    pieceLines += 1
                    if pieceLines == parallelPieceLines {
                        bounds.append((pieceStart, start, lineNumber + 1))
                        lineNumber += pieceLines
                        pieceStart = start
                        pieceLines = 0
                    }
                }
                if atEnd, start < filled { start = filled; pieceLines += 1 }
                if pieceLines > 0 {
                    bounds.append((pieceStart, start, lineNumber + 1))
                    lineNumber += pieceLines
                }
                base[filled] = 0
                return start
            }
            if bounds.count > pieces.count { pieces += Array(repeating: ParsedPiece(), count: bounds.count - pieces.count) }
            let cuts = bounds, used = bounds.count
            buffer.withUnsafeMutableBufferPointer { b in
                nonisolated(unsafe) let base = b.baseAddress!
                pieces.withUnsafeMutableBufferPointer { out in
                    nonisolated(unsafe) let out = out
                    if threads <= 1 || used <= 1 {
                        for k in 0..<used {
                            out[k].parse(base, from: cuts[k].start, to: cuts[k].end, firstLine: cuts[k].firstLine,
                                         source: source, defaultCandidateCount: defaultCount, parsing: parsing)
                        }
                    } else {
                        DispatchQueue.concurrentPerform(iterations: used) { k in
                            out[k].parse(base, from: cuts[k].start, to: cuts[k].end, firstLine: cuts[k].firstLine,
                                         source: source, defaultCandidateCount: defaultCount, parsing: parsing)
                        }
                    }
                }
            }
            for k in 0..<used {
                let piece = pieces[k]
                for row in piece.rows {
                    try piece.withFields(of: row) { fields throws(EvaluationError) in
                        try builder.store(fields, row.checked, line: row.line)
                    }
                    if !reserved, builder.count == 1 {
                        // Lines of a log have similar lengths: reserve the columns for the
                        // rounds the file's size suggests instead of growing them by copies.
                        reserved = true
                        if let fileBytes { builder.reserveCapacity(rounds: Int(Double(fileBytes) / Double(row.byteCount + 1) * 1.05)) }
                    }
                }
                if let failure = piece.failure { throw failure }
            }
            // Move the partial last line to the front for the next read.
            let leftover = filled - complete
            if leftover > 0, complete > 0 {
                buffer.withUnsafeMutableBufferPointer { b in _ = memmove(b.baseAddress!, b.baseAddress! + complete, leftover) }
            }
            filled = leftover
        }
    }
}
