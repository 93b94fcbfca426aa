/// One step of a JSONPath: an object member or an array element.
public enum JSONPathComponent: Sendable, Hashable {
    /// An object member, by key.
    case key(String)
    /// An array element, by 0-based position.
    case index(Int)
}

/// JSONPath-style rendering of a location in a document: `$`, `$.explorer.epsilon`,
/// `$.catalog[2].id`, `$["key with spaces"]`.
public enum JSONPath {
    /// Renders `components` as a path starting at the root `$`.
    ///
    /// Keys that are identifiers (letters, digits and `_`, not starting with a digit) use dot
    /// notation; others use bracket notation with a JSON-quoted key.
    /// - Complexity: O(total length of the keys).
    public static func render<C: Sequence>(_ components: C) -> String where C.Element == JSONPathComponent {
        var result = "$"
        for component in components {
            switch component {
            case .index(let i):
                result += "[\(i)]"
            case .key(let key):
                if isIdentifier(key) {
                    result += ".\(key)"
                } else {
                    result += "[\(quoted(key))]"
                }
            }
        }
        return result
    }

    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { scalar in
            scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
    }

    static func quoted(_ key: String) -> String {
        var result = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
