import MantisCore

/// When and how checkpoints are taken and kept.
public struct CheckpointOptions: Sendable {
    /// Take one this often (nil: never on a timer).
    public var interval: Duration? = .seconds(300)
    /// Take one once this many WAL bytes were appended since the last (nil: no byte trigger).
    public var walBytes: UInt64? = 256 << 20
    /// How many checkpoints to keep; WAL segments wholly below the oldest kept are removed.
    public var keep = 2
    /// Uncompressed bytes per compressed block.
    public var blockSize = 1 << 20
    /// Backoff after a failed checkpoint: doubles from `retryInitialDelay` up to `retryMaxDelay`.
    public var retryInitialDelay: Duration = .seconds(1)
    public var retryMaxDelay: Duration = .seconds(60)
    /// How checkpoints past `keep` are deleted (`FileSystem.removeGradually`); nil: unlinked at once.
    public var removalPacing: RemovalPacing? = .standard
    /// Consecutive failures after which the alert turns critical.
    public var criticalAfterFailures = 3
    /// Called after each checkpoint is durable and the log trimmed, with how long it took
    /// (for an exact duration histogram). Keep it cheap.
    public var onCheckpoint: (@Sendable (CheckpointInfo, Duration) -> Void)?

    public init() {}
}
