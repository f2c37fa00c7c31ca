/// One configuration key: its dotted path, how its value is written, its documentation, and how
/// it is read into and rendered from a `MantisConfiguration`.
///
/// `MantisConfiguration.settings` is the one table of every key: loading, unknown-key detection,
/// environment-variable names, `config init`, `config check` and the documentation test all read it.
public struct ConfigurationSetting: Sendable {
    /// How a value is written.
    public enum ValueType: Sendable, Hashable {
        case string
        case integer(ClosedRange<Int>)
        case boolean
        /// Bytes, `64MiB` style (see `ConfigurationSyntax`).
        case size(ClosedRange<Int>)
        /// `250ms`, `5s`; `minimum` is the smallest allowed.
        case duration(minimum: Duration)
        /// A duration whose bare numbers are milliseconds (`rpo`).
        case milliseconds
        /// One of fixed words.
        case choice([String])
        /// The registry name of an implementation.
        case component(ExtensionPoint)
        /// A list of registry names.
        case componentList(ExtensionPoint)

        /// The type as documented: `size`, `duration`, `integer`…
        public var name: String {
            switch self {
            case .string: "string"
            case .integer: "integer"
            case .boolean: "boolean"
            case .size: "size"
            case .duration: "duration"
            case .milliseconds: "duration (bare number = milliseconds)"
            case .choice: "choice"
            case .component(let point): "\(point.rawValue) name"
            case .componentList(let point): "list of \(point.rawValue) names"
            }
        }
    }

    /// A value as written: one scalar, or a list.
    public enum RawValue: Sendable, Hashable {
        case scalar(String)
        case list([String])
    }

    /// A value to print: null, a scalar's text, or a list of texts.
    public enum Rendered: Sendable, Hashable {
        case null
        case text(String)
        case list([String])
    }

    /// The full dotted key, e.g. `wal.segment_size`.
    public let key: String
    public let type: ValueType
    /// What it does (one or two sentences).
    public let summary: String
    /// `null` (also `~` or empty) is accepted and means "unset".
    public let isNullable: Bool
    /// Never printed (`config check` shows `<redacted>`) nor echoed in errors.
    public let isSecret: Bool
    let apply: @Sendable (inout MantisConfiguration, RawValue) throws(ConfigurationSyntax.SyntaxError) -> Void
    let read: @Sendable (MantisConfiguration) -> Rendered

    /// The environment variable that sets it: `MANTISDB_` + the key upper-cased, `.` → `_`.
    public var environmentVariable: String {
        "MANTISDB_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// The key's components (`["wal", "segment_size"]`).
    public var components: [String] { key.split(separator: ".").map(String.init) }

    public var isList: Bool {
        if case .componentList = type { return true }
        return false
    }

    /// Sets this key in `configuration` from a written value.
    public func apply(_ value: RawValue, to configuration: inout MantisConfiguration) throws(ConfigurationSyntax.SyntaxError) {
        try apply(&configuration, value)
    }

    /// This key's value in `configuration`.
    public func value(in configuration: MantisConfiguration) -> Rendered { read(configuration) }

    /// The allowed values as documented (`1...65535`, `sync, async, os`); component names come
    /// from `registry`.
    public func allowedValues(registry: ComponentRegistry) -> String? {
        let nullable = isNullable ? ", or null" : ""
        switch type {
        case .string: return isNullable ? "any text, or null" : nil
        case .integer(let range): return Self.describe(range, format: { "\($0)" }) + nullable
        case .boolean: return "true, false"
        case .size(let range): return Self.describe(range, format: ConfigurationSyntax.formatSize) + nullable
        case .duration(let minimum):
            return (minimum > .zero ? "more than \(ConfigurationSyntax.formatDuration(minimum - .nanoseconds(1)))" : "0 or more") + nullable
        case .milliseconds: return "0 or more" + nullable
        case .choice(let words): return words.joined(separator: ", ")
        case .component(let point), .componentList(let point): return registry.names(for: point).joined(separator: ", ")
        }
    }

    static func describe(_ range: ClosedRange<Int>, format: (Int) -> String) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (_, Int.max): "\(format(range.lowerBound)) or more"
        default: "\(format(range.lowerBound))...\(format(range.upperBound))"
        }
    }
}

