import IntegrityKit
import IntegrityScrubber
import LZ4Codec
import Logging
import MantisCore
import RecoveryKit
import TxnKit
import WALKit
import ZlibCodec

/// Everything `Database.open` needs. Components are values passed in, never globals: swap the
/// file system, checksum, log or lock manager by passing another one.
public struct DatabaseOptions: Sendable {
    /// The data directory: `wal/` and (with recovery) `checkpoints/`, `quarantine/` live here.
    public var directory: String
    /// True (the default): `Database.open` creates a new, empty database in `directory` if none is
    /// there. False: it refuses a path that is not an existing data directory (`DataDirectoryCheck`)
    /// and creates nothing; the offline tools open this way, so a mistyped path is an error.
    public var createIfMissing = true
    public var fileSystem: any FileSystem = PosixFileSystem()
    /// Checksum of WAL records and of values in the store.
    public var checksum: any ChecksumAlgorithm = CRC32Checksum()
    /// `segmented` (files) or `memory` (nothing survives the process).
    public var walKind: WALKind = .segmented
    public var wal = SegmentedWALOptions()
    /// The lock manager (and so the deadlock policy); nil = `wait-for-graph`.
    public var lockManager: (any LockManager)?
    public var transactions = TransactionManagerOptions()
    /// Verify each value's checksum on every read (a mismatch is reported, never returned).
    public var verifyReads = true
    /// Every checksum algorithm existing files may use (the configured one is used for new data).
    public var readableChecksums: [any ChecksumAlgorithm] = ChecksumAlgorithms.all
    /// The codec new checkpoints are compressed with.
    public var checkpointCodec: any CheckpointCodec = (try? LZ4CheckpointCodec()) ?? NoneCheckpointCodec()
    /// Every codec existing checkpoints may use.
    public var readableCodecs: [any CheckpointCodec] = DatabaseOptions.allCodecs
    public var checkpoints = CheckpointOptions()
    /// Take a checkpoint on a graceful close (faster next open).
    public var checkpointOnClose = false
    /// The most recent writes an operator accepts to lose; watched, alerting on breach. Nil: not watched.
    public var rpo: Duration?
    /// What to do when recovery finds damage it must not paper over.
    public var safeMode = SafeModePolicy.readOnly
    /// Where alerts go (through an `AlertManager`: see `observability.alertPolicy`).
    public var alertSinks: [any AlertSink] = []
    /// Metrics, alert rules and policy, the audit trail.
    public var observability = DatabaseObservability.Options()
    /// How often superseded versions no snapshot can see are freed (nil: only under memory
    /// pressure), and transactions past `transactions.transactionTimeout` aborted (nil: only at
    /// their next step).
    public var garbageCollectionInterval: Duration? = .seconds(1)
    /// More guards consulted before every commit's writes are logged.
    public var writeAdmission: [any WriteAdmission] = []
    /// Free space that must remain on the data (and archive) file system; below it writes are
    /// refused with `diskFull` and resume by themselves. Nil: not guarded.
    public var diskReserve: DiskReserve? = .bytes(256 << 20)
    /// Memory limits of the store and log buffers (soft: collect and slow writers; hard: refuse
    /// writes). Nil: not guarded.
    public var memoryLimits: MemoryGuard.Options?
    /// The background scrubber re-verifying the log and checkpoints. Nil: no scrubbing.
    public var scrub: ScrubberOptions? = ScrubberOptions()
    /// The checksum of values held in memory (never written to disk): CRC-32C is ~6x cheaper
    /// per read than zlib's CRC-32 on 100-byte values.
    public var valueChecksum: any ChecksumAlgorithm = CRC32CChecksum()
    /// Called during a long replay.
    public var recoveryProgress: (@Sendable (RecoveryProgress) -> Void)?
    /// How `Database.transaction` retries deadlocks and serialization failures.
    public var retry = TransactionRetryPolicy()
    public var logger = Logger(label: "mantisdb", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(directory: String) {
        self.directory = directory
    }

    /// `rpo: 0` requires `sync` durability; an RPO of N requires async flushes at most N apart.
    public func validateRPO() throws {
        guard let rpo else { return }
        switch wal.durability {
        case .sync: break
        case .os:
            throw MantisError(.invalidConfiguration, "an rpo cannot be met with wal durability 'os', which syncs the log on no schedule (a power loss can take every write since the last sync); set rpo to nil, or use 'sync' (or 'async' with a flush interval within the rpo)",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "rpo"]))
        case .async where rpo == .zero:
            throw MantisError(.invalidConfiguration, "rpo 0 (no acknowledged write may be lost) requires wal durability 'sync', not '\(wal.durability)'",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "rpo"]))
        case .async(let interval) where interval > rpo:
            throw MantisError(.invalidConfiguration, "the async flush interval \(interval) exceeds the rpo \(rpo): writes could stay undurable longer than the rpo allows",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "rpo"]))
        default: break
        }
    }

    public enum WALKind: String, Sendable, CaseIterable {
        case segmented
        case memory
    }

    public enum SafeModePolicy: String, Sendable, CaseIterable {
        /// Open read-only with the reason; writes are refused with `readOnly`.
        case readOnly = "read-only"
        /// Refuse to open: `open` throws with the reason.
        case refuse
    }

    /// `none`, `zlib` (level 1) and `lz4`.
    public static var allCodecs: [any CheckpointCodec] {
        var codecs: [any CheckpointCodec] = [NoneCheckpointCodec()]
        if let zlib = try? ZlibCheckpointCodec() { codecs.append(zlib) }
        if let lz4 = try? LZ4CheckpointCodec() { codecs.append(lz4) }
        return codecs
    }
}

/// Bounded retries with exponential backoff and full jitter for transactions that failed with
/// a deadlock or a serialization failure.
public struct TransactionRetryPolicy: Sendable {
    /// Attempts in all (1 = no retry).
    public var maxAttempts = 10
    public var initialDelay: Duration = .milliseconds(1)
    public var maxDelay: Duration = .milliseconds(200)

    public init() {}

    /// The delay before attempt `attempt + 1`: random in [0, min(max, initial · 2^(attempt−1))].
    public func delay(after attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(0, attempt - 1), 20)
        let ceiling = min(maxDelay, initialDelay * (1 << exponent))
        let nanos = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanos > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanos, using: &random))
    }

    /// Deadlocks and serialization failures are retried; nothing else is.
    public static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? MantisError else { return false }
        return error.code == .deadlock || error.code == .serializationFailure
    }
}
