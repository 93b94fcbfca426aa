import Foundation

// MARK: - Values

/// One field value of a result line.
enum FieldValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    /// The JSON text of the value (non-finite numbers become `null`).
    var json: String {
        switch self {
        case .string(let s): return BenchmarkRecord.quote(s)
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? Self.format(d) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// A short human form for tables.
    var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "-" }
            let magnitude = abs(d)
            if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) { return String(format: "%.3g", d) }
            if magnitude >= 1000 { return String(format: "%.0f", d) }
            if magnitude >= 10 { return String(format: "%.1f", d) }
            return String(format: "%.3f", d)
        case .bool(let b): return b ? "yes" : "no"
        case .null: return "-"
        }
    }

    /// Shortest round-tripping form for large values, 6 significant digits otherwise.
    private static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(format: "%.6g", d)
    }
}

// MARK: - Records

/// One result line: ordered fields, written as one JSON object or one table row.
struct BenchmarkRecord: Sendable {
    /// Field names and values in output order.
    private(set) var fields: [(name: String, value: FieldValue)] = []

    init() {}

    /// Sets (or replaces) a field, keeping the first position it was set at.
    subscript(name: String) -> FieldValue? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let i = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[i].value = newValue } else { fields.remove(at: i) }
            } else if let newValue {
                fields.append((name, newValue))
            }
        }
    }

    /// Numeric value of a field, if it has one.
    func number(_ name: String) -> Double? {
        switch self[name] {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The record as one line of JSON.
    var jsonLine: String {
        "{" + fields.map { "\(Self.quote($0.name)):\($0.value.json)" }.joined(separator: ",") + "}"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

// MARK: - Peer comparison

extension BenchmarkRecord {
    /// Adds a peer's time for the same task: `peer`, `peer_median_ns` and `ratio` = peer time /
    /// Attune time (above 1 means Attune is faster).
    mutating func addPeer(_ name: String, medianNanoseconds peerTime: Double, attuneField: String = "median_ns") {
        self["peer"] = .string(name)
        self["peer_median_ns"] = .double(peerTime)
        if let mine = number(attuneField), mine > 0, peerTime > 0 {
            self["ratio"] = .double(peerTime / mine)
        }
    }
}
