/// Every metric MantisDB exports (see `MetricDescription`). Names follow the Prometheus
/// conventions: `mantisdb_` prefix, base units (seconds, bytes) in the name, `_total` counters.
public enum MantisMetrics {
    // MARK: Write-ahead log
    public static let walAppends = MetricDescription("mantisdb_wal_appends_total", .counter, "Records appended to the write-ahead log.")
    public static let walAppendedBytes = MetricDescription("mantisdb_wal_appended_bytes_total", .counter, "Bytes of records appended to the write-ahead log.")
    public static let walFsyncs = MetricDescription("mantisdb_wal_fsyncs_total", .counter, "fdatasync calls issued by the write-ahead log.")
    public static let walFsyncDuration = MetricDescription("mantisdb_wal_fsync_duration_seconds", .histogram, buckets: .latency,
        "Latency of the write-ahead log's fdatasync calls.")
    public static let walGroupCommits = MetricDescription("mantisdb_wal_group_commits_total", .counter,
        "Write-and-sync rounds of the write-ahead log (one fdatasync serving every waiting committer).")
    public static let walGroupCommitRecords = MetricDescription("mantisdb_wal_group_commit_records", .histogram, buckets: .groupSize,
        "Records made durable per group commit.")
    public static let walSegments = MetricDescription("mantisdb_wal_segments", .gauge, "Segment files of the write-ahead log.")
    public static let walSizeBytes = MetricDescription("mantisdb_wal_size_bytes", .gauge, "Bytes of all write-ahead log segment files, preallocated space included.")
    public static let walPendingBytes = MetricDescription("mantisdb_wal_pending_bytes", .gauge, "Encoded records waiting in memory for the next write.")
    public static let walLastLSN = MetricDescription("mantisdb_wal_last_lsn", .gauge, "The last log sequence number assigned.")
    public static let walDurableLSN = MetricDescription("mantisdb_wal_durable_lsn", .gauge, "Every record up to this log sequence number is on stable storage.")
    public static let walDurableLag = MetricDescription("mantisdb_wal_durable_lsn_lag", .gauge,
        "Records assigned but not yet on stable storage (last LSN minus durable LSN).")
    public static let walFailed = MetricDescription("mantisdb_wal_failed", .gauge,
        "1 if the write-ahead log failed (a write or sync error) and accepts no more writes until a restart.")
    public static let walLastSyncTimestamp = MetricDescription("mantisdb_wal_last_sync_timestamp_seconds", .gauge,
        "Unix time of the last completed write-ahead log sync (0 if none).")
    public static let walSegmentsRemoved = MetricDescription("mantisdb_wal_segments_removed_total", .counter,
        "Write-ahead log segments removed (and archived, if configured) after checkpoints.")

    // MARK: Transactions
    public static let transactionsBegun = MetricDescription("mantisdb_transactions_begun_total", .counter, "Transactions begun.")
    public static let transactionCommits = MetricDescription("mantisdb_transactions_commits_total", .counter, labels: ["kind"],
        "Transactions committed, by kind (write, read_only).")
    public static let transactionAborts = MetricDescription("mantisdb_transactions_aborts_total", .counter, labels: ["reason"],
        "Transactions aborted, by reason (rollback, deadlock, serialization_failure, lock_timeout, transaction_timeout, wal_failed, disk_full, memory_limit, read_only, corruption, error).")
    public static let deadlocks = MetricDescription("mantisdb_transactions_deadlocks_total", .counter, "Transactions aborted as deadlock victims.")
    public static let activeTransactions = MetricDescription("mantisdb_transactions_active", .gauge, "Transactions in progress.")
    public static let lockWaits = MetricDescription("mantisdb_transactions_lock_waits_total", .counter, "Lock requests by transactions' writes, granted at once or after a wait.")
    public static let lockWaitDuration = MetricDescription("mantisdb_transactions_lock_wait_seconds", .histogram, buckets: .latency,
        "Each lock request's wait until granted (near zero when granted at once).")
    public static let commitDuration = MetricDescription("mantisdb_transactions_commit_duration_seconds", .histogram, buckets: .latency,
        "Latency of commits made through Database.transaction, from commit call to durable acknowledgement.")

