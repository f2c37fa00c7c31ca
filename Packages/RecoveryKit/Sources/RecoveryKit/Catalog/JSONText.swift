/// Just enough JSON writing for small reports: string escaping and a flat object.
enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped
    /// (RFC 8259 §7); everything else as UTF-8.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
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

    /// A value already rendered as JSON.
    struct Value {
        let json: String
        static func string(_ text: String?) -> Value { Value(json: text.map(JSONText.string) ?? "null") }
        static func integer<T: BinaryInteger>(_ number: T?) -> Value { Value(json: number.map { "\($0)" } ?? "null") }
    }

    /// An object with `fields` in the given order, one per line.
    static func object(_ fields: [(String, Value)]) -> String {
        let lines = fields.map { "  " + string($0.0) + ": " + $0.1.json }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }
}
