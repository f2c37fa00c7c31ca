import MantisCore

extension ErrorClassification {
    /// Every code of MantisCore (`MantisError+Code.swift`) and IntegrityKit, classified.
    /// The same table, with reasons, is in `Docs/integrity.md`.
    public static let standard = ErrorClassification(table: [
        // I/O and the file system
        .ioError: ErrorTraits(.transient, .error, recoverable: true,
            "an I/O call failed; opens and reads are retried with backoff, a failed log write fails the log"),
        .diskFull: ErrorTraits(.resource, .error, recoverable: true,
            "no space (or below the reserve): writes are refused until space is freed, reads continue"),
        .notFound: ErrorTraits(.permanent, .warning, recoverable: true,
            "the file or directory does not exist"),
        .alreadyExists: ErrorTraits(.permanent, .warning, recoverable: true,
            "the file or directory exists already"),
        .permissionDenied: ErrorTraits(.permanent, .critical, recoverable: false,
            "the process may not access the path (or the file system is read-only): an operator must fix it"),
        .syncFailed: ErrorTraits(.permanent, .critical, recoverable: true,
            "fsync/fdatasync failed: never retried (the kernel may have dropped the data); the log is failed, the database goes read-only and a restart recovers from the log"),

        // Integrity
        .corruption: ErrorTraits(.corruption, .critical, recoverable: false,
            "bytes failed verification where damage is not expected: withheld, quarantined, safe mode if recovery needs them"),
        .checksumMismatch: ErrorTraits(.corruption, .critical, recoverable: false,
            "a checksum did not match: the bytes are withheld"),
        .tornWrite: ErrorTraits(.corruption, .warning, recoverable: true,
            "an incomplete last write after the last sync (a crash mid-write): cut at open, the bytes kept as .broken"),
        .unsupportedFormat: ErrorTraits(.permanent, .critical, recoverable: false,
            "a file has an unknown magic, format version, codec or checksum: this build cannot read it"),

        // The write-ahead log
        .walFailed: ErrorTraits(.permanent, .critical, recoverable: true,
            "the log failed earlier and accepts no more writes: the database is read-only until a restart recovers from the log"),
        .recordTooLarge: ErrorTraits(.permanent, .error, recoverable: true,
            "a record exceeds the configured maximum: the write is refused"),
        .lsnUnavailable: ErrorTraits(.permanent, .error, recoverable: true,
            "the LSN or snapshot asked for was removed or is not written yet"),

        // Transactions
        .deadlock: ErrorTraits(.transient, .warning, recoverable: true,
            "the transaction was chosen as a deadlock victim: retry it"),
        .serializationFailure: ErrorTraits(.transient, .warning, recoverable: true,
            "a conflicting commit happened after this transaction's snapshot: retry it"),
        .lockTimeout: ErrorTraits(.transient, .warning, recoverable: true,
            "a lock was not granted in time: retry the transaction"),
        .transactionTimeout: ErrorTraits(.transient, .warning, recoverable: true,
            "the transaction ran longer than allowed and was aborted: retry it"),
        .transactionClosed: ErrorTraits(.permanent, .error, recoverable: true,
            "the transaction was already committed or aborted: the caller must start a new one"),

        // Modes and limits
        .readOnly: ErrorTraits(.permanent, .error, recoverable: false,
            "the database is in safe mode (read-only): writes are refused until an operator repairs and restarts it"),
        .memoryLimit: ErrorTraits(.resource, .error, recoverable: true,
            "the memory hard limit is reached: writes are refused until garbage collection or deletes free memory, reads continue"),
        .resourceExhausted: ErrorTraits(.resource, .error, recoverable: true,
            "a bounded resource (write set, queue, block size) is exhausted: the operation is refused"),
        .closed: ErrorTraits(.permanent, .warning, recoverable: true,
            "the component was closed (shutting down)"),
        .timeout: ErrorTraits(.transient, .warning, recoverable: true,
            "the operation did not finish in time: it may be retried"),

        // Input and configuration
        .invalidArgument: ErrorTraits(.permanent, .error, recoverable: true,
            "the request is invalid: rejected, the database carries on"),
        .invalidConfiguration: ErrorTraits(.permanent, .critical, recoverable: false,
            "the configuration is invalid: an operator must fix it"),
        .codecError: ErrorTraits(.corruption, .critical, recoverable: false,
            "a compressed block does not decode: treated as damaged data"),
        .internalError: ErrorTraits(.programming, .critical, recoverable: false,
            "an invariant inside MantisDB is broken (a bug): its state cannot be trusted"),

        // IntegrityKit
        .circuitOpen: ErrorTraits(.resource, .warning, recoverable: true,
            "the operation failed repeatedly; a circuit breaker refuses it until its cool-down has passed"),
        .cancelled: ErrorTraits(.permanent, .warning, recoverable: true,
            "the operation was cancelled"),
    ])

    /// Every code `standard` classifies, sorted by name (for documentation and tests).
    public static var standardCodes: [MantisError.Code] {
        standard.table.keys.sorted { $0.rawValue < $1.rawValue }
    }
}
