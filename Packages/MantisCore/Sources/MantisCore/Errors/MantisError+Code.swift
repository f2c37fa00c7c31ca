extension MantisError {
    /// A stable, machine-readable error code. Open for extension: packages may add
    /// `static let` codes of their own in an extension without breaking any caller.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }
}

extension MantisError.Code {
    // I/O and the file system
    /// A read, write, open or other I/O call failed (EIO and friends).
    public static let ioError: Self = "io_error"
    /// No space left on the device (ENOSPC), or the configured disk reserve is reached.
    public static let diskFull: Self = "disk_full"
    public static let notFound: Self = "not_found"
    public static let alreadyExists: Self = "already_exists"
    public static let permissionDenied: Self = "permission_denied"
    /// fsync or fdatasync failed. Never retried: the data it covered may be gone.
    public static let syncFailed: Self = "sync_failed"

    // Integrity
    /// Bytes on disk fail verification where damage is not expected (synced data, a header).
    public static let corruption: Self = "corruption"
    /// A checksum did not match.
    public static let checksumMismatch: Self = "checksum_mismatch"
    /// An incomplete last write after the last sync point (expected after a crash).
    public static let tornWrite: Self = "torn_write"
    /// A file has an unknown magic number or format version.
    public static let unsupportedFormat: Self = "unsupported_format"

    // The write-ahead log
    /// The WAL hit a write or sync error earlier and accepts no more appends.
    public static let walFailed: Self = "wal_failed"
    /// A record is larger than the configured maximum.
    public static let recordTooLarge: Self = "record_too_large"
    /// The LSN asked for was removed by cleanup or is not yet written.
    public static let lsnUnavailable: Self = "lsn_unavailable"

    // Transactions
    public static let deadlock: Self = "deadlock"
    public static let serializationFailure: Self = "serialization_failure"
    public static let lockTimeout: Self = "lock_timeout"
    public static let transactionTimeout: Self = "transaction_timeout"
    public static let transactionClosed: Self = "transaction_closed"

    // Modes and limits
    /// The database is in safe mode (read-only) and refuses writes.
    public static let readOnly: Self = "read_only"
    public static let memoryLimit: Self = "memory_limit"
    public static let resourceExhausted: Self = "resource_exhausted"
    public static let closed: Self = "closed"
    public static let timeout: Self = "timeout"

    // Input and configuration
    public static let invalidArgument: Self = "invalid_argument"
    public static let invalidConfiguration: Self = "invalid_configuration"
    public static let codecError: Self = "codec_error"
    public static let internalError: Self = "internal_error"
}
