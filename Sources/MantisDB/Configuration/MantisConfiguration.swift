import MantisCore

/// Every operator setting of MantisDB, with its default: the values a config file, `MANTISDB_*`
/// environment variables and command-line overrides set (see `Docs/configuration.md`).
///
/// A plain value: it names implementations (`file_system: posix`, `checkpoint.codec: lz4`)
/// rather than holding them; `databaseOptions(registry:logger:)` turns the names into instances
/// through a `ComponentRegistry`. `MantisConfiguration()` is the embedded default — what runs with
/// no config file at all: data in `./mantisdb-data`, `sync` durability (no acknowledged write is
/// ever lost), lz4 checkpoints, RESP on 127.0.0.1:7379, admin HTTP on 127.0.0.1:7380.
///
/// A value built in code is not validated; `load(file:environment:overrides:)` is, and
/// `validate(registry:checkDataDirectory:)` checks one built in code.
public struct MantisConfiguration: Sendable, Hashable {
    /// `data_dir`: where the WAL, checkpoints and quarantine live. Relative paths are taken from
    /// the working directory of the process.
    public var dataDirectory = "./mantisdb-data"
    /// `file_system`: the `FileSystem` implementation (`posix`; `fault-injecting` for chaos runs).
    public var fileSystem = "posix"
    /// `chaos_seed`: the seed of every random choice of the `fault-injecting` file system.
    public var chaosSeed = 0
    /// `removal_chunk`: trimmed segments and old checkpoints are cut from the end this much at a
    /// time before they are unlinked; nil: unlinked at once.
    public var removalChunk: Int? = 256 << 10
    /// `removal_pause`: the pause after each cut.
    public var removalPause: Duration = .milliseconds(2)
    public var wal = WAL()
    public var checkpoint = Checkpoint()
    /// `rpo`: the most recent writes an operator accepts to lose. 0 requires `sync` durability;
    /// nil (`null`) turns the RPO monitor off.
    public var rpo: Duration? = .zero
    public var integrity = Integrity()
    public var transactions = Transactions()
    /// `safe_mode`: what to do when recovery finds damage it must not paper over.
    public var safeMode = DatabaseOptions.SafeModePolicy.readOnly
    public var server = Server()
    public var admin = Admin()
    public var alerts = Alerts()
    public var metrics = Metrics()
    public var logging = Logging()

    /// The embedded default.
    public init() {}

    /// The embedded default (the same as `MantisConfiguration()`).
    public static var embeddedDefault: MantisConfiguration { MantisConfiguration() }

    /// `wal.*`: the write-ahead log.
    public struct WAL: Sendable, Hashable {
        /// `wal.kind`: `segmented` (files) or `memory` (nothing survives the process).
        public var kind = "segmented"
        /// `wal.durability`: when a commit is acknowledged.
        public var durability = DurabilityMode.sync
        /// `wal.flush_interval`: with `async` durability, the longest a write waits to be made durable.
        public var flushInterval: Duration = .milliseconds(10)
        public var segmentSize = 64 << 20
        /// `wal.segment_max_age`: rotate a segment this old at the next write; nil never.
        public var segmentMaxAge: Duration?
        public var syncAlignment = 4096
        public var maxPending = 32 << 20
        public var maxRecordSize = 16 << 20
        /// `wal.archive_dir`: removed segments are copied here first; nil deletes them.
        public var archiveDirectory: String?
        public var zeroFillSegments = true
        public var prepareSegmentsAhead = true
        public var repairTornTail = true
        /// `wal.loop_sync_bound`: event loops lead a sync only while the recent ones were all
        /// shorter; nil: never.
        public var loopSyncBound: Duration? = .milliseconds(1)
        /// `wal.on_failure`: what `mantisdb serve` does when the log fails at runtime.
        public var onFailure = LogFailurePolicy.readOnly

        public init() {}

        /// The WAL's `Durability` (`async` carries the flush interval).
        public var effectiveDurability: Durability {
            switch durability {
            case .sync: .sync
            case .async: .async(flushInterval: flushInterval)
            case .os: .os
            }
        }
    }

    /// The acknowledgement levels of `wal.durability`.
    public enum DurabilityMode: String, Sendable, Hashable, CaseIterable {
        /// After fdatasync: survives power loss.
        case sync
        /// After the in-process buffer; made durable within `wal.flush_interval`.
        case async
        /// After write(2): survives a process crash, not a power loss.
        case os
    }

    /// The choices of `wal.on_failure`. After a write or `fdatasync` error the log accepts no more
    /// writes (a failed sync is never retried); only reopening it, which runs recovery, does.
    public enum LogFailurePolicy: String, Sendable, Hashable, CaseIterable {
        /// Stay up: reads are served, writes refused with the failure until a restart.
        case readOnly = "read-only"
        /// Exit with status 75 (`EX_TEMPFAIL`), so a supervisor restarts the server and recovery
        /// runs; until then nothing is served.
        case exit
    }

