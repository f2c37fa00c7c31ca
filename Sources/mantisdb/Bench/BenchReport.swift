import MantisDB

/// One benchmark's result, printed as text or as one JSON object.
struct BenchReport {
    var name: String
    var fields: [(String, BenchValue)] = []

    mutating func add(_ key: String, _ value: BenchValue) { fields.append((key, value)) }

    var json: String {
        "{" + ([("benchmark", BenchValue.text(name))] + fields).map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}"
    }

    var text: String {
        "\(name)\n" + fields.map { "  \($0.0): \($0.1.text)" }.joined(separator: "\n")
    }
}

enum BenchValue {
    case integer(Int64)
    case number(Double)
    case text(String)

    var json: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): String.fixed(value, digits: 3)
        case .text(let value): "\"" + value.replacingQuotes() + "\""
        }
    }

    var text: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): String.fixed(value, digits: 2)
        case .text(let value): value
        }
    }
}

extension String {
    func replacingQuotes() -> String {
        var result = ""
        for character in self {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result.append(character)
            }
        }
        return result
    }
}