// MARK: Builders

extension ConfigurationSetting {
    typealias SyntaxError = ConfigurationSyntax.SyntaxError
    typealias Config = MantisConfiguration

    /// A setting of a single value parsed from text by `parse`.
    static func scalar<Value: Sendable>(
        _ key: String, _ path: WritableKeyPath<Config, Value> & Sendable, type: ValueType, secret: Bool = false, _ summary: String,
        parse: @escaping @Sendable (String) throws(SyntaxError) -> Value, render: @escaping @Sendable (Value) -> String
    ) -> ConfigurationSetting {
        ConfigurationSetting(
            key: key, type: type, summary: summary, isNullable: false, isSecret: secret,
            apply: { configuration, raw throws(SyntaxError) in
                guard case .scalar(let text) = raw else { throw SyntaxError("is a list; a single value is expected") }
                configuration[keyPath: path] = try parse(text)
            },
            read: { .text(render($0[keyPath: path])) })
    }

    /// A setting that may be `null` (unset).
    static func optional<Value: Sendable>(
        _ key: String, _ path: WritableKeyPath<Config, Value?> & Sendable, type: ValueType, secret: Bool = false, _ summary: String,
        parse: @escaping @Sendable (String) throws(SyntaxError) -> Value, render: @escaping @Sendable (Value) -> String
    ) -> ConfigurationSetting {
        ConfigurationSetting(
            key: key, type: type, summary: summary, isNullable: true, isSecret: secret,
            apply: { configuration, raw throws(SyntaxError) in
                guard case .scalar(let text) = raw else { throw SyntaxError("is a list; a single value is expected") }
                configuration[keyPath: path] = ConfigurationSyntax.isNull(text) ? nil : try parse(text)
            },
            read: { configuration in configuration[keyPath: path].map { .text(render($0)) } ?? .null })
    }

