/// A table of text for `--format table` output: a header row, aligned columns, and a rule
/// under the header.
///
/// ```
/// var table = TextTable(columns: [.init("policy"), .init("mean_reward", alignment: .right)])
/// table.append(["linucb", TextTable.number(0.1234, digits: 3)])
/// table.append(["random", TextTable.number(0.05, digits: 3)])
/// context.output.write(table.rendered())
/// // policy  mean_reward
/// // ------  -----------
/// // linucb        0.123
/// // random        0.050
/// ```
/// Column headers should be the JSON field names of the same result, so that people and
/// scripts read the same words.
public struct TextTable: Sendable, Hashable {
    /// How a column's cells are aligned.
    public enum Alignment: Sendable, Hashable {
        /// Text, padded on the right.
        case left
        /// Numbers, padded on the left.
        case right
    }

    /// A column: its header and alignment.
    public struct Column: Sendable, Hashable {
        /// The header text.
        public var header: String
        /// How cells are aligned.
        public var alignment: Alignment

        /// Creates a column.
        public init(_ header: String, alignment: Alignment = .left) {
            self.header = header
            self.alignment = alignment
        }
    }

    /// The columns, in order.
    public var columns: [Column]
    /// The rows; each has one cell per column (missing cells print empty, extra ones are dropped).
    public private(set) var rows: [[String]] = []

    /// Creates an empty table with the given columns.
    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Appends a row of cells.
    public mutating func append(_ cells: [String]) {
        rows.append(cells)
    }

    /// The table as text: columns separated by two spaces, trailing spaces removed, one line
    /// per row, ending with a newline.
    /// - Complexity: O(total characters).
    public func rendered() -> String {
        var widths = columns.map(\.header.count)
        for row in rows {
            for (index, cell) in row.prefix(columns.count).enumerated() {
                widths[index] = Swift.max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, column) in columns.enumerated() {
                let cell = index < cells.count ? cells[index] : ""
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                parts.append(column.alignment == .left ? cell + padding : padding + cell)
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = [line(columns.map(\.header)), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `value` with a fixed number of decimals (`0.1234` → `0.123`); `nan`, `inf` and `-inf`
    /// print as such.
    public static func number(_ value: Double, digits: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return ProgressLine.fixed(value, digits: Swift.max(0, Swift.min(digits, 17)))
    }
}
