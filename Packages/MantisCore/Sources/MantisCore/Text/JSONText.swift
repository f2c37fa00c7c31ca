/// Just enough JSON writing for reports, log lines and audit entries; shared so every
/// package escapes strings the same way.
public enum JSONText {
    /// `text` as a JSON string literal (RFC 8259 §7): quotes, backslashes and every control
    /// character escaped, U+2028/2029 too, so the result never breaks a line.
    public static func quote(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A value already rendered as JSON; `nil` renders as `null`.
    public struct Value: Sendable {
        public let json: String
        public static func string(_ text: String?) -> Value { Value(json: text.map(JSONText.quote) ?? "null") }
        public static func integer<T: BinaryInteger>(_ number: T?) -> Value { Value(json: number.map { "\($0)" } ?? "null") }
        public static func boolean(_ flag: Bool) -> Value { Value(json: flag ? "true" : "false") }
    }

    /// A flat object, one field per line in the given order (reports written beside
    /// quarantined files).
    public static func object(_ fields: [(String, Value)]) -> String {
        let lines = fields.map { "  " + quote($0.0) + ": " + $0.1.json }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }
}