    static func string(_ key: String, _ path: WritableKeyPath<Config, String> & Sendable, _ summary: String) -> Self {
        scalar(key, path, type: .string, summary, parse: { text throws(SyntaxError) in
            let trimmed = text.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw SyntaxError("is empty") }
            return trimmed
        }, render: { $0 })
    }

    static func optionalString(_ key: String, _ path: WritableKeyPath<Config, String?> & Sendable, secret: Bool = false, _ summary: String) -> Self {
        optional(key, path, type: .string, secret: secret, summary, parse: { $0 }, render: { $0 })
    }

    static func integer(_ key: String, _ path: WritableKeyPath<Config, Int> & Sendable, _ range: ClosedRange<Int>, _ summary: String) -> Self {
        scalar(key, path, type: .integer(range), summary, parse: { text throws(SyntaxError) in
            try checkedInteger(text, in: range)
        }, render: { "\($0)" })
    }

    static func optionalInteger(_ key: String, _ path: WritableKeyPath<Config, Int?> & Sendable, _ range: ClosedRange<Int>, _ summary: String) -> Self {
        optional(key, path, type: .integer(range), summary, parse: { text throws(SyntaxError) in
            try checkedInteger(text, in: range)
        }, render: { "\($0)" })
    }

    static func bool(_ key: String, _ path: WritableKeyPath<Config, Bool> & Sendable, _ summary: String) -> Self {
        scalar(key, path, type: .boolean, summary, parse: { text throws(SyntaxError) in
            guard let value = ConfigurationSyntax.parseBool(text) else {
                throw SyntaxError("is not a boolean; allowed values: true, false (also yes/no, on/off, 1/0)")
            }
            return value
        }, render: { $0 ? "true" : "false" })
    }

    static func size(_ key: String, _ path: WritableKeyPath<Config, Int> & Sendable, _ range: ClosedRange<Int>, _ summary: String) -> Self {
        scalar(key, path, type: .size(range), summary, parse: { text throws(SyntaxError) in
            let value = try ConfigurationSyntax.parseSize(text)
            try check(value, in: range, format: ConfigurationSyntax.formatSize)
            return value
        }, render: ConfigurationSyntax.formatSize)
    }

    static func optionalSize(_ key: String, _ path: WritableKeyPath<Config, Int?> & Sendable, _ range: ClosedRange<Int>, _ summary: String) -> Self {
        optional(key, path, type: .size(range), summary, parse: { text throws(SyntaxError) in
            let value = try ConfigurationSyntax.parseSize(text)
            try check(value, in: range, format: ConfigurationSyntax.formatSize)
            return value
        }, render: ConfigurationSyntax.formatSize)
    }

    static func duration(_ key: String, _ path: WritableKeyPath<Config, Duration> & Sendable, minimum: Duration = .nanoseconds(1), _ summary: String) -> Self {
        scalar(key, path, type: .duration(minimum: minimum), summary, parse: { text throws(SyntaxError) in
            try checkedDuration(text, minimum: minimum)
        }, render: ConfigurationSyntax.formatDuration)
    }

    static func optionalDuration(_ key: String, _ path: WritableKeyPath<Config, Duration?> & Sendable, minimum: Duration = .nanoseconds(1), _ summary: String) -> Self {
        optional(key, path, type: .duration(minimum: minimum), summary, parse: { text throws(SyntaxError) in
            try checkedDuration(text, minimum: minimum)
        }, render: ConfigurationSyntax.formatDuration)
    }

    static func choice<Value: RawRepresentable<String> & CaseIterable & Sendable>(
        _ key: String, _ path: WritableKeyPath<Config, Value> & Sendable, _ summary: String
    ) -> Self {
        let words = Value.allCases.map(\.rawValue)
        return scalar(key, path, type: .choice(words), summary, parse: { text throws(SyntaxError) in
            let word = text.trimmingWhitespace()
            guard let value = Value(rawValue: word) ?? Value(rawValue: word.lowercased()) else {
                throw SyntaxError("is not valid; allowed values: \(words.joined(separator: ", "))\(Spelling.hint(for: word, among: words))")
            }
            return value
        }, render: \.rawValue)
    }

    /// A registry name; whether it is registered is checked against the registry in validation.
    static func component(_ key: String, _ path: WritableKeyPath<Config, String> & Sendable, _ point: ExtensionPoint, _ summary: String) -> Self {
        scalar(key, path, type: .component(point), summary, parse: { text throws(SyntaxError) in
            let name = text.trimmingWhitespace()
            guard !name.isEmpty else { throw SyntaxError("is empty; a \(point.rawValue) name is expected") }
            return name
        }, render: { $0 })
    }

    static func componentList(_ key: String, _ path: WritableKeyPath<Config, [String]> & Sendable, _ point: ExtensionPoint, _ summary: String) -> Self {
        ConfigurationSetting(
            key: key, type: .componentList(point), summary: summary, isNullable: false, isSecret: false,
            apply: { configuration, raw in
                let items: [String]
                switch raw {
                case .list(let list): items = list
                case .scalar(let text): items = ConfigurationSyntax.isNull(text) ? [] : text.split(separator: ",").map(String.init)
                }
                var names: [String] = []
                for item in items.map({ $0.trimmingWhitespace() }) where !item.isEmpty && !names.contains(item) {
                    names.append(item)
                }
                configuration[keyPath: path] = names
            },
            read: { .list($0[keyPath: path]) })
    }

    static func check(_ value: Int, in range: ClosedRange<Int>, format: (Int) -> String) throws(SyntaxError) {
        guard range.contains(value) else {
            throw SyntaxError("is out of range; allowed values: \(describe(range, format: format))")
        }
    }

    static func checkedInteger(_ text: String, in range: ClosedRange<Int>) throws(SyntaxError) -> Int {
        guard let value = ConfigurationSyntax.parseInteger(text) else { throw SyntaxError("is not a whole number") }
        try check(value, in: range, format: { "\($0)" })
        return value
    }

    static func checkedDuration(_ text: String, minimum: Duration) throws(SyntaxError) -> Duration {
        let value = try ConfigurationSyntax.parseDuration(text)
        guard value >= minimum else {
            throw SyntaxError(minimum == .nanoseconds(1) ? "must be more than 0" : "must be at least \(ConfigurationSyntax.formatDuration(minimum))")
        }
        return value
    }
}
