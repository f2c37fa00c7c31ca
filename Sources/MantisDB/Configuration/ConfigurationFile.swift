import Configuration
import MantisCore
import Yams

/// A YAML config file, read for two purposes:
///
/// - its values, through swift-configuration's `YAMLSnapshot` (served as a `ConfigProvider`);
/// - its shape, through Yams' node tree (which swift-configuration does not expose): every key
///   must be a known setting or section, a section must be a mapping, a value must not be a
///   mapping, and each key's line number is kept so problems can say `file:line`.
struct ConfigurationFile {
    let path: String
    /// Line of each known key's value.
    private(set) var lines: [String: Int] = [:]
    private(set) var problems: [ConfigurationProblem] = []
    /// The file's values; nil if the file is empty, unreadable or not a mapping.
    private(set) var provider: (any ConfigProvider)?

    init(path: String, fileSystem: any FileSystem = PosixFileSystem()) {
        self.path = path
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(path)
        } catch {
            let reason = (error as? MantisError)?.message ?? "\(error)"
            problems.append(ConfigurationProblem(key: "(file)", message: "cannot read the configuration file: \(reason)", source: .file(path: path, line: nil)))
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            problems.append(Self.syntaxProblem(error, path: path))
            return
        }
        guard let root else { return }  // empty, or only comments: nothing set
        guard case .mapping(let mapping) = root else {
            problems.append(ConfigurationProblem(
                key: "(file)", message: "the top level must be a mapping of keys (data_dir: …, wal: {…}), not a \(Self.kind(of: root))",
                source: .file(path: path, line: root.mark?.line)))
            return
        }
        walk(mapping, prefix: [])
        do {
            let secrets = Set(MantisConfiguration.settings.filter(\.isSecret).map(\.key))
            let snapshot = try YAMLSnapshot(
                data: bytes.span.bytes, providerName: "file \(path)",
                parsingOptions: YAMLSnapshot.ParsingOptions(secretsSpecifier: .specific(secrets)))
            provider = SnapshotProvider(snapshot: snapshot)
        } catch {
            // The walk reports the shapes YAMLSnapshot refuses, with their keys and lines.
            if problems.isEmpty {
                problems.append(ConfigurationProblem(key: "(file)", message: "cannot load: \(error)", source: .file(path: path, line: nil)))
            }
        }
    }

    /// The source of a key's value in this file.
    func source(of key: String) -> ConfigurationSource {
        .file(path: path, line: lines[key])
    }

    private mutating func walk(_ mapping: Node.Mapping, prefix: [String]) {
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line
            guard case .scalar(let keyScalar) = keyNode else {
                problems.append(ConfigurationProblem(
                    key: prefix.isEmpty ? "(file)" : prefix.joined(separator: "."),
                    message: "has a key that is not text (a \(Self.kind(of: keyNode)))", source: .file(path: path, line: line)))
                continue
            }
            let path = prefix + [keyScalar.string]
            let key = path.joined(separator: ".")
            if let setting = MantisConfiguration.setting(key) {
                lines[key] = valueNode.mark?.line ?? line
                check(valueNode, of: setting)
            } else if Self.isSection(key) {
                switch valueNode {
                case .mapping(let inner): walk(inner, prefix: path)
                case .scalar(let scalar) where scalar.tag == Tag(.null) || ConfigurationSyntax.isNull(scalar.string): break
                default:
                    problems.append(ConfigurationProblem(
                        key: key, message: "is a section, not a value: write it as a mapping of \(Self.children(of: key).joined(separator: ", "))",
                        source: .file(path: self.path, line: line)))
                }
            } else {
                problems.append(ConfigurationProblem(
                    key: key, message: "is not a configuration key\(Self.hint(for: path))", source: .file(path: self.path, line: line)))
            }
        }
    }

    private mutating func check(_ node: Node, of setting: ConfigurationSetting) {
        let source = ConfigurationSource.file(path: path, line: node.mark?.line)
        switch node {
        case .scalar, .alias:
            break
        case .mapping:
            problems.append(ConfigurationProblem(key: setting.key, message: "is a mapping; expected a single value (\(setting.type.name))", source: source))
        case .sequence(let sequence):
            if !setting.isList {
                problems.append(ConfigurationProblem(key: setting.key, message: "is a list; expected a single value (\(setting.type.name))", source: source))
            } else if let bad = sequence.first(where: { if case .scalar = $0 { return false } else { return true } }) {
                problems.append(ConfigurationProblem(
                    key: setting.key, message: "has a \(Self.kind(of: bad)) as an item; items must be names",
                    source: .file(path: path, line: bad.mark?.line)))
            }
        }
    }

    /// True if some key lives under `key` (`wal` for `wal.kind`).
    static func isSection(_ key: String) -> Bool {
        MantisConfiguration.settings.contains { $0.key.hasPrefix(key + ".") }
    }

    /// The keys directly under a section.
    static func children(of section: String) -> [String] {
        var names: [String] = []
        for setting in MantisConfiguration.settings where setting.key.hasPrefix(section + ".") {
            let child = String(setting.key.dropFirst(section.count + 1)).split(separator: ".")[0]
            if !names.contains(String(child)) { names.append(String(child)) }
        }
        return names
    }

    /// `(did you mean "wal.durability"?)` for a misspelt or misplaced key.
    static func hint(for path: [String]) -> String {
        let key = path.joined(separator: ".")
        let all = MantisConfiguration.settings.map(\.key) + MantisConfiguration.sections.map(\.name)
        if let close = Spelling.suggestion(for: key, among: all) { return " (did you mean \"\(close)\"?)" }
        // The right name in the wrong section: `durability:` at the top level.
        if let last = path.last, let moved = MantisConfiguration.settings.first(where: { $0.components.last == last }) {
            return " (did you mean \"\(moved.key)\"?)"
        }
        return ""
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: "value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    static func syntaxProblem(_ error: any Error, path: String) -> ConfigurationProblem {
        var line: Int?
        var message = "\(error)"
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                line = mark.line
                message = problem
            case .duplicatedKeysInMapping(let duplicates, let context):
                line = context.mark.line
                message = "duplicate key \(duplicates.joined(separator: ", ")) in a mapping"
            default:
                break
            }
        }
        return ConfigurationProblem(key: "(file)", message: "is not valid YAML: \(message)", source: .file(path: path, line: line))
    }
}

/// Serves one `ConfigSnapshot` as a `ConfigProvider` (a file read once, synchronously).
struct SnapshotProvider: ConfigProvider {
    let snapshotValue: any ConfigSnapshot

    init(snapshot: any ConfigSnapshot) { self.snapshotValue = snapshot }

    var providerName: String { snapshotValue.providerName }

    func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try snapshotValue.value(forKey: key, type: type)
    }

    func fetchValue(forKey key: AbsoluteConfigKey, type: ConfigType) async throws -> LookupResult {
        try value(forKey: key, type: type)
    }

    nonisolated(nonsending) func watchValue<Return: ~Copyable>(
        forKey key: AbsoluteConfigKey, type: ConfigType,
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<Result<LookupResult, any Error>, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchValueFromValue(forKey: key, type: type, updatesHandler: updatesHandler)
    }

    func snapshot() -> any ConfigSnapshot { snapshotValue }

    nonisolated(nonsending) func watchSnapshot<Return: ~Copyable>(
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<any ConfigSnapshot, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchSnapshotFromSnapshot(updatesHandler: updatesHandler)
    }
}
