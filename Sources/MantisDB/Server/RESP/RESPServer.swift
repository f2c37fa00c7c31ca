import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A Redis-protocol (RESP2 and RESP3) server over a `Database`, so `redis-cli`,
/// `redis-benchmark` and Redis client libraries work unchanged, pipelining included.
///
/// Guarantees:
/// - **A write is acknowledged only once durable.** A reply to a command that changed data is
///   written only after the database call returned, i.e. after the commit met the WAL's
///   durability level (with `sync`, on stable storage). A failed commit gets an error reply
///   and changed nothing.
/// - **Order.** Each connection's commands run in the order they were sent, and replies come
///   back in that order. A pipeline's run of key-value commands commits as one transaction
///   (never weaker than one transaction per command).
/// - **Isolation of failures.** Malformed input, an oversized request or an idle timeout
///   close only that connection (after a `-ERR Protocol error: …` reply where there is one).
/// - **Bounded.** Connections (`maxConnections`), request sizes (`maxBulkLength`,
///   `maxArrayLength`), buffered input (`maxPipelineBytes`), batches, `MULTI` queues and scan
///   cursors all have limits; past one, a clear error, never a crash.
/// - **Graceful shutdown.** `shutdown()` stops accepting, lets each connection finish the command
///   in flight (up to `shutdownGracePeriod`), then closes them. It does not close the database.
///
/// Connections are NIO channels on the event loop group. Reads run inline, everything that awaits
/// the database runs in a task (see `RESPConnectionHandler`); a loop blocks only to lead a short
/// log round while the disk is fast (see `RESPCommitCoalescer`).
public final class RESPServer: Sendable {
    /// The version reported by `HELLO` and `INFO`.
    public static let version = "0.1.0"

    public let options: RESPServerOptions
    let context: RESPServerContext
    let group: any EventLoopGroup
    private let state = Mutex(Lifecycle())

    private struct Lifecycle {
        enum Phase { case idle, starting, running, stopping, stopped }
        var phase = Phase.idle
        var channel: (any Channel)?
        var stopped: [CheckedContinuation<Void, Never>] = []
    }

    /// - Parameters:
    ///   - configView: the configuration `CONFIG GET` shows (name, value pairs); nil shows nothing.
    ///   - onShutdown: what `SHUTDOWN` asks for (e.g. stop the server and close the database);
    ///     nil refuses `SHUTDOWN`.
    ///   - eventLoopGroup: where connections run (default: NIO's shared group, one loop per core).
    public init(
        database: Database,
        options: RESPServerOptions,
        logger: Logger = Logger(label: "mantisdb.resp"),
        configView: (@Sendable () -> [(String, String)])? = nil,
        onShutdown: (@Sendable () async -> Void)? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.options = options
        self.group = eventLoopGroup
        self.context = RESPServerContext(database: database, options: options, logger: logger,
                                         configView: configView, onShutdown: onShutdown)
    }

    /// The port the server listens on once `start()` returned (0 before); the real port when
    /// `options.port` is 0.
    public var boundPort: Int { context.port.load(ordering: .acquiring) }

    /// Open connections.
    public var connectionCount: Int { context.registry.count }

    /// The listening socket's setup (backlog 511, address reuse, no Nagle delay, up to 16 reads
    /// per wake-up), with `handler()` making each connection's handler on its event loop. Shared
    /// with `mantisdb bench resp-floor`, which measures this stack with nothing behind it.
    public static func bootstrap(group: any EventLoopGroup, handler: @escaping @Sendable () -> any ChannelHandler) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 511)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
    }

    /// Binds and starts accepting; returns once listening. Throws if binding fails.
    public func start() async throws {
        let proceed = state.withLock { state -> Bool in
            guard state.phase == .idle else { return false }
            state.phase = .starting
            return true
        }
        guard proceed else { return }
        let context = self.context
        let bootstrap = Self.bootstrap(group: group) { RESPConnectionHandler(server: context) }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: options.host, port: options.port).get()
        } catch {
            state.withLock { $0.phase = .idle }
            throw ListenProbe.failure(options.host, options.port, "RESP", "server.port, --port", "\(error)", errno: (error as? IOError)?.errnoCode)
        }
        context.port.store(channel.localAddress?.port ?? options.port, ordering: .releasing)
        let stopNow = state.withLock { state -> Bool in
            guard state.phase == .starting else { return true }  // shutdown() came meanwhile
            state.phase = .running
            state.channel = channel
            return false
        }
        if stopNow {
            try? await channel.close()
            return
        }
        context.logger.info("RESP server listening", metadata: ["host": "\(options.host)", "port": "\(boundPort)"])
    }

    /// Starts (if not started) and serves until `shutdown()`, task cancellation or, in a
    /// service group, graceful shutdown — each of which shuts down gracefully before it returns.
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await waitUntilStopped()
            } onCancel: {
                Task { await self.shutdown() }
            }
        } onGracefulShutdown: {
            Task { await self.shutdown() }
        }
    }

    /// Stops accepting, lets every connection finish its command in flight and closes it (after
    /// `options.shutdownGracePeriod`, what is left is closed anyway). Returns when all are closed.
    /// Safe to call more than once and concurrently.
    public func shutdown() async {
        let (first, channel) = state.withLock { state -> (Bool, (any Channel)?) in
            switch state.phase {
            case .idle, .starting:
                state.phase = .stopped
                return (false, nil)
            case .running:
                state.phase = .stopping
                return (true, state.channel)
            case .stopping, .stopped:
                return (false, nil)
            }
        }
        guard first else {
            await waitUntilStopped()
            return
        }
        try? await channel?.close()
        let registry = context.registry
        registry.closeAll()
        let grace = options.shutdownGracePeriod
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await registry.waitUntilEmpty() }
            group.addTask {
                try? await Task.sleep(for: grace)
                registry.forceCloseAll()
            }
            await group.next()
            group.cancelAll()
        }
        await registry.waitUntilEmpty()
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.phase = .stopped
            state.channel = nil
            defer { state.stopped = [] }
            return state.stopped
        }
        for waiter in waiters { waiter.resume() }
        context.logger.info("RESP server stopped")
    }

    private func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.phase == .stopped { return true }
                state.stopped.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

extension RESPServer: Service {}
