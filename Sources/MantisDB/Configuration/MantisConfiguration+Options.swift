import IntegrityScrubber
import IntegrityKit
import Logging
import MantisCore
import RecoveryKit
import TxnKit
import WALKit

extension MantisConfiguration {
    /// What `Database.open` takes, with every named implementation built by `registry`.
    ///
    /// Every registered checksum and codec is also made readable, so files written under an
    /// earlier configuration still open. A `fault-injecting` file system is announced with a
    /// critical log entry: it is for chaos runs and must never carry real data.
    /// - Throws: `invalidConfiguration` for a name `registry` does not know (listing the valid
    ///   ones), a factory's own error, or an rpo that contradicts the durability.
    public func databaseOptions(registry: ComponentRegistry = .standard, logger: Logger) throws -> DatabaseOptions {
        let context = ComponentContext(configuration: self, logger: logger)
        var options = DatabaseOptions(directory: dataDirectory)
        options.fileSystem = try registry.fileSystems.make(fileSystem, context: context)
        if fileSystem != "posix" {
            logger.critical("file_system is '\(fileSystem)': NOT the real disk's guarantees; for tests and chaos runs only, never for data you need",
                            metadata: ["file_system": "\(fileSystem)", "chaos_seed": "\(chaosSeed)", "data_dir": "\(dataDirectory)"])
        }
        options.walKind = try registry.walKinds.make(wal.kind, context: context)
        options.wal = segmentedWALOptions(logger: logger)
        options.checksum = try registry.checksums.make(integrity.checksum, context: context)
        options.readableChecksums = Self.including(options.checksum, in: registry.checksums.makeAll(context: context), name: \.name)
        options.verifyReads = integrity.verifyReads
        options.diskReserve = try integrity.diskReserve.map { try Self.parseDiskReserve($0) }
        if let hard = integrity.memoryHardLimit {
            options.memoryLimits = MemoryGuard.Options(softLimit: integrity.memorySoftLimit ?? hard * 3 / 4, hardLimit: hard)
        } else if let soft = integrity.memorySoftLimit {
            options.memoryLimits = MemoryGuard.Options(softLimit: soft, hardLimit: Int.max)
        }
        if let interval = integrity.scrubInterval {
            var scrub = ScrubberOptions()
            scrub.interval = interval
            scrub.bytesPerSecond = integrity.scrubRate
            options.scrub = scrub
        } else {
            options.scrub = nil
        }
        options.lockManager = try registry.lockPolicies.make(transactions.lockPolicy, context: context)
        options.transactions = transactionManagerOptions()
        options.retry = retryPolicy()
        options.checkpointCodec = try registry.checkpointCodecs.make(checkpoint.codec, context: context)
        options.readableCodecs = Self.including(options.checkpointCodec, in: registry.checkpointCodecs.makeAll(context: context), name: \.name)
        options.checkpoints = checkpointOptions()
        options.checkpointOnClose = checkpoint.onClose
        options.rpo = rpo
        options.safeMode = safeMode
        options.alertSinks = try alerts.sinks.map { try registry.alertSinks.make($0, context: context) }
        options.observability = observabilityOptions()
        options.logger = logger
        try options.validateRPO()
        return options
    }

    /// The log's options (`wal.*`); the logger receives repairs, rotations and failures.
    public func segmentedWALOptions(logger: Logger) -> SegmentedWALOptions {
        var options = SegmentedWALOptions()
        options.durability = wal.effectiveDurability
        options.segmentSize = Int64(wal.segmentSize)
        options.segmentMaxAge = wal.segmentMaxAge
        options.maxPendingBytes = wal.maxPending
        options.maxRecordSize = wal.maxRecordSize
        options.zeroFillSegments = wal.zeroFillSegments
        options.syncAlignment = wal.syncAlignment
        options.prepareSegmentsAhead = wal.prepareSegmentsAhead
        options.archiveDirectory = wal.archiveDirectory
        options.repairTornTail = wal.repairTornTail
        options.shortRoundBound = wal.loopSyncBound ?? .zero
        options.removalPacing = removalPacing
        options.logger = logger
        return options
    }

