import Foundation

/// Lines of a log copied out of the reader's buffer (each followed by a NUL byte, as
/// ``LineReader`` hands them over), so that they can be parsed on other threads.
struct LineBatch: Sendable {
    /// The lines' bytes, each followed by a NUL.
    private(set) var bytes: [UInt8] = []
    /// Start of each line in ``bytes``.
    private(set) var starts: [Int] = []
    /// Length of each line (without its NUL).
    private(set) var lengths: [Int] = []
    /// 1-based line numbers.
    private(set) var lineNumbers: [Int] = []

    /// The number of lines held.
    var count: Int { starts.count }

    /// Copies one line.
    /// - Complexity: O(line length) amortized.
    mutating func append(_ line: UnsafeBufferPointer<UInt8>, number: Int) {
        starts.append(bytes.count)
        lengths.append(line.count)
        lineNumbers.append(number)
        bytes.append(contentsOf: line)
        bytes.append(0)
    }

    /// Empties the batch, keeping its storage.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        lineNumbers.removeAll(keepingCapacity: true)
    }

    /// Each line parsed by a copy of `reader`, in order (a failure is kept in its place, so the
    /// first bad line in file order is the one reported).
    /// - Complexity: O(batch bytes).
    func parse<R: DecisionLogReader>(with reader: R) -> [Result<LoggedRound?, EvaluationError>] {
        var reader = reader
        var results: [Result<LoggedRound?, EvaluationError>] = []
        results.reserveCapacity(count)
        bytes.withUnsafeBufferPointer { all in
            for k in 0..<count {
                let line = UnsafeBufferPointer(rebasing: all[starts[k]..<(starts[k] + lengths[k])])
                do throws(EvaluationError) {
                    results.append(.success(try reader.round(from: line, line: lineNumbers[k])))
                } catch {
                    results.append(.failure(error))
                }
            }
        }
        return results
    }
}

extension DecisionLog {
    /// Lines per batch handed to one thread.
    static let parallelBatchLines = 2048

    /// Streams the log at `path` into `builder`, parsing batches of lines on all cores and
    /// appending the rounds in file order on the calling thread. For readers without state
    /// across lines (each line parsed alone), so the result and the first error reported are
    /// those of a sequential read.
    /// - Throws: as ``read(path:format:defaultCandidateCount:)``.
    /// - Complexity: O(file size); memory O(threads · batch) besides the log.
    static func parallelStream<R: DecisionLogReader & Sendable>(
        path: String, reader: R, into builder: inout Builder, reserve: (Int) -> Int?
    ) throws(EvaluationError) {
        let threads = min(defaultThreadCount(), 8)
        var batches = [LineBatch](repeating: LineBatch(), count: threads)
        var filling = 0
        var reserved = false
        func drain(_ used: Int) throws(EvaluationError) {
            guard used > 0 else { return }
            var results = [[Result<LoggedRound?, EvaluationError>]](repeating: [], count: used)
            results.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                let work = batches
                DispatchQueue.concurrentPerform(iterations: used) { k in out[k] = work[k].parse(with: reader) }
            }
            for k in 0..<used {
                for (j, result) in results[k].enumerated() {
                    guard let round = try result.get() else { continue }
                    try builder.append(round, line: batches[k].lineNumbers[j])
                    if !reserved, builder.count == 1 {
                        reserved = true
                        if let rounds = reserve(batches[k].lengths[j]) { builder.reserveCapacity(rounds: rounds) }
                    }
                }
                batches[k].removeAll()
            }
        }
        try LineReader.forEachLine(path: path) { line, bytes throws(EvaluationError) in
            batches[filling].append(bytes, number: line)
            if batches[filling].count == parallelBatchLines {
                filling += 1
                if filling == threads { try drain(threads); filling = 0 }
            }
        }
        try drain(batches[filling].count > 0 ? filling + 1 : filling)
    }
}
