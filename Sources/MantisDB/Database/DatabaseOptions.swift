import IntegrityKit
import Logging
import MantisCore
import TxnKit
import WALKit

/// Everything `Database.open` needs. Components are values passed in, never globals: swap the
/// file system, checksum, log or lock manager by passing another one.
public struct DatabaseOptions: Sendable {
    /// The data directory: `wal/` and (with recovery) `checkpoints/`, `quarantine/` live here.
    public var directory: String
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
    /// How `Database.transaction` retries deadlocks and serialization failures.
    public var retry = TransactionRetryPolicy()
    public var logger = Logger(label: "mantisdb", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(directory: String) {
        self.directory = directory
    }

    public enum WALKind: String, Sendable, CaseIterable {
        case segmented
        case memory
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
