import Configuration
import MantisCore
import Synchronization

/// A loaded configuration and where each of its settings came from.
public struct LoadedConfiguration: Sendable {
    public var configuration: MantisConfiguration
    /// The source of every key set by a file, environment variable or command-line override
    /// (keys absent here have their default).
    public var sources: [String: ConfigurationSource]

    public init(configuration: MantisConfiguration, sources: [String: ConfigurationSource] = [:]) {
        self.configuration = configuration
        self.sources = sources
    }

    public func source(of key: String) -> ConfigurationSource { sources[key] ?? .defaultValue }
}

extension MantisConfiguration {
    /// Loads and validates the configuration. Precedence, highest first:
    /// 1. `overrides`: `key.path → value` pairs from the command line (`--set wal.durability=async`,
    ///    `--port 7400`); a list is written comma-separated (`alerts.sinks=log,file`);
    /// 2. `environment`: `MANTISDB_` + the key upper-cased with `.` → `_` (`MANTISDB_SERVER_PORT=7400`);
    ///    any other `MANTISDB_*` variable is an error;
    /// 3. `file`: one YAML file (nil: none);
    /// 4. the embedded defaults (`MantisConfiguration()`).
    ///
    /// - Parameters:
    ///   - registry: the implementations names are checked against.
    ///   - checkDataDirectory: create `data_dir` (and `wal.archive_dir`) if missing and prove they
    ///     are writable with a probe file.
    /// - Throws: one `MantisError(.invalidConfiguration)` listing every problem, one per line,
    ///   each with the key, the value, what is allowed, and where the value came from.
    public static func load(
        file: String?, environment: [String: String], overrides: [String: String],
        registry: ComponentRegistry = .standard, checkDataDirectory: Bool = true
    ) throws -> MantisConfiguration {
        try resolve(file: file, environment: environment, overrides: overrides, registry: registry,
                    checkDataDirectory: checkDataDirectory).configuration
    }

    /// `load`, also returning where each setting came from.
    public static func resolve(
        file: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
        registry: ComponentRegistry = .standard, checkDataDirectory: Bool = true
    ) throws -> LoadedConfiguration {
        let (loaded, problems) = inspect(file: file, environment: environment, overrides: overrides,
                                         registry: registry, checkDataDirectory: checkDataDirectory)
        guard problems.isEmpty else { throw ConfigurationProblem.error(problems) }
        return loaded
    }

