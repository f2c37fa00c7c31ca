import MantisCore

/// Where a setting's value came from.
public enum ConfigurationSource: Sendable, Hashable, CustomStringConvertible {
    /// Nothing set it: the embedded default.
    case defaultValue
    /// The config file, at `line` (1-based) when known.
    case file(path: String, line: Int?)
    /// A `MANTISDB_*` environment variable.
    case environment(variable: String)
    /// A command-line override (`--set key=value` or a dedicated flag such as `--port`).
    case commandLine(key: String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line?): "\(path):\(line)"
        case .file(let path, nil): path
        case .environment(let variable): "environment variable \(variable)"
        case .commandLine(let key): "command line (\(key))"
        }
    }
}

/// One thing wrong with a configuration: the setting (full dotted path), the offending value,
/// what is wrong (with the allowed values), and where the value came from.
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// The full dotted key (`wal.durability`), or the unknown key / variable as written.
    public var key: String
    /// The value as written, if the problem is about a value (secrets are never echoed).
    public var value: String?
    /// What is wrong and what is allowed.
    public var message: String
    public var source: ConfigurationSource

    public init(key: String, value: String? = nil, message: String, source: ConfigurationSource) {
        self.key = key
        self.value = value
        self.message = message
        self.source = source
    }

    /// `source: key: "value" message`, e.g.
    /// `mantisdb.yaml:4: wal.durability: "fast" is not valid; allowed: sync, async, os`.
    public var description: String {
        var text = "\(source): \(key): "
        if let value { text += "\(Self.quote(value)) " }
        return text + message
    }

    static func quote(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }

    /// One `invalidConfiguration` error listing every problem on its own line.
    static func error(_ problems: [ConfigurationProblem]) -> MantisError {
        let header = problems.count == 1 ? "invalid configuration (1 problem):" : "invalid configuration (\(problems.count) problems):"
        let lines = problems.map { "  - \($0)" }
        return MantisError(
            .invalidConfiguration, ([header] + lines).joined(separator: "\n"),
            context: ErrorContext(operation: "load configuration", metadata: [
                "problems": "\(problems.count)",
                "keys": problems.map(\.key).joined(separator: ","),
            ]))
    }
}

/// Close spellings, for "did you mean" hints.
enum Spelling {
    /// The candidate closest to `word` if it is close enough to be a likely typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let tolerance = max(1, min(3, word.count / 4))
        return best.1 <= tolerance ? best.0 : nil
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// ` (did you mean "x"?)` or nothing.
    static func hint(for word: String, among candidates: [String]) -> String {
        suggestion(for: word, among: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