    // MARK: Recovery
    public static let recoveryDuration = MetricDescription("mantisdb_recovery_duration_seconds", .gauge, "How long the last recovery (at open) took.")
    public static let recoveryReplayedRecords = MetricDescription("mantisdb_recovery_replayed_records", .gauge, "Log records read by the last recovery.")
    public static let recoveryReplayedTransactions = MetricDescription("mantisdb_recovery_replayed_transactions", .gauge,
        "Committed transactions redone by the last recovery.")
    public static let recoveryDroppedTransactions = MetricDescription("mantisdb_recovery_dropped_transactions", .gauge,
        "Incomplete transactions dropped by the last recovery.")
    public static let recoveryCleanShutdown = MetricDescription("mantisdb_recovery_clean_shutdown", .gauge,
        "1 if the last open found a clean-shutdown marker, 0 after a crash.")
    public static let recoveryTornTailRepairs = MetricDescription("mantisdb_recovery_torn_tail_repairs", .gauge,
        "Torn log tails the last recovery cut (kept as .broken files).")
    public static let recoveryResult = MetricDescription("mantisdb_recovery_result", .gauge, labels: ["result"],
        "1 for the outcome of the last recovery (normal: open for writes; safe_mode: read-only), 0 for the other.")
    public static let readOnly = MetricDescription("mantisdb_read_only", .gauge, "1 while the database refuses writes (safe mode).")

    // MARK: Checkpoints
    public static let checkpoints = MetricDescription("mantisdb_checkpoints_total", .counter, labels: ["result"],
        "Checkpoints attempted, by result (success, failure).")
    public static let checkpointDuration = MetricDescription("mantisdb_checkpoint_duration_seconds", .histogram, buckets: .long,
        "Time to write, sync and install a checkpoint.")
    public static let checkpointSizeBytes = MetricDescription("mantisdb_checkpoint_last_size_bytes", .gauge, "Size on disk of the newest checkpoint.")
    public static let checkpointUncompressedBytes = MetricDescription("mantisdb_checkpoint_last_uncompressed_bytes", .gauge,
        "Uncompressed size of the newest checkpoint's entries.")
    public static let checkpointKeys = MetricDescription("mantisdb_checkpoint_last_keys", .gauge, "Keys in the newest checkpoint.")
    public static let checkpointRatio = MetricDescription("mantisdb_checkpoint_compression_ratio", .gauge,
        "Uncompressed bytes per byte on disk of the newest checkpoint.")
    public static let checkpointAge = MetricDescription("mantisdb_checkpoint_age_seconds", .gauge,
        "Seconds since the newest checkpoint completed (since open if none yet).")
    public static let checkpointLSN = MetricDescription("mantisdb_checkpoint_last_lsn", .gauge, "Log sequence number of the newest checkpoint.")
    public static let checkpointConsecutiveFailures = MetricDescription("mantisdb_checkpoint_consecutive_failures", .gauge,
        "Checkpoints failed in a row (0 after a success).")
    public static let checkpointInProgress = MetricDescription("mantisdb_checkpoint_in_progress", .gauge, "1 while a checkpoint is being written.")

    // MARK: Integrity
    public static let checksumFailures = MetricDescription("mantisdb_integrity_checksum_failures_total", .counter, labels: ["source"],
        "Data that failed verification, by where it was found (read: a value read by a client, scrub: the background scrubber, recovery: a checkpoint quarantined at open).")
    public static let scrubPasses = MetricDescription("mantisdb_scrub_passes_total", .counter, "Completed scrub passes.")
    public static let scrubBytes = MetricDescription("mantisdb_scrub_bytes_total", .counter, "Bytes re-read and verified by the scrubber.")
    public static let scrubFiles = MetricDescription("mantisdb_scrub_files_total", .counter, "Files verified by the scrubber.")
    public static let scrubProgress = MetricDescription("mantisdb_scrub_progress_ratio", .gauge,
        "Progress of the scrub pass in progress, 0 to 1 (1 when none is running).")
    public static let scrubInProgress = MetricDescription("mantisdb_scrub_in_progress", .gauge, "1 while a scrub pass runs.")
    public static let scrubFindings = MetricDescription("mantisdb_scrub_findings_total", .counter, "Damage (or read errors) the scrubber recorded.")
    public static let scrubUnresolved = MetricDescription("mantisdb_scrub_unresolved_findings", .gauge,
        "Damaged files recovery still depends on (a crash now would end in safe mode).")
    public static let quarantinedFiles = MetricDescription("mantisdb_quarantined_files", .gauge, "Files in the quarantine directory.")

    // MARK: Errors
    public static let errors = MetricDescription("mantisdb_errors_total", .counter, labels: ["code", "class"],
        "Errors returned to callers, by error code and class (transient, resource, corruption, permanent, programming).")

