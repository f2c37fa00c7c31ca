import IntegrityKit
import LZ4Codec
import Logging
import MantisCore
import MantisCoreTesting
import MantisDB
import Testing
import TxnKit
import ZlibCodec

@Suite("Component registry") struct ConfigurationComponentRegistryTests {
    let context = ComponentContext(configuration: MantisConfiguration(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))

    @Test("the standard registry's names, per extension point")
    func standardNames() {
        let registry = ComponentRegistry.standard
        #expect(registry.names(for: .fileSystem) == ["posix"])
        #expect(registry.names(for: .wal) == ["memory", "segmented"])
        #expect(registry.names(for: .checksum) == ["crc32", "crc32c"])
        #expect(registry.names(for: .checkpointCodec) == ["lz4", "none", "zlib"])
        #expect(registry.names(for: .lockPolicy) == ["timeout", "wait-die", "wait-for-graph", "wound-wait"])
        #expect(registry.names(for: .alertSink) == ["file", "log", "webhook"])
        #expect(registry.names(for: .metricsExporter) == ["none", "prometheus"])
    }

    @Test("every name resolves to the right implementation type")
    func resolves() throws {
        let registry = ConfigFixture.registryWithFaults
        #expect(try registry.fileSystems.make("posix", context: context) is PosixFileSystem)
        #expect(try registry.fileSystems.make("fault-injecting", context: context) is FaultInjectingFileSystem)
        #expect(try registry.walKinds.make("segmented", context: context) == .segmented)
        #expect(try registry.walKinds.make("memory", context: context) == .memory)
        #expect(try registry.checksums.make("crc32", context: context) is CRC32Checksum)
        #expect(try registry.checksums.make("crc32c", context: context) is CRC32CChecksum)
        #expect(try registry.checkpointCodecs.make("lz4", context: context) is LZ4CheckpointCodec)
        #expect(try registry.checkpointCodecs.make("none", context: context) is NoneCheckpointCodec)
        #expect(try registry.lockPolicies.make("wait-for-graph", context: context) is WaitForGraphLockManager)
        #expect(try registry.lockPolicies.make("wait-die", context: context) is WaitDieLockManager)
        #expect(try registry.lockPolicies.make("wound-wait", context: context) is WoundWaitLockManager)
        #expect(try registry.lockPolicies.make("timeout", context: context) is TimeoutLockManager)
        #expect(try registry.alertSinks.make("log", context: context) is LoggingAlertSink)
        let prometheus = try registry.metricsExporters.make("prometheus", context: context)
        #expect(prometheus.name == "prometheus" && prometheus.factory != nil)
        let none = try registry.metricsExporters.make("none", context: context)
        #expect(none.name == "none" && none.factory == nil && none.render().isEmpty)
        for point in ExtensionPoint.allCases {
            for name in registry.names(for: point) { #expect(registry.contains(name, for: point)) }
        }
    }

    @Test("factories read their settings from the configuration")
    func factoriesUseConfiguration() throws {
        var configuration = MantisConfiguration()
        configuration.checkpoint.zlibLevel = 9
        configuration.transactions.lockTimeout = .milliseconds(250)
        configuration.chaosSeed = 42
        let context = ComponentContext(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let zlib = try #require(try ComponentRegistry.standard.checkpointCodecs.make("zlib", context: context) as? ZlibCheckpointCodec)
        #expect(zlib.level == 9)
        let faults = try #require(try ConfigFixture.registryWithFaults.fileSystems.make("fault-injecting", context: context) as? FaultInjectingFileSystem)
        #expect(faults.seed == 42)
        let lock = try ComponentRegistry.standard.lockPolicies.make("timeout", context: context)
        #expect(lock.policyName == "timeout")
    }

    @Test("an unknown name: invalidConfiguration naming the key and listing every valid name")
    func unknownName() {
        let registry = ComponentRegistry.standard
        do {
            _ = try registry.checkpointCodecs.make("zstd", context: context)
            Issue.record("made an unknown codec")
        } catch let error as MantisError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("checkpoint.codec: unknown checkpoint codec \"zstd\"; valid names: lz4, none, zlib"), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
        #expect(throws: MantisError.self) { try registry.fileSystems.make("fault-injecting", context: context) }
    }

    @Test("fault-injecting needs registering; the standard registry rejects it at load, listing posix")
    func faultInjectingOptIn() throws {
        let rejected = try ConfigFixture.problem(nil, overrides: ["file_system": "fault-injecting"])
        #expect(rejected?.description.contains("\"fault-injecting\" is not a registered file system; valid names: posix") == true, "\(String(describing: rejected))")

        let registry = ConfigFixture.registryWithFaults
        let loaded = try ConfigFixture.load(nil, overrides: ["file_system": "fault-injecting", "chaos_seed": "7"], registry: registry)
        let options = try loaded.configuration.databaseOptions(registry: registry, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let fileSystem = try #require(options.fileSystem as? FaultInjectingFileSystem)
        #expect(fileSystem.seed == 7)
    }

    @Test("adding an implementation is registering one factory")
    func register() throws {
        struct CollectingSink: AlertSink {
            var name: String { "collect" }
            func send(_ alert: Alert) async {}
        }
        var registry = ComponentRegistry.standard
        registry.alertSinks.register("collect") { _ in CollectingSink() }
        #expect(registry.names(for: .alertSink) == ["collect", "file", "log", "webhook"])
        let loaded = try ConfigFixture.load("alerts: {sinks: [log, collect]}\n", registry: registry)
        let options = try loaded.configuration.databaseOptions(registry: registry, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        #expect(options.alertSinks.map(\.name) == ["log", "collect"])
        #expect(MantisConfiguration.defaultFileText(registry: registry).contains("allowed: collect, file, log, webhook"))

        registry.alertSinks.unregister("collect")
        #expect(!registry.contains("collect", for: .alertSink))
    }

    @Test("databaseOptions fails on a name the registry lacks, even for a configuration built in code")
    func databaseOptionsUnknown() {
        var configuration = MantisConfiguration()
        configuration.transactions.lockPolicy = "optimistic"
        #expect(throws: MantisError.self) { try configuration.databaseOptions(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) }
        #expect(throws: MantisError.self) { try configuration.validate(checkDataDirectory: false) }
    }
}