    /// `checkpoint.*`: compressed snapshots and what is kept.
    public struct Checkpoint: Sendable, Hashable {
        public var codec = "lz4"
        public var zlibLevel = 1
        /// nil: never on a timer.
        public var interval: Duration? = .seconds(300)
        /// nil: no WAL-bytes trigger.
        public var walBytes: Int? = 256 << 20
        public var keep = 2
        public var onClose = true
        public var blockSize = 1 << 20
        public var retryInitialDelay: Duration = .seconds(1)
        public var retryMaxDelay: Duration = .seconds(60)
        public var criticalAfterFailures = 3

        public init() {}
    }

    /// `integrity.*`: checksums.
    public struct Integrity: Sendable, Hashable {
        public var checksum = "crc32"
        public var verifyReads = true
        public var scrubInterval: Duration? = .seconds(3600)
        public var scrubRate: Int? = 20_000_000
        public var diskReserve: String? = "256MiB"
        public var memorySoftLimit: Int?
        public var memoryHardLimit: Int?

        public init() {}
    }

    /// `transactions.*`: locks, limits and retries.
    public struct Transactions: Sendable, Hashable {
        public var lockPolicy = "wait-for-graph"
        public var lockTimeout: Duration = .seconds(5)
        public var timeout: Duration = .seconds(60)
        public var maxWriteSet = 256 << 20
        public var maxRecordPayload = 1 << 20
        /// Attempts in all of `Database.transaction` on deadlock / serialization failure (1 = no retry).
        public var maxAttempts = 10
        public var retryInitialDelay: Duration = .milliseconds(1)
        public var retryMaxDelay: Duration = .milliseconds(200)

        public init() {}
    }

    /// `server.*`: the RESP (Redis protocol) server.
    public struct Server: Sendable, Hashable {
        public var host = "127.0.0.1"
        public var port = 7379
        public var maxConnections = 1024
        public var maxBulkLength = 16 << 20
        public var maxPipelineBytes = 128 << 20
        public var maxArrayLength = 1 << 20
        /// nil: idle connections are never closed.
        public var idleTimeout: Duration?
        /// `server.requirepass`: clients must AUTH with it first; nil (or empty) disables AUTH.
        public var requirePassword: String?
        /// `server.shutdown_grace_period`: how long a shutdown lets commands in flight finish.
        public var shutdownGracePeriod: Duration = .seconds(10)
        /// `server.event_loops`: the RESP server's event-loop threads; nil: one per core.
        public var eventLoops: Int?

        public init() {}
    }

    /// `admin.*`: the HTTP admin API.
    public struct Admin: Sendable, Hashable {
        public var enabled = true
        public var host = "127.0.0.1"
        public var port = 7380
        /// `admin.token`: bearer token every request except `/health/*` needs; nil: none.
        public var token: String?

        public init() {}
    }

    /// `alerts.*`
    public struct Alerts: Sendable, Hashable {
        /// `alerts.sinks`: registry names of the alert sinks, each alert goes to all of them.
        public var sinks = ["log"]
        /// `alerts.file_path`: the `file` sink's JSON-lines file; nil: `<data_dir>/alerts.jsonl`.
        public var filePath: String?
        /// `alerts.file_max_bytes`: past this the file is rotated to `<file>.1`.
        public var fileMaxBytes = 64 << 20
        /// `alerts.webhook_url`: where the `webhook` sink posts (`http://host:port/path`).
        public var webhookURL: String?
        /// `alerts.webhook_timeout`: bound on one delivery attempt.
        public var webhookTimeout: Duration = .seconds(5)
        /// `alerts.escalate_after`: a warning still active this long is re-sent as critical; nil: never.
        public var escalateAfter: Duration? = .seconds(900)
        /// `alerts.rate_limit`: the shortest interval between two raises of one alert.
        public var rateLimit: Duration = .seconds(60)
        /// `alerts.slow_fsync`: a log sync slower than this raises `slow_fsync`; nil: not watched.
        public var slowFsync: Duration? = .seconds(1)
        /// `alerts.long_transaction`: a transaction running longer raises `long_transaction`; nil: not watched.
        public var longTransaction: Duration? = .seconds(30)

        public init() {}
    }

    /// `metrics.*`
    public struct Metrics: Sendable, Hashable {
        public var exporter = "prometheus"

        public init() {}
    }

    /// `logging.*`
    public struct Logging: Sendable, Hashable {
        public var level = LogLevel.info
        public var format = LogFormat.text

        public init() {}
    }

    /// `logging.level`, the swift-log levels.
    public enum LogLevel: String, Sendable, Hashable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// `logging.format`: human-readable lines or one JSON object per line.
    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        case text, json
    }
}
