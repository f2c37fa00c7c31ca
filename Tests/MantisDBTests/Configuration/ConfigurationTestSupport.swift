import Foundation
import MantisCore
import MantisCoreTesting
import MantisDB

/// A scratch directory for one configuration test, removed by `remove()`.
struct ConfigScratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "mantisdb-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the scratch directory and returns its path.
    func write(_ text: String, to name: String = "mantisdb.yaml") throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    var dataDirectory: String { path + "/data" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum ConfigFixture {
    /// The standard registry plus `fault-injecting`, as a chaos-test harness registers it.
    static var registryWithFaults: ComponentRegistry {
        var registry = ComponentRegistry.standard
        registry.fileSystems.register("fault-injecting") { context in
            FaultInjectingFileSystem(seed: UInt64(context.configuration.chaosSeed), backingDirectory: nil)
        }
        return registry
    }

    /// The problems of loading `yaml` (written to a file) with the given environment and overrides;
    /// the data directory is not probed.
    static func problems(
        _ yaml: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
        registry: ComponentRegistry = .standard
    ) throws -> [ConfigurationProblem] {
        let scratch = try ConfigScratch()
        defer { scratch.remove() }
        let file = try yaml.map { try scratch.write($0) }
        return MantisConfiguration.inspect(
            file: file, environment: environment, overrides: overrides, registry: registry, checkDataDirectory: false).1
    }

    /// The one problem of loading `yaml`, or nil if there are none or several.
    static func problem(
        _ yaml: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
        registry: ComponentRegistry = .standard
    ) throws -> ConfigurationProblem? {
        let all = try problems(yaml, environment: environment, overrides: overrides, registry: registry)
        return all.count == 1 ? all[0] : nil
    }

    /// Loads `yaml` (no data-directory probe).
    static func load(
        _ yaml: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
        registry: ComponentRegistry = .standard
    ) throws -> LoadedConfiguration {
        let scratch = try ConfigScratch()
        defer { scratch.remove() }
        let file = try yaml.map { try scratch.write($0) }
        return try MantisConfiguration.resolve(
            file: file, environment: environment, overrides: overrides, registry: registry, checkDataDirectory: false)
    }
}
