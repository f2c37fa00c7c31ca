import IntegrityKit
import LZ4Codec
import Logging
import MantisCore
import Metrics
import ObservabilityKit
import TxnKit
import ZlibCodec

/// The one place implementation names map to instances. Each extension point is a table of
/// name → factory; adding an implementation is registering one factory:
///
/// ```swift
/// var registry = ComponentRegistry.standard
/// registry.alertSinks.register("file") { context in FileAlertSink(path: …, logger: context.logger) }
/// ```
///
/// `standard` holds every implementation the MantisDB library itself links. `fault-injecting`
/// lives in `MantisCoreTesting`, which the library does not depend on; a test (or an executable
/// linking `MantisCoreTesting`) registers it with one factory:
///
/// ```swift
/// registry.fileSystems.register("fault-injecting") { context in
///     FaultInjectingFileSystem(seed: UInt64(context.configuration.chaosSeed),
///                              backingDirectory: context.configuration.dataDirectory)
/// }
/// ```
public struct ComponentRegistry: Sendable {
    public var fileSystems = ComponentTable<any FileSystem>(.fileSystem)
    /// `DatabaseOptions.walKind` values (`Database.open` builds the log itself).
    public var walKinds = ComponentTable<DatabaseOptions.WALKind>(.wal)
    public var checksums = ComponentTable<any ChecksumAlgorithm>(.checksum)
    public var checkpointCodecs = ComponentTable<any CheckpointCodec>(.checkpointCodec)
    /// Lock managers, one per deadlock policy; `transactions.lock_timeout` is their default timeout.
    public var lockPolicies = ComponentTable<any LockManager>(.lockPolicy)
    public var alertSinks = ComponentTable<any AlertSink>(.alertSink)
    public var metricsExporters = ComponentTable<MetricsBackend>(.metricsExporter)

    /// Empty tables.
    public init() {}

    /// The registered names of one extension point, sorted.
    public func names(for point: ExtensionPoint) -> [String] {
        switch point {
        case .fileSystem: fileSystems.names
        case .wal: walKinds.names
        case .checksum: checksums.names
        case .checkpointCodec: checkpointCodecs.names
        case .lockPolicy: lockPolicies.names
        case .alertSink: alertSinks.names
        case .metricsExporter: metricsExporters.names
        }
    }

    /// Whether `name` is registered for `point`.
    public func contains(_ name: String, for point: ExtensionPoint) -> Bool {
        names(for: point).contains(name)
    }

    /// Every implementation the MantisDB library links:
    ///
    /// | extension point | names |
    /// |---|---|
    /// | file system | `posix` |
    /// | WAL kind | `segmented`, `memory` |
    /// | checksum | `crc32`, `crc32c` |
    /// | checkpoint codec | `lz4`, `zlib` (level `checkpoint.zlib_level`), `none` |
    /// | lock policy | `wait-for-graph`, `wait-die`, `wound-wait`, `timeout` |
    /// | alert sink | `log`, `file` (`alerts.file_path`), `webhook` (`alerts.webhook_url`) |
    /// | metrics exporter | `prometheus`, `none` |
    public static var standard: ComponentRegistry {
        var registry = ComponentRegistry()
        registry.fileSystems.register("posix") { _ in PosixFileSystem() }

        registry.walKinds.register("segmented") { _ in .segmented }
        registry.walKinds.register("memory") { _ in .memory }

        registry.checksums.register("crc32") { _ in CRC32Checksum() }
        registry.checksums.register("crc32c") { _ in CRC32CChecksum() }

        registry.checkpointCodecs.register("lz4") { _ in try LZ4CheckpointCodec() }
        registry.checkpointCodecs.register("zlib") { context in try ZlibCheckpointCodec(level: context.configuration.checkpoint.zlibLevel) }
        registry.checkpointCodecs.register("none") { _ in NoneCheckpointCodec() }

        registry.lockPolicies.register(WaitForGraphLockManager.policyName) { context in
            WaitForGraphLockManager(defaultTimeout: context.configuration.transactions.lockTimeout)
        }
        registry.lockPolicies.register(WaitDieLockManager.policyName) { context in
            WaitDieLockManager(defaultTimeout: context.configuration.transactions.lockTimeout)
        }
        registry.lockPolicies.register(WoundWaitLockManager.policyName) { context in
            WoundWaitLockManager(defaultTimeout: context.configuration.transactions.lockTimeout)
        }
        registry.lockPolicies.register(TimeoutLockManager.policyName) { context in
            TimeoutLockManager(defaultTimeout: context.configuration.transactions.lockTimeout)
        }

        registry.alertSinks.register("log") { context in LoggingAlertSink(logger: context.logger) }
        registry.alertSinks.register("file") { context in context.configuration.fileAlertSink(logger: context.logger) }
        registry.alertSinks.register("webhook") { context in try context.configuration.webhookAlertSink(logger: context.logger) }

        registry.metricsExporters.register("prometheus") { _ in MetricsBackend.prometheus() }
        registry.metricsExporters.register("none") { _ in MetricsBackend.none }
        return registry
    }
}

/// A metrics backend chosen by `metrics.exporter`: the swift-metrics factory to bootstrap
/// `MetricsSystem` with, and the text the admin API serves at `/metrics`.
public struct MetricsBackend: Sendable {
    public let name: String
    /// Bootstrap `MetricsSystem` with this once per process; nil: metrics are not collected.
    public let factory: (any MetricsFactory)?
    /// The exposition text for `/metrics` (empty without an exporter).
    public let render: @Sendable () -> String

    public init(name: String, factory: (any MetricsFactory)?, render: @escaping @Sendable () -> String) {
        self.name = name
        self.factory = factory
        self.render = render
    }

    /// A fresh Prometheus registry and its factory (`PrometheusExporter`: help text and buckets
    /// from the metric catalog); `render` is the text exposition format.
    public static func prometheus() -> MetricsBackend {
        let exporter = PrometheusExporter()
        return MetricsBackend(name: "prometheus", factory: exporter, render: { exporter.render() })
    }

    /// No metrics.
    public static var none: MetricsBackend { MetricsBackend(name: "none", factory: nil, render: { "" }) }
}
