import Logging
import MantisCore

/// The swappable parts of MantisDB that configuration chooses by name.
public enum ExtensionPoint: String, Sendable, Hashable, CaseIterable {
    case fileSystem = "file system"
    case wal = "WAL kind"
    case checksum = "checksum algorithm"
    case checkpointCodec = "checkpoint codec"
    case lockPolicy = "lock policy"
    case alertSink = "alert sink"
    case metricsExporter = "metrics exporter"

    /// The configuration key that names it.
    public var configurationKey: String {
        switch self {
        case .fileSystem: "file_system"
        case .wal: "wal.kind"
        case .checksum: "integrity.checksum"
        case .checkpointCodec: "checkpoint.codec"
        case .lockPolicy: "transactions.lock_policy"
        case .alertSink: "alerts.sinks"
        case .metricsExporter: "metrics.exporter"
        }
    }
}

/// What a factory gets: the whole configuration (each factory reads the settings it needs, such
/// as `checkpoint.zlib_level` or `data_dir`) and the logger to use.
public struct ComponentContext: Sendable {
    public var configuration: MantisConfiguration
    public var logger: Logger

    public init(configuration: MantisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }
}

/// One extension point's implementations: registry name → factory.
///
/// `make` builds a fresh instance each call (lock managers and file systems carry state).
/// An unknown name throws `invalidConfiguration` naming the configuration key and listing every
/// registered name.
public struct ComponentTable<Component>: Sendable {
    public typealias Factory = @Sendable (ComponentContext) throws -> Component

    public let extensionPoint: ExtensionPoint
    private var factories: [String: Factory] = [:]
    /// Registration order, for listings.
    private var order: [String] = []

    public init(_ extensionPoint: ExtensionPoint) {
        self.extensionPoint = extensionPoint
    }

    /// Adds (or replaces) the implementation called `name`.
    public mutating func register(_ name: String, _ factory: @escaping Factory) {
        if factories.updateValue(factory, forKey: name) == nil { order.append(name) }
    }

    /// Removes `name` (e.g. to forbid an implementation in a deployment).
    public mutating func unregister(_ name: String) {
        factories[name] = nil
        order.removeAll { $0 == name }
    }

    /// Every registered name, sorted.
    public var names: [String] { order.sorted() }

    public func contains(_ name: String) -> Bool { factories[name] != nil }

    /// A new instance of `name`.
    public func make(_ name: String, context: ComponentContext) throws -> Component {
        guard let factory = factories[name] else { throw unknownNameError(name) }
        return try factory(context)
    }

    /// One instance of each registered implementation that can be built (those whose factory
    /// throws are skipped), in name order.
    public func makeAll(context: ComponentContext) -> [Component] {
        names.compactMap { try? factories[$0]?(context) }
    }

    /// `unknown <point> "x" for <key>; valid names: a, b`.
    public func unknownNameError(_ name: String) -> MantisError {
        MantisError(
            .invalidConfiguration,
            "\(extensionPoint.configurationKey): unknown \(extensionPoint.rawValue) \"\(name)\"; valid names: \(names.joined(separator: ", "))\(Spelling.hint(for: name, among: names))",
            context: ErrorContext(operation: "component lookup", metadata: ["key": extensionPoint.configurationKey, "name": name]))
    }
}