    // MARK: Resources
    public static let diskFree = MetricDescription("mantisdb_disk_free_bytes", .gauge, labels: ["path"],
        "Free bytes on the file system of each guarded directory.")
    public static let diskTotal = MetricDescription("mantisdb_disk_total_bytes", .gauge, labels: ["path"],
        "Size of the file system of each guarded directory.")
    public static let diskReserve = MetricDescription("mantisdb_disk_reserve_bytes", .gauge, labels: ["path"],
        "Free space that must remain on each guarded file system; below it writes are refused.")
    public static let diskBelowReserve = MetricDescription("mantisdb_disk_below_reserve", .gauge, "1 while writes are refused for lack of disk space.")
    public static let diskRefusedWrites = MetricDescription("mantisdb_disk_refused_writes_total", .counter, "Writes refused by the disk reserve.")
    public static let memoryUsed = MetricDescription("mantisdb_memory_used_bytes", .gauge, "Memory held by the store and the log buffers (estimate).")
    public static let memorySoftLimit = MetricDescription("mantisdb_memory_soft_limit_bytes", .gauge, "Memory soft limit (old versions collected, writers slowed past it).")
    public static let memoryHardLimit = MetricDescription("mantisdb_memory_hard_limit_bytes", .gauge, "Memory hard limit (writes refused past it).")
    public static let memoryPressure = MetricDescription("mantisdb_memory_pressure_level", .gauge, "0 normal, 1 past the soft limit, 2 past the hard limit.")
    public static let memoryRefusedWrites = MetricDescription("mantisdb_memory_refused_writes_total", .counter, "Writes refused by the memory hard limit.")
    public static let storeKeys = MetricDescription("mantisdb_store_keys", .gauge, "Live keys in the store.")
    public static let storeVersions = MetricDescription("mantisdb_store_versions", .gauge, "Versions held by the store, tombstones included.")

    // MARK: RPO
    public static let rpoExposure = MetricDescription("mantisdb_rpo_exposure_seconds", .gauge,
        "Seconds since the last durable point while acknowledged-but-undurable writes are pending (0 when none are): what a power loss would lose.")
    public static let rpoTarget = MetricDescription("mantisdb_rpo_target_seconds", .gauge, "The configured recovery-point objective.")

    // MARK: Alerts and audit
    public static let alerts = MetricDescription("mantisdb_alerts_total", .counter, labels: ["name", "severity"],
        "Alert notifications sent to the sinks, by rule and severity.")
    public static let alertsSuppressed = MetricDescription("mantisdb_alerts_suppressed_total", .counter, labels: ["reason"],
        "Alert notifications not sent, by reason (duplicate: already active; rate_limited: held back).")
    public static let alertsActive = MetricDescription("mantisdb_alerts_active", .gauge, labels: ["severity"], "Alerts raised and not yet resolved.")
    public static let alertDeliveryFailures = MetricDescription("mantisdb_alert_delivery_failures_total", .counter, labels: ["sink"],
        "Alerts a sink could not deliver (sent to its fallback instead).")
    public static let auditEntries = MetricDescription("mantisdb_audit_entries_total", .counter, "Entries appended to the audit trail.")
    public static let auditFailures = MetricDescription("mantisdb_audit_failures_total", .counter, "Audit events that could not be recorded.")

    /// The whole catalog.
    public static let all: [MetricDescription] = [
        walAppends, walAppendedBytes, walFsyncs, walFsyncDuration, walGroupCommits, walGroupCommitRecords, walSegments,
        walSizeBytes, walPendingBytes, walLastLSN, walDurableLSN, walDurableLag, walFailed, walLastSyncTimestamp, walSegmentsRemoved,
        transactionsBegun, transactionCommits, transactionAborts, deadlocks, activeTransactions, lockWaits, lockWaitDuration, commitDuration,
        recoveryDuration, recoveryReplayedRecords, recoveryReplayedTransactions, recoveryDroppedTransactions, recoveryCleanShutdown,
        recoveryTornTailRepairs, recoveryResult, readOnly,
        checkpoints, checkpointDuration, checkpointSizeBytes, checkpointUncompressedBytes, checkpointKeys, checkpointRatio,
        checkpointAge, checkpointLSN, checkpointConsecutiveFailures, checkpointInProgress,
        checksumFailures, scrubPasses, scrubBytes, scrubFiles, scrubProgress, scrubInProgress, scrubFindings, scrubUnresolved, quarantinedFiles,
        errors,
        diskFree, diskTotal, diskReserve, diskBelowReserve, diskRefusedWrites, memoryUsed, memorySoftLimit, memoryHardLimit,
        memoryPressure, memoryRefusedWrites, storeKeys, storeVersions,
        rpoExposure, rpoTarget,
        alerts, alertsSuppressed, alertsActive, alertDeliveryFailures, auditEntries, auditFailures,
    ]

    /// The catalog by name.
    public static let byName: [String: MetricDescription] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
