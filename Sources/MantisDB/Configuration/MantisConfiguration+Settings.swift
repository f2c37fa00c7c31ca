import WALKit

extension MantisConfiguration {
    /// Every configuration key, in file order. The single source of truth for loading,
    /// unknown-key detection, environment-variable names, `config init` and `config check`.
    public static let settings: [ConfigurationSetting] = [
        .string("data_dir", \.dataDirectory,
                "Data directory: wal/, checkpoints/ and quarantine/ live here. Created (mode 0700) if missing; must be writable. Relative paths are taken from the working directory."),
        .component("file_system", \.fileSystem, .fileSystem,
                   "Every byte of disk I/O goes through it. fault-injecting is for chaos runs only: it simulates crashes and fsync failures, and is loudly logged."),
        .integer("chaos_seed", \.chaosSeed, 0...Int.max,
                 "Seed of every random choice of the fault-injecting file system (same seed, same faults). Ignored otherwise."),
        .optionalSize("removal_chunk", \.removalChunk, 4096...(1 << 30),
                      "Trimmed WAL segments and old checkpoints are renamed <file>.removing, then cut from the end this much at a time (removal_pause after each cut) and unlinked: on a file system mounted with discard, unlinking 64 MiB at once stalls the log's fdatasync for 10-20 ms. Within twice integrity.disk_reserve of a full disk, files are unlinked at once. null: always unlinked at once."),
        .duration("removal_pause", \.removalPause, minimum: .zero,
                  "The pause after each cut of removal_chunk (256KiB per 2ms deletes a 64 MiB segment in about 0.6 s). At most 1s."),

        .component("wal.kind", \.wal.kind, .wal, "segmented: files in data_dir/wal. memory: nothing survives the process (tests, caches)."),
        .choice("wal.durability", \.wal.durability,
                "When a commit is acknowledged. sync: after fdatasync (survives power loss). async: after buffering, flushed within flush_interval (a crash loses up to that window). os: after write(2) (survives a process crash, not a power loss)."),
        .duration("wal.flush_interval", \.wal.flushInterval,
                  "With async durability: the longest a write waits before it is made durable. Must not exceed rpo."),
        .size("wal.segment_size", \.wal.segmentSize, (WALFormat.segmentHeaderSize + 4096)...(1 << 40),
              "A segment is sealed and a new one started when the next batch would not fit. At least 4 x sync_alignment."),
        .optionalDuration("wal.segment_max_age", \.wal.segmentMaxAge,
                          "Rotate a segment this old at the next write even if not full; null: only when full."),
        .size("wal.sync_alignment", \.wal.syncAlignment, WALFormat.recordAlignment...WALFormat.maximumSyncAlignment,
              "After each sync the next write starts on a multiple of this, so a torn write never touches a synced sector. A power of two; the device's physical sector size or more (8 disables)."),
        .size("wal.max_pending", \.wal.maxPending, 1...(1 << 40),
              "Encoded records waiting in memory for the writer; an appender past this waits (backpressure)."),
        .size("wal.max_record_size", \.wal.maxRecordSize, 1...WALFormat.maximumPayloadSize,
              "Largest record payload accepted (recordTooLarge past it). Must fit in one segment."),
        .optionalString("wal.archive_dir", \.wal.archiveDirectory,
                        "Segments no longer needed are copied (and fsynced) here before removal; null: removed. Must be writable."),
        .bool("wal.zero_fill_segments", \.wal.zeroFillSegments,
              "Write zeroes over new segments before use so fdatasync has no metadata to flush (about 2x the syncs per second on ext4)."),
        .bool("wal.prepare_segments_ahead", \.wal.prepareSegmentsAhead,
              "Prepare the next segment in the background while the current one fills."),
        .bool("wal.repair_torn_tail", \.wal.repairTornTail,
              "On open, cut a torn tail (an interrupted last write, keeping the bytes in <segment>.broken); false: refuse to open instead."),
        .optionalDuration("wal.loop_sync_bound", \.wal.loopSyncBound,
                          "serve's event loops lead an idle log's sync themselves (sparing two thread wake-ups per lone commit; the loop's other connections wait for that sync) only while the last 16 syncs each took less than this. null: the loops never wait on the disk."),
        .choice("wal.on_failure", \.wal.onFailure,
                "What serve does when the log fails at runtime (a write or fdatasync error; it then accepts no writes until reopened). read-only: stay up, serve reads, refuse writes with the reason. exit: exit with status 75 so a supervisor (systemd Restart=on-failure) restarts it and recovery runs."),

        .component("checkpoint.codec", \.checkpoint.codec, .checkpointCodec,
                   "Compression of new checkpoints. Existing checkpoints open with whatever codec wrote them."),
        .integer("checkpoint.zlib_level", \.checkpoint.zlibLevel, 0...9,
                 "zlib level when codec is zlib: 0 stores, 1 is fastest, 9 compresses most."),
        .optionalDuration("checkpoint.interval", \.checkpoint.interval,
                          "Take a checkpoint this often; null: not on a timer."),
        .optionalSize("checkpoint.wal_bytes", \.checkpoint.walBytes, 1...Int.max,
                      "Take a checkpoint once this many WAL bytes were written since the last; null: no byte trigger."),
        .integer("checkpoint.keep", \.checkpoint.keep, 1...1000,
                 "Checkpoints kept; WAL segments wholly below the oldest kept are archived/removed once two are kept. With 1, each new checkpoint is read back and verified before the previous one and the log below it go."),
        .bool("checkpoint.on_close", \.checkpoint.onClose, "Take a checkpoint on a graceful close (faster next open)."),
        .size("checkpoint.block_size", \.checkpoint.blockSize, 4096...(64 << 20),
              "Uncompressed bytes per compressed, checksummed block."),
        .duration("checkpoint.retry_initial_delay", \.checkpoint.retryInitialDelay,
                  "Backoff after a failed checkpoint: starts here, doubles up to retry_max_delay."),
        .duration("checkpoint.retry_max_delay", \.checkpoint.retryMaxDelay, "Longest backoff between checkpoint attempts."),
        .integer("checkpoint.critical_after_failures", \.checkpoint.criticalAfterFailures, 1...Int.max,
                 "Consecutive checkpoint failures after which the alert turns critical."),

        .optional("rpo", \.rpo, type: .milliseconds,
                  "Recovery-point objective: the most recent writes you accept to lose, in milliseconds (or a duration such as 250ms). 0 requires sync durability; N requires async flushes at most N apart. Watched: a breach raises an alert. null: not watched.",
                  parse: { text throws(ConfigurationSyntax.SyntaxError) in try ConfigurationSyntax.parseDuration(text, bareNumberUnit: .milliseconds(1)) },
                  render: { $0 == .zero ? "0" : ConfigurationSyntax.formatDuration($0) }),

        .component("integrity.checksum", \.integrity.checksum, .checksum,
                   "Checksum of new WAL records and stored values. Files written with another registered algorithm stay readable."),
        .bool("integrity.verify_reads", \.integrity.verifyReads,
              "Verify each value's checksum on every read (a mismatch is reported, never returned)."),
        .optionalDuration("integrity.scrub_interval", \.integrity.scrubInterval,
                          "The background scrubber re-reads and verifies every WAL segment and checkpoint this often; damage is quarantined, alerted and healed by a fresh checkpoint. null: no scrubbing."),
        .optionalSize("integrity.scrub_rate", \.integrity.scrubRate, 1...Int.max,
                      "Bytes per second the scrubber may read (it never competes with commits for long). null: unlimited."),
        .optionalString("integrity.disk_reserve", \.integrity.diskReserve,
                        "Free space that must remain on the data and archive file systems, as a size (256MiB) or a percentage (5%). Below it new writes are refused with a disk_full error naming free space and reserve; reads continue; writes resume when space returns. null: not guarded."),
        .optionalSize("integrity.memory_soft_limit", \.integrity.memorySoftLimit, 1...Int.max,
                      "Past this much memory (store + log buffers) old versions are collected and writers slowed down. null: not guarded."),
        .optionalSize("integrity.memory_hard_limit", \.integrity.memoryHardLimit, 1...Int.max,
                      "Past this much memory writes are refused with memory_limit (deletes still admitted); reads continue. Needs memory_soft_limit below it."),

        .component("transactions.lock_policy", \.transactions.lockPolicy, .lockPolicy,
                   "Deadlock handling. wait-for-graph: detect cycles, abort the youngest. wait-die / wound-wait: prevent by age. timeout: give up after lock_timeout."),
        .duration("transactions.lock_timeout", \.transactions.lockTimeout, "The longest a lock request waits (lockTimeout error)."),
        .duration("transactions.timeout", \.transactions.timeout, "A transaction older than this is aborted at its next step."),
        .size("transactions.max_write_set", \.transactions.maxWriteSet, 1...Int.max,
              "Largest write set (keys + values) one transaction may buffer (resourceExhausted past it)."),
        .size("transactions.max_record_payload", \.transactions.maxRecordPayload, 1...WALFormat.maximumPayloadSize,
              "A commit's writes are split into WAL records of at most this payload. At most wal.max_record_size."),
        .integer("transactions.max_attempts", \.transactions.maxAttempts, 1...1000,
                 "Attempts in all for a transaction that hits a deadlock or serialization failure (1 = no retry)."),
        .duration("transactions.retry_initial_delay", \.transactions.retryInitialDelay,
                  "Retry backoff (full jitter) starts here and doubles up to retry_max_delay."),
        .duration("transactions.retry_max_delay", \.transactions.retryMaxDelay, "Longest retry backoff."),

        .choice("safe_mode", \.safeMode,
                "When recovery finds damage it must not paper over. read-only: open read-only with the reason (writes refused). refuse: do not open."),

        .string("server.host", \.server.host, "RESP (Redis protocol) listen address. Loopback by default."),
        .integer("server.port", \.server.port, 0...65535, "RESP listen port (0: any free port)."),
        .integer("server.max_connections", \.server.maxConnections, 1...Int.max, "Connections beyond this are refused with an error."),
        .size("server.max_bulk_length", \.server.maxBulkLength, 1...Int.max, "Largest bulk string (key or value) accepted."),
        .size("server.max_pipeline_bytes", \.server.maxPipelineBytes, 1...Int.max,
              "Unparsed (pipelined) input one connection may buffer; past it the connection gets an error and is closed. At least max_bulk_length."),
        .integer("server.max_array_length", \.server.maxArrayLength, 1...Int.max, "Most elements in one request array."),
        .optionalDuration("server.idle_timeout", \.server.idleTimeout, "Close connections idle this long; null: never."),
        .optionalString("server.requirepass", \.server.requirePassword, secret: true,
                        "Clients must AUTH with this password first; null: no AUTH. Prefer MANTISDB_SERVER_REQUIREPASS over the file."),
        .duration("server.shutdown_grace_period", \.server.shutdownGracePeriod, minimum: .zero,
                  "On shutdown, how long connections may finish the command in flight before they are closed."),
        .optionalInteger("server.event_loops", \.server.eventLoops, 1...1024,
                         "Event-loop threads serving RESP connections; null: one per core. Fewer loops batch more writes per sync and spend less CPU per write; more serve reads on more cores."),

        .bool("admin.enabled", \.admin.enabled, "Serve the HTTP admin API (health, metrics, status, checkpoint and backup triggers)."),
        .string("admin.host", \.admin.host, "Admin API listen address. Loopback by default: it is for operators on the host."),
        .integer("admin.port", \.admin.port, 0...65535, "Admin API listen port (0: any free port)."),
        .optionalString("admin.token", \.admin.token, secret: true,
                        "When set, every request except /health/* needs Authorization: Bearer <token>. Prefer MANTISDB_ADMIN_TOKEN over the file."),

        .componentList("alerts.sinks", \.alerts.sinks, .alertSink, "Where alerts go; each alert goes to every sink listed. [] sends none."),
        .optionalString("alerts.file_path", \.alerts.filePath,
                        "The file sink's file: one JSON object per alert per line, synced. null: <data_dir>/alerts.jsonl."),
        .size("alerts.file_max_bytes", \.alerts.fileMaxBytes, 4096...Int.max,
              "The file sink rotates its file to <file>.1 (replacing the previous one) when it would grow past this."),
        .optionalString("alerts.webhook_url", \.alerts.webhookURL, secret: true,
                        "The webhook sink POSTs each alert as JSON here: http://host:port/path (plain HTTP; relay to HTTPS endpoints). Retried with backoff behind a circuit breaker; what cannot be delivered is logged. Required by the webhook sink."),
        .duration("alerts.webhook_timeout", \.alerts.webhookTimeout, "Bound on one webhook delivery attempt (connect, send, response)."),
        .optionalDuration("alerts.escalate_after", \.alerts.escalateAfter,
                          "A warning still active this long is sent again as critical. null: never."),
        .duration("alerts.rate_limit", \.alerts.rateLimit, minimum: .zero,
                  "The shortest interval between two raises of the same alert (a flapping condition); a raise inside it is held back and sent when it ends, if still active. Critical alerts are never held. 0: no limit."),
        .optionalDuration("alerts.slow_fsync", \.alerts.slowFsync,
                          "A log sync slower than this, or records waiting this long with no sync completing, raises slow_fsync (warning). null: not watched."),
        .optionalDuration("alerts.long_transaction", \.alerts.longTransaction,
                          "A transaction running longer than this raises long_transaction (warning): it holds locks and keeps old versions. null: not watched."),
        .component("metrics.exporter", \.metrics.exporter, .metricsExporter,
                   "prometheus: served by the admin API at /metrics. none: not collected."),
        .choice("logging.level", \.logging.level, "Least severe log level written."),
        .choice("logging.format", \.logging.format, "text: one human-readable line per entry. json: one JSON object per line."),
    ]

