import Logging
import NIOCore
import Synchronization

/// What every connection of one server shares: the database, the options, the counters, the
/// registry of connections and the scan cursors.
final class RESPServerContext: Sendable {
    let database: Database
    let options: RESPServerOptions
    let logger: Logger
    let configView: (@Sendable () -> [(String, String)])?
    let onShutdown: (@Sendable () async -> Void)?
    let statistics = RESPServerStatistics()
    let registry: RESPConnectionRegistry
    let cursors = RESPScanCursors()
    let startedAt = ContinuousClock.now
    let port = Atomic<Int>(0)

    init(database: Database, options: RESPServerOptions, logger: Logger,
         configView: (@Sendable () -> [(String, String)])?, onShutdown: (@Sendable () async -> Void)?) {
        self.database = database
        self.options = options
        self.logger = logger
        self.configView = configView
        self.onShutdown = onShutdown
        self.registry = RESPConnectionRegistry(maxConnections: options.maxConnections)
    }

    private let coalescers = Mutex<[ObjectIdentifier: NIOLoopBound<RESPCommitCoalescer>]>([:])

    /// The commit coalescer of `loop`; call on `loop`.
    func coalescer(for loop: any EventLoop) -> RESPCommitCoalescer {
        coalescers.withLock { table in
            if let existing = table[ObjectIdentifier(loop)] { return existing.value }
            let created = RESPCommitCoalescer(loop: loop, server: self)
            table[ObjectIdentifier(loop)] = NIOLoopBound(created, eventLoop: loop)
            return created
        }
    }

    /// Most ops one pipeline batch (one transaction) takes, and most bytes of keys and values.
    static let maxBatchOps = 1024
    static let maxBatchBytes = 8 << 20
}
