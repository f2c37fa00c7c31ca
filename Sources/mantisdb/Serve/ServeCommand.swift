import ArgumentParser
import Foundation
import Logging
import MantisCore
import MantisDB
import Metrics
import NIOPosix
import ObservabilityKit
import RecoveryKit
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the database over RESP (redis-cli, redis-py…) with an HTTP admin API.",
        discussion: "With no configuration at all: data in ./mantisdb-data, sync durability, lz4 checkpoints, RESP on 127.0.0.1:7379, admin on 127.0.0.1:7380. SIGTERM/SIGINT shut down gracefully."
    )

    @OptionGroup var configurationOptions: ConfigurationOptions

    func run() async throws {
        let loaded = try configurationOptions.load()
        let configuration = loaded.configuration
        let level = configuration.logLevel
        switch configuration.logging.format {
        case .json: LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        case .text: LoggingSystem.bootstrap { label in TextLogHandler(label: label, level: level) }
        }
        let logger = Logger(label: "mantisdb")
        let registry = ComponentRegistry.executable
        let metrics = try configuration.metricsBackend(registry: registry, logger: logger)
        if let factory = metrics.factory { MetricsSystem.bootstrap(factory) }

        // A port in use fails now, not after the database has opened and replayed its log.
        let respOptions = configuration.respServerOptions()
        let adminOptions = configuration.adminServerOptions()
        try ListenProbe.check(host: respOptions.host, port: respOptions.port, purpose: "RESP", setting: "server.port, --port")
        if adminOptions.enabled {
            try ListenProbe.check(host: adminOptions.host, port: adminOptions.port, purpose: "the HTTP admin API", setting: "admin.port, --admin-port")
        }

        var options = try configuration.databaseOptions(registry: registry, logger: logger)
        options.observability.metricsFactory = metrics.factory
        let started = ContinuousClock.now
        options.recoveryProgress = { progress in
            logger.info("recovery: replaying the log", metadata: [
                "percent": "\(Int(progress.percent))", "records": "\(progress.recordsDone)",
                "mb_per_sec": "\(String.fixed(Double(progress.bytesDone) / 1_000_000 / max(progress.elapsed.seconds, 0.001), digits: 1))",
            ])
        }
        if configuration.wal.kind == "memory" {
            logger.critical("wal.kind is memory: nothing is written to disk, every write is lost when the process exits")
        }
        logger.notice("opening the database", metadata: ["data_dir": "\(options.directory)", "durability": "\(options.wal.durability)"])
        // Recovery logs each of its steps as it takes it (`recovery: …`, also in `/status`).
        let database = try await Database.open(options)
        if case .safe(let reason) = database.mode {
            logger.critical("SAFE MODE: the database is read-only: \(reason). Inspect with `mantisdb recover --dry-run \(options.directory)`.")
        }
        await ConfigurationAudit.record(loaded, file: configurationOptions.file, in: database)
        logger.notice("database open", metadata: ["keys": "\(database.store.statistics.liveKeys)", "open_seconds": "\(String.fixed((ContinuousClock.now - started).seconds, digits: 3))"])

        let trigger = ShutdownTrigger()
        let configView = configuration.effectivePairs() + configuration.redisCompatiblePairs()
        // `server.event_loops`: a group of that many loops, stopped once every service has
        // (connections closed, database closed); otherwise NIO's shared group, one loop per core.
        let loops = configuration.server.eventLoops.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
        let resp = RESPServer(
            database: database, options: respOptions, logger: Logger(label: "mantisdb.resp"),
            configView: { configView },
            onShutdown: { await trigger.trigger() },
            eventLoopGroup: loops ?? MultiThreadedEventLoopGroup.singleton)
        var services: [any Service] = [DatabaseService(database: database, logger: logger)]
        if configuration.wal.onFailure == .exit {
            services.append(LogFailureService(database: database, logger: logger))
        }
        if adminOptions.enabled {
            let admin = AdminServer(
                database: database, options: adminOptions, healthChecks: DatabaseHealthChecks.all(for: database),
                metrics: {
                    guard metrics.factory != nil else { return nil }
                    database.observability.refreshMetrics()
                    return metrics.render()
                },
                backup: { destination in
                    let manifest = try await Backup.create(from: database, to: destination, actor: "admin-http")
                    return String(decoding: try manifest.encoded(), as: UTF8.self)
                },
                logger: Logger(label: "mantisdb.admin"))
            services.append(admin.application())
        }
        services.append(resp)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        trigger.attach(group)
        do {
            try await group.run()
        } catch {
            try? await loops?.shutdownGracefully()
            throw error
        }
        try await loops?.shutdownGracefully()
    }
}

