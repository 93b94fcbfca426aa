import Foundation

/// Output format of results on stdout.
enum OutputFormat: String, Sendable {
    /// JSON Lines: one object per task, written as soon as the task finishes.
    case json
    /// An aligned table, written when the suite finishes.
    case table

    /// JSON when stdout is a pipe or a file, a table on a terminal.
    static var automatic: OutputFormat { isatty(STDOUT_FILENO) != 0 ? .table : .json }
}

/// Writes results to stdout and progress to stderr.
final class ResultWriter {
    let format: OutputFormat
    private var pending: [BenchmarkRecord] = []

    init(format: OutputFormat) {
        self.format = format
    }

    /// Emits one result (JSON at once; table rows at ``finish()``).
    func emit(_ record: BenchmarkRecord) {
        switch format {
        case .json:
            print(record.jsonLine)
            fflush(nil)  // nil flushes every stream; `stdout` is a global var Swift 6 refuses
        case .table:
            pending.append(record)
        }
    }

    /// Prints the table of the pending rows (a no-op for JSON).
    func finish() {
        guard format == .table, !pending.isEmpty else { return }
        print(Self.table(pending))
        pending.removeAll()
    }

    /// A progress line on stderr.
    static func progress(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Rows aligned in columns; the columns are every field name in order of first appearance,
    /// text left-aligned, numbers right-aligned.
    static func table(_ records: [BenchmarkRecord]) -> String {
        var columns: [String] = []
        for record in records {
            for field in record.fields where !columns.contains(field.name) { columns.append(field.name) }
        }
        let cells: [[String]] = records.map { record in columns.map { record[$0]?.text ?? "-" } }
        let numeric: [Bool] = columns.map { column in
            records.allSatisfy { record in
                switch record[column] {
                case .string?, .bool?: return false
                default: return true
                }
            }
        }
        var widths = columns.map(\.count)
        for row in cells {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func pad(_ s: String, _ i: Int) -> String {
            let fill = String(repeating: " ", count: widths[i] - s.count)
            return numeric[i] ? fill + s : s + fill
        }
        var lines = [columns.indices.map { pad(columns[$0], $0) }.joined(separator: "  ")]
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in cells {
            lines.append(row.indices.map { pad(row[$0], $0) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
