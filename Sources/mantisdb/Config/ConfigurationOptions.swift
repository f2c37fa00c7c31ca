import MantisCoreTesting
import ArgumentParser
import Foundation
import MantisDB

/// The configuration flags every command that runs a database shares; `serve` embeds them with
/// `@OptionGroup var configuration: ConfigurationOptions` and calls `load()`.
///
/// Precedence, highest first: the dedicated flags (`--data-dir`, `--port`, …), `--set key=value`
/// (repeatable; a later one wins), `MANTISDB_*` environment variables, the `--config` file,
/// the defaults.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The YAML configuration file (none: environment, flags and defaults only).", valueName: "file"))
    var file: String?

    @OptionGroup var overrides: ConfigurationOverrides

    /// Loads and validates the configuration (the data directory is created and probed).
    /// Throws `MantisError(.invalidConfiguration)` listing every problem.
    func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        registry: ComponentRegistry = .executable
    ) throws -> LoadedConfiguration {
        try MantisConfiguration.resolve(file: file, environment: environment, overrides: try overrides.values(), registry: registry)
    }
}

/// `--set key=value` and the dedicated override flags, collected as `key.path → value`.
struct ConfigurationOverrides: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override one setting, e.g. --set wal.durability=async or --set alerts.sinks=log (lists comma-separated). Repeatable; a later one wins.",
        valueName: "key=value"))
    var settings: [String] = []

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Same as --set data_dir=<dir>.", valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .customLong("port"), help: ArgumentHelp("Same as --set server.port=<port> (RESP).", valueName: "port"))
    var port: String?

    @Option(name: .customLong("admin-port"), help: ArgumentHelp("Same as --set admin.port=<port>.", valueName: "port"))
    var adminPort: String?

    @Option(name: .customLong("durability"), help: ArgumentHelp("Same as --set wal.durability=<sync|async|os>.", valueName: "level"))
    var durability: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("Same as --set logging.level=<level>.", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        _ = try values()
    }

    /// The overrides as `key.path → value` (unknown keys are reported by the loader, with hints).
    func values() throws -> [String: String] {
        var values: [String: String] = [:]
        for setting in settings {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw ValidationError("--set expects key=value (e.g. --set wal.durability=async), got '\(setting)'")
            }
            let key = setting[..<equals].trimmingCharacters(in: .whitespaces)
            values[key] = String(setting[setting.index(after: equals)...])
        }
        let dedicated: [(String, String?)] = [
            ("data_dir", dataDirectory), ("server.port", port), ("admin.port", adminPort),
            ("wal.durability", durability), ("logging.level", logLevel),
        ]
        for case let (key, value?) in dedicated { values[key] = value }
        return values
    }
}

extension ComponentRegistry {
    /// The registry the `mantisdb` executable resolves names with: `standard` plus the
    /// `fault-injecting` file system for chaos runs (it wraps the real data directory, mirroring
    /// every write, and is logged at critical level when chosen).
    static var executable: ComponentRegistry {
        var registry = ComponentRegistry.standard
        registry.fileSystems.register("fault-injecting") { context in
            context.logger.critical("CHAOS RUN: the fault-injecting file system is in use; this is not for production data",
                                    metadata: ["seed": "\(context.configuration.chaosSeed)"])
            return FaultInjectingFileSystem(seed: UInt64(context.configuration.chaosSeed), backingDirectory: context.configuration.dataDirectory)
        }
        return registry
    }
}