    /// Loads without throwing: the configuration as far as it could be read, and every problem.
    public static func inspect(
        file: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
        registry: ComponentRegistry = .standard, checkDataDirectory: Bool = true
    ) -> (LoadedConfiguration, [ConfigurationProblem]) {
        var problems: [ConfigurationProblem] = []
        var layers: [Layer] = []

        // Command line.
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            let key = key.trimmingWhitespace()
            guard let setting = setting(key) else {
                let message = ConfigurationFile.isSection(key)
                    ? "is a section, not a value: set one of its keys (\(ConfigurationFile.children(of: key).map { "\(key).\($0)" }.joined(separator: ", ")))"
                    : "is not a configuration key\(ConfigurationFile.hint(for: key.split(separator: ".").map(String.init)))"
                problems.append(ConfigurationProblem(key: key, message: message, source: .commandLine(key: key)))
                continue
            }
            let content: ConfigContent = setting.isList
                ? .stringArray(value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })
                : .string(value)
            flagValues[AbsoluteConfigKey(setting.components)] = ConfigValue(content, isSecret: setting.isSecret)
        }
        layers.append(Layer(provider: InMemoryProvider(name: "command line", values: flagValues), source: { .commandLine(key: $0.key) }))

        // Environment.
        var known: [String: String] = [:]
        for (name, value) in environment.sorted(by: { $0.key < $1.key })
        where name.hasPrefix(environmentPrefix) && !processVariables.contains(name) {
            if settingsByEnvironmentVariable[name] != nil {
                known[name] = value
            } else {
                let suffixes = settings.map { String($0.environmentVariable.dropFirst(environmentPrefix.count)) }
                let hint = Spelling.suggestion(for: String(name.dropFirst(environmentPrefix.count)), among: suffixes)
                    .map { " (did you mean \"\(environmentPrefix)\($0)\"?)" } ?? ""
                problems.append(ConfigurationProblem(
                    key: name, message: "is not a MantisDB setting (every MANTISDB_* variable must name one)\(hint)",
                    source: .environment(variable: name)))
            }
        }
        let secretVariables = Set(settings.filter(\.isSecret).map(\.environmentVariable))
        let environmentProvider = EnvironmentVariablesProvider(environmentVariables: known, secretsSpecifier: .specific(secretVariables))
        layers.append(Layer(provider: environmentProvider.prefixKeys(with: ConfigKey(["mantisdb"])),
                            source: { .environment(variable: $0.environmentVariable) }))

        // File.
        if let file {
            let parsed = ConfigurationFile(path: file)
            problems += parsed.problems
            if let provider = parsed.provider {
                layers.append(Layer(provider: provider, source: { parsed.source(of: $0.key) }))
            }
        }

        // Read every setting through one ConfigReader; the access reporter tells which layer answered.
        let reporter = LastAccessReporter()
        let reader = ConfigReader(providers: layers.map(\.provider), accessReporter: reporter)
        var configuration = MantisConfiguration()
        var sources: [String: ConfigurationSource] = [:]
        // Each layer alone, to check values a higher layer overrides: a bad value in the file is
        // reported even while an environment variable hides it.
        let layerReaders = layers.map { layer in
            let reporter = LastAccessReporter()
            return (reader: ConfigReader(provider: layer.provider, accessReporter: reporter), reporter: reporter)
        }
        for setting in settings {
            guard let (raw, layer) = read(setting, from: reader, reporter: reporter) else { continue }
            let source = layers[layer].source(setting)
            if let problem = apply(setting, raw, to: &configuration, source: source) {
                problems.append(problem)
            } else {
                sources[setting.key] = source
            }
            for lower in layers.indices where lower > layer {
                let single = layerReaders[lower]
                guard let (hidden, _) = read(setting, from: single.reader, reporter: single.reporter) else { continue }
                var scratch = MantisConfiguration()
                if var problem = apply(setting, hidden, to: &scratch, source: layers[lower].source(setting)) {
                    problem.message += " (overridden by \(source), but still invalid)"
                    problems.append(problem)
                }
            }
        }
        let loaded = LoadedConfiguration(configuration: configuration, sources: sources)
        problems += configuration.problems(registry: registry, sources: sources, checkDataDirectory: checkDataDirectory)
        return (loaded, problems)
    }

    /// Sets `setting` from `raw`, or returns what is wrong with it.
    static func apply(
        _ setting: ConfigurationSetting, _ raw: ConfigurationSetting.RawValue, to configuration: inout MantisConfiguration,
        source: ConfigurationSource
    ) -> ConfigurationProblem? {
        let shown: String
        switch raw {
        case .scalar(let text): shown = setting.isSecret ? "<redacted>" : text
        case .list(let items): shown = "[" + items.joined(separator: ", ") + "]"
        }
        if case .scalar(let text) = raw, ConfigurationSyntax.isNull(text), !setting.isNullable, !setting.isList {
            return ConfigurationProblem(
                key: setting.key, value: shown, message: "has no value; \(Self.article(setting.type.name)) \(setting.type.name) is required (this key cannot be null)", source: source)
        }
        do {
            try setting.apply(raw, to: &configuration)
            return nil
        } catch {
            return ConfigurationProblem(key: setting.key, value: shown, message: error.message, source: source)
        }
    }

    /// One configuration source: its provider and how to name where a key's value came from.
    struct Layer {
        let provider: any ConfigProvider
        let source: (ConfigurationSetting) -> ConfigurationSource
    }

    /// The setting's value from the highest layer that has it, and that layer's index.
    static func read(_ setting: ConfigurationSetting, from reader: ConfigReader, reporter: LastAccessReporter) -> (ConfigurationSetting.RawValue, Int)? {
        let key = ConfigKey(setting.components)
        if setting.isList {
            reporter.reset()
            if let list = reader.stringArray(forKey: key) {
                return reporter.answeringLayer().map { (.list(list), $0) }
            }
            // A single scalar where a list is expected (`sinks: log`): read it as text.
            guard reporter.answeringLayer() != nil else { return nil }
        }
        reporter.reset()
        guard let text = reader.string(forKey: key, isSecret: setting.isSecret) else { return nil }
        return reporter.answeringLayer().map { (.scalar(text), $0) }
    }
}

/// Keeps the last access event: which provider answered a read (or failed it).
final class LastAccessReporter: AccessReporter {
    private let last = Mutex<AccessEvent?>(nil)

    func report(_ event: AccessEvent) {
        last.withLock { $0 = event }
    }

    func reset() {
        last.withLock { $0 = nil }
    }

    /// The index of the provider that returned a value or threw (providers after it were not asked).
    func answeringLayer() -> Int? {
        guard let event = last.withLock({ $0 }) else { return nil }
        for (index, result) in event.providerResults.enumerated() {
            switch result.result {
            case .success(let lookup) where lookup.value != nil: return index
            case .failure: return index
            default: continue
            }
        }
        return nil
    }
}

extension MantisConfiguration {
    /// "a" or "an" before `word`.
    static func article(_ word: String) -> String {
        word.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }
}
