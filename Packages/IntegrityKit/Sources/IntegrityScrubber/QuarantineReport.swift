/// Just enough JSON for a quarantine report: a flat object, strings escaped per RFC 8259 §7.
struct QuarantineReport {
    enum Value {
        case string(String?)
        case integer(Int64?)
        case boolean(Bool)

        var json: String {
            switch self {
            case .string(let text): text.map(QuarantineReport.quote) ?? "null"
            case .integer(let number): number.map { String($0) } ?? "null"
            case .boolean(let flag): flag ? "true" : "false"
            }
        }
    }

    var fields: [(String, Value)]

    /// The object, one field per line, in the given order.
    var json: String {
        "{\n" + fields.map { "  " + Self.quote($0.0) + ": " + $0.1.json }.joined(separator: ",\n") + "\n}\n"
    }

    static func quote(_ text: String) -> String {
        var result = "\""
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
}
