extension MantisConfiguration {
    /// The file `mantisdb config init` writes: every key with its default value, and above each
    /// one a comment with what it does, its type, default and allowed values. Loading it gives
    /// back exactly the defaults.
    public static func defaultFileText(registry: ComponentRegistry = .standard) -> String {
        var lines = header
        lines += MantisConfiguration().yamlLines(registry: registry, documented: true, sources: [:], redactSecrets: false)
        return lines.joined(separator: "\n") + "\n"
    }

    /// This configuration as YAML, as `mantisdb config check` prints it: each key not at its
    /// default is followed by a comment naming its source; secrets are shown as `<redacted>`.
    public func effectiveYAML(registry: ComponentRegistry = .standard, sources: [String: ConfigurationSource] = [:]) -> String {
        yamlLines(registry: registry, documented: false, sources: sources, redactSecrets: true).joined(separator: "\n") + "\n"
    }

    static let header: [String] = [
        "# MantisDB configuration (written by `mantisdb config init`).",
        "#",
        "# Every key is listed with its default; delete the ones you do not change if you prefer.",
        "# Precedence, highest first: the dedicated flags (--data-dir, --port, --admin-port,",
        "# --durability, --log-level), then --set key=value, then MANTISDB_* environment variables",
        "# (MANTISDB_ + the key upper-cased with '.' as '_', e.g. MANTISDB_WAL_DURABILITY=async),",
        "# then this file, then the defaults.",
        "# Unknown keys and unknown MANTISDB_* variables are errors.",
        "#",
        "# Sizes: plain bytes (4096) or KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB",
        "#   (powers of 1000), case-insensitive: 64MiB, 512KiB, 1GiB, 1MB.",
        "# Durations: a number with a unit: ns, us, ms, s, m, h, d (250ms, 5s, 5m, 1h30m); a bare",
        "#   number is an error (except 0, and rpo, which is in milliseconds).",
        "# null, ~ or an empty value: unset (only where \"or null\" is allowed).",
        "# Check a file with: mantisdb config check FILE",
        "",
    ]

    func yamlLines(registry: ComponentRegistry, documented: Bool, sources: [String: ConfigurationSource], redactSecrets: Bool) -> [String] {
        var lines: [String] = []
        var section: String?
        for setting in Self.settings {
            let components = setting.components
            let owner = components.count > 1 ? components[0] : nil
            if owner != section {
                if !lines.isEmpty { lines.append("") }
                if let owner {
                    if documented, let summary = Self.sections.first(where: { $0.name == owner })?.summary {
                        lines += Self.wrap(summary, prefix: "# ")
                    }
                    lines.append("\(owner):")
                }
                section = owner
            } else if documented, !lines.isEmpty {
                lines.append("")
            }
            let indent = owner == nil ? "" : "  "
            if documented {
                lines += Self.wrap(setting.summary, prefix: indent + "# ")
                var facts = "type: \(setting.type.name); default: \(Self.render(setting.value(in: MantisConfiguration()), type: setting.type, secret: false))"
                if let allowed = setting.allowedValues(registry: registry) { facts += "; allowed: \(allowed)" }
                lines += Self.wrap(facts, prefix: indent + "# ")
            }
            let value = setting.value(in: self)
            var line = "\(indent)\(components.last!): \(Self.render(value, type: setting.type, secret: redactSecrets && setting.isSecret))"
            if !documented, let source = sources[setting.key], source != .defaultValue {
                line += "  # \(source)"
            }
            lines.append(line)
        }
        return lines
    }

    static func render(_ value: ConfigurationSetting.Rendered, type: ConfigurationSetting.ValueType, secret: Bool) -> String {
        switch value {
        case .null: return "null"
        case .text where secret: return "\"<redacted>\""
        case .text(let text):
            // Numbers, booleans, sizes, durations and choices are printed by us and plain by
            // construction; free text and names are quoted when YAML could misread them.
            switch type {
            case .string, .component: return yamlScalar(text)
            default: return text
            }
        case .list(let items): return "[" + items.map(yamlScalar).joined(separator: ", ") + "]"
        }
    }

    /// `text` as a YAML scalar that reads back as the same text: plain when unambiguous,
    /// double-quoted otherwise.
    static func yamlScalar(_ text: String) -> String {
        let reserved: Set<String> = ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"]
        let safe = text.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 128 && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar)))) || "._/-+@".unicodeScalars.contains(scalar)
        }
        if !text.isEmpty, safe, !reserved.contains(text.lowercased()), let first = text.first, !"-+@".contains(first) {
            return text
        }
        return ConfigurationProblem.quote(text)
    }

    /// `text` in lines of at most ~96 columns, each starting with `prefix`.
    static func wrap(_ text: String, prefix: String, width: Int = 96) -> [String] {
        var lines: [String] = []
        var current = prefix
        for word in text.split(separator: " ") {
            if current.count > prefix.count, current.count + 1 + word.count > width {
                lines.append(current)
                current = prefix
            }
            current += (current.count > prefix.count ? " " : "") + word
        }
        if current.count > prefix.count { lines.append(current) }
        return lines
    }
}

extension MantisConfiguration {
    /// Every key and its effective value as text, secrets redacted: what `CONFIG GET` shows.
    public func effectivePairs() -> [(String, String)] {
        Self.settings.map { setting in
            switch setting.value(in: self) {
            case .null: return (setting.key, "")
            case _ where setting.isSecret: return (setting.key, "<redacted>")
            case .text(let text): return (setting.key, text)
            case .list(let items): return (setting.key, items.joined(separator: ","))
            }
        }
    }
}