    /// `transactions.*` limits.
    public func transactionManagerOptions() -> TransactionManagerOptions {
        var options = TransactionManagerOptions()
        options.transactionTimeout = transactions.timeout
        options.lockTimeout = transactions.lockTimeout
        options.maxRecordPayload = transactions.maxRecordPayload
        options.maxWriteSetBytes = transactions.maxWriteSet
        return options
    }

    /// `transactions.max_attempts` and the retry backoff.
    public func retryPolicy() -> TransactionRetryPolicy {
        var policy = TransactionRetryPolicy()
        policy.maxAttempts = transactions.maxAttempts
        policy.initialDelay = transactions.retryInitialDelay
        policy.maxDelay = transactions.retryMaxDelay
        return policy
    }

    /// `checkpoint.*` triggers, retention and backoff.
    public func checkpointOptions() -> CheckpointOptions {
        var options = CheckpointOptions()
        options.interval = checkpoint.interval
        options.walBytes = checkpoint.walBytes.map { UInt64($0) }
        options.keep = checkpoint.keep
        options.blockSize = checkpoint.blockSize
        options.retryInitialDelay = checkpoint.retryInitialDelay
        options.retryMaxDelay = checkpoint.retryMaxDelay
        options.criticalAfterFailures = checkpoint.criticalAfterFailures
        options.removalPacing = removalPacing
        return options
    }

    /// `removal_chunk` and `removal_pause`: how the log's trimmed segments and old checkpoints
    /// are deleted; nil: unlinked at once. `Database.open` adds the disk-reserve threshold.
    public var removalPacing: RemovalPacing? {
        removalChunk.map { RemovalPacing(chunk: Int64($0), pause: removalPause) }
    }

    /// `server.*`.
    public func respServerOptions() -> RESPServerOptions {
        var options = RESPServerOptions()
        options.host = server.host
        options.port = server.port
        options.maxConnections = server.maxConnections
        options.maxBulkLength = server.maxBulkLength
        options.maxPipelineBytes = server.maxPipelineBytes
        options.maxArrayLength = server.maxArrayLength
        options.idleTimeout = server.idleTimeout
        options.requirePassword = server.requirePassword.flatMap { $0.isEmpty ? nil : $0 }
        options.shutdownGracePeriod = server.shutdownGracePeriod
        return options
    }

    /// `admin.*`.
    public func adminServerOptions() -> AdminServerOptions {
        var options = AdminServerOptions()
        options.enabled = admin.enabled
        options.host = admin.host
        options.port = admin.port
        options.bearerToken = admin.token.flatMap { $0.isEmpty ? nil : $0 }
        return options
    }

    /// The metrics backend `metrics.exporter` names.
    public func metricsBackend(registry: ComponentRegistry = .standard, logger: Logger) throws -> MetricsBackend {
        try registry.metricsExporters.make(metrics.exporter, context: ComponentContext(configuration: self, logger: logger))
    }

    /// `logging.level` as swift-log's level.
    public var logLevel: Logger.Level {
        switch logging.level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }

    /// `all`, with `chosen` first and nothing twice by name.
    static func including<T>(_ chosen: T, in all: [T], name: (T) -> String) -> [T] {
        [chosen] + all.filter { name($0) != name(chosen) }
    }
}

extension MantisConfiguration {
    /// `256MiB`, `1GB`, plain bytes, or `5%` of the file system.
    static func parseDiskReserve(_ text: String) throws -> DiskReserve {
        switch diskReserve(text) {
        case .success(let reserve): return reserve
        case .failure(let problem): throw MantisError(.invalidConfiguration, "integrity.disk_reserve: \"\(text)\" \(problem.reason)")
        }
    }

    struct DiskReserveProblem: Error { var reason: String }

    /// `parseDiskReserve` for validation: what is wrong instead of a throw.
    static func diskReserve(_ text: String) -> Result<DiskReserve, DiskReserveProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let percent = Double(trimmed.dropLast()), percent >= 0, percent <= 100 else {
                return .failure(DiskReserveProblem(reason: "is not a percentage between 0% and 100%"))
            }
            return .success(.percent(percent))
        }
        guard let bytes = try? ConfigurationSyntax.parseSize(trimmed) else {
            return .failure(DiskReserveProblem(reason: "is neither a size (256MiB, 1GB) nor a percentage (5%)"))
        }
        return .success(.bytes(Int64(bytes)))
    }
}
