import Foundation
import Linalg

/// Reads a numeric feature matrix: CSV with a header of column names (an optional first
/// column `customer_id` or `id` holds row identifiers), or a NumPy `.npy` array (versions
/// 1–3, little-endian `f8`, `f4`, `i8` or `i4`, C or Fortran order, 1-D or 2-D).
public enum FeatureMatrixReader {
    /// A matrix with its column names and row identifiers.
    public struct Table: Sendable {
        /// Row identifiers (`"0"`, `"1"`, … when the input has none).
        public var rowIDs: [String]
        /// Column names (`x0`, `x1`, … for `.npy`).
        public var names: [String]
        /// The values, one row per identifier.
        public var matrix: Matrix
    }

    /// Reads the file at `path`, choosing the format by extension (`.npy` or CSV).
    /// - Throws: ``SegmentationError/unreadableFile(path:reason:)``,
    ///   ``SegmentationError/malformedEvent(_:)`` naming the line and column of a bad cell,
    ///   ``SegmentationError/invalidHeader(reason:)``.
    public static func read(path: String) throws(SegmentationError) -> Table {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        if path.lowercased().hasSuffix(".npy") { return try npy(Array(data), path: path) }
        return try csv(Array(data))
    }

    /// Parses CSV bytes.
    /// - Throws: as ``read(path:)``.
    public static func csv(_ bytes: [UInt8]) throws(SegmentationError) -> Table {
        var names: [String] = []
        var ids: [String] = []
        var values: [Double] = []
        var hasIDs = false
        var scratch: [UInt8] = []
        var lines = LineReader(quoteAware: true)
        defer { lines.deallocate() }
        try lines.forEachLine(bytes: bytes) { (line, number) throws(SegmentationError) in
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return true }
            var cells: [String] = []
            if names.isEmpty {
                try CSVLineParser.forEachCell(line, line: number, scratch: &scratch) { (cell, _) throws(SegmentationError) in
                    cells.append(String(decoding: cell, as: UTF8.self).trimmingASCIIWhitespace())
                }
                hasIDs = ["customer_id", "id"].contains(cells.first?.lowercased() ?? "")
                names = hasIDs ? Array(cells.dropFirst()) : cells
                guard !names.isEmpty else { throw .invalidHeader(reason: "no feature columns") }
                return true
            }
            var column = 0
            let expected = names.count + (hasIDs ? 1 : 0)
            try CSVLineParser.forEachCell(line, line: number, scratch: &scratch) { (cell, _) throws(SegmentationError) in
                defer { column += 1 }
                guard column < expected else { return }
                if hasIDs && column == 0 {
                    ids.append(String(decoding: cell, as: UTF8.self))
                    return
                }
                let name = names[column - (hasIDs ? 1 : 0)]
                guard let v = NumberParser.parse(cell), v.isFinite else {
                    throw .malformedEvent(.init(line: number, field: name, reason: "expected a finite number, got \"\(String(decoding: cell, as: UTF8.self))\""))
                }
                values.append(v)
            }
            guard column == expected else {
                throw .malformedEvent(.init(line: number, reason: "\(column) cells, the header has \(expected) columns"))
            }
            if !hasIDs { ids.append(String(ids.count)) }
            return true
        }
        guard !names.isEmpty else { throw .invalidHeader(reason: "the input is empty") }
        let matrix = (try? Matrix(rows: ids.count, columns: names.count, elements: values)) ?? Matrix(rows: 0, columns: names.count)
        return Table(rowIDs: ids, names: names, matrix: matrix)
    }

    /// Parses `.npy` bytes.
    /// - Throws: ``SegmentationError/invalidHeader(reason:)`` for an unsupported array.
    public static func npy(_ b: [UInt8], path: String = "array") throws(SegmentationError) -> Table {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard b.count >= 10, Array(b[0..<6]) == magic else { throw .invalidHeader(reason: "\(path) is not a NumPy .npy file") }
        let major = b[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(b[8]) | Int(b[9]) << 8
            headerStart = 10
        } else {
            guard b.count >= 12 else { throw .invalidHeader(reason: "truncated .npy header") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            headerStart = 12
        }
        guard headerStart + headerLength <= b.count else { throw .invalidHeader(reason: "truncated .npy header") }
        let header = String(decoding: b[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let quote = descrField.dropFirst().firstIndex(of: "'") else {
            throw .invalidHeader(reason: ".npy header without descr")
        }
        let descr = String(descrField[descrField.index(after: descrField.startIndex)..<quote])
        let fortran = field("fortran_order")?.hasPrefix("True") ?? false
        guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("), let close = shapeField.firstIndex(of: ")") else {
            throw .invalidHeader(reason: ".npy header without shape")
        }
        let dims = shapeField[shapeField.index(after: open)..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 1 || dims.count == 2 else { throw .invalidHeader(reason: ".npy array must be 1-D or 2-D, got shape \(dims)") }
        let rows = dims[0], columns = dims.count == 2 ? dims[1] : 1
        let width: Int
        switch descr {
        case "<f8", "<i8": width = 8
        case "<f4", "<i4": width = 4
        default: throw .invalidHeader(reason: "unsupported .npy dtype \(descr); use little-endian float64, float32, int64 or int32")
        }
        let dataStart = headerStart + headerLength
        guard b.count - dataStart >= rows * columns * width else { throw .invalidHeader(reason: "truncated .npy data") }
        var values = [Double](repeating: 0, count: rows * columns)
        b.withUnsafeBytes { raw in
            for k in 0..<(rows * columns) {
                let offset = dataStart + k * width
                let v: Double
                switch descr {
                case "<f8": v = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case "<f4": v = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                case "<i8": v = Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                default: v = Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                }
                // Fortran order stores columns contiguously.
                let (i, j) = fortran ? (k % rows, k / rows) : (k / columns, k % columns)
                values[i * columns + j] = v
            }
        }
        for (k, v) in values.enumerated() where !v.isFinite { throw .nonFiniteValue(row: k / max(1, columns), column: k % max(1, columns)) }
        let matrix = (try? Matrix(rows: rows, columns: columns, elements: values)) ?? Matrix(rows: 0, columns: columns)
        return Table(rowIDs: (0..<rows).map(String.init), names: (0..<columns).map { "x\($0)" }, matrix: matrix)
    }
}