    /// The setting with this dotted key.
    public static func setting(_ key: String) -> ConfigurationSetting? {
        settingsByKey[key]
    }

    static let settingsByKey: [String: ConfigurationSetting] = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })

    static let settingsByEnvironmentVariable: [String: ConfigurationSetting] =
        Dictionary(uniqueKeysWithValues: settings.map { ($0.environmentVariable, $0) })

    /// The section names (`wal`, `checkpoint`…), in file order, with what they hold.
    static let sections: [(name: String, summary: String)] = [
        ("wal", "The write-ahead log: every commit is logged here before it is applied."),
        ("checkpoint", "Compressed snapshots of the store; recovery replays the WAL from the newest good one."),
        ("integrity", "Checksums: corrupt bytes never reach a client."),
        ("transactions", "Locks, limits and retries."),
        ("server", "The RESP (Redis protocol) server."),
        ("admin", "The HTTP admin API."),
        ("alerts", "Alert delivery."),
        ("metrics", "Metrics export."),
        ("logging", "Process logging."),
    ]

    /// The prefix of every environment variable MantisDB reads.
    public static let environmentPrefix = "MANTISDB_"
    /// `MANTISDB_*` variables the process reads itself, before any configuration is loaded: not
    /// settings, and not refused as unknown ones.
    public static let processVariables: Set<String> = [HugePages.optOutVariable]
}
